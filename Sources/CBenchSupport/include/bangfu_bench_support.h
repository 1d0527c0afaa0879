#ifndef BANGFU_BENCH_SUPPORT_H
#define BANGFU_BENCH_SUPPORT_H

/// Connects to the Unix socket at `path` with this thread's effective uid and gid set to `uid`/`gid`
/// for the connect only, so the daemon's SO_PEERCRED sees that principal. Needs root (saved uid 0).
/// Returns the connected descriptor, or -errno.
int bangfu_connect_as(const char *path, unsigned uid, unsigned gid);

#endif
