#define _GNU_SOURCE
#include "bangfu_bench_support.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

// The raw system calls change only the calling thread's credentials; glibc's setresuid would
// change every thread of the process, the other load threads included.
int bangfu_connect_as(const char *path, unsigned uid, unsigned gid) {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) return -ENAMETOOLONG;
    strcpy(addr.sun_path, path);
    if (syscall(SYS_setresgid, -1, gid, -1) != 0) return -errno;
    if (syscall(SYS_setresuid, -1, uid, -1) != 0) {
        int e = errno;
        syscall(SYS_setresgid, -1, 0, -1);
        return -e;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int result = fd;
    if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        result = -errno;
        close(fd);
    } else if (fd < 0) {
        result = -errno;
    }
    syscall(SYS_setresuid, -1, 0, -1);
    syscall(SYS_setresgid, -1, 0, -1);
    return result;
}
