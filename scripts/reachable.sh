# Sourced by run-demo.sh. The demo runs bangfuctl as five other users, who must reach the program,
# the socket and the sample files. A checkout they cannot enter (root's home is 0700 on Debian, the
# natural place for root to clone) keeps all three from them: "Permission denied", exit 126.
# These helpers find out, and copy what they run to a directory they can reach.

# reachable_by_others PATH: whether uid 65534 (nobody), with no groups, can reach PATH.
reachable_by_others() {
  $SUDO setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$1" 2>/dev/null
}

# reachable_dir NAME: a fresh directory under /tmp every user can enter, printed.
reachable_dir() {
  local dir
  dir=$(mktemp -d "/tmp/$1.XXXXXX")
  chmod 755 "$dir"
  printf '%s\n' "$dir"
}
