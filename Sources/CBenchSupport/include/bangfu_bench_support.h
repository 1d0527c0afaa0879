#ifndef BANGFU_BENCH_SUPPORT_H
#define BANGFU_BENCH_SUPPORT_H

/// Connects to the Unix socket at `path` with this thread's effective uid and gid set to `uid`/`gid`
/// for the connect only, so the daemon's SO_PEERCRED sees that principal. Needs root (saved uid 0).
/// Returns the connected descriptor, or -errno.
int bangfu_connect_as(const char *path, unsigned uid, unsigned gid);

#include <stdint.h>

/// A read load: `clients` threads, each with its own connection made as `uid`/`gid` (see
/// `bangfu_connect_as`), each sending its share of `count` messages and waiting for each reply
/// before the next, as a person's client would. Message i is `messages[i % message_count]`
/// (NUL-terminated C strings; the NUL frames it). The client is C so that its own cost is small
/// beside the server's on a machine both share.
typedef struct {
    /// Microseconds per call, `count` of them in the order the threads finished them.
    uint32_t *latencies;
    /// Wall-clock seconds from the first call to the last reply.
    double seconds;
    /// Calls answered with a varlink error, or not answered at all.
    long errors;
    /// The first failure in words, empty when none.
    char failure[160];
} bangfu_read_load_result;

int bangfu_read_load(const char *path, unsigned uid, unsigned gid, int clients, long count,
                     const char *const *messages, long message_count, bangfu_read_load_result *result);

/// One call and its whole reply (NUL excluded) into `reply`; returns its length, or -errno.
long bangfu_call_once(const char *path, unsigned uid, unsigned gid, const char *message, char *reply, long capacity);

#endif
