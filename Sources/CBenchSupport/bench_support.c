#define _GNU_SOURCE
#include "bangfu_bench_support.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
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

/// Sends one NUL-framed message and reads its reply (up to the NUL) into a reusable buffer.
static long round_trip(int fd, const char *message, char **buffer, long *capacity) {
    size_t length = strlen(message) + 1;
    for (size_t sent = 0; sent < length;) {
        ssize_t wrote = write(fd, message + sent, length - sent);
        if (wrote <= 0) return wrote < 0 ? -errno : -EPIPE;
        sent += (size_t)wrote;
    }
    long have = 0;
    for (;;) {
        if (*capacity - have < 4096) {
            *capacity = *capacity ? *capacity * 2 : 65536;
            *buffer = realloc(*buffer, (size_t)*capacity);
            if (!*buffer) return -ENOMEM;
        }
        ssize_t got = read(fd, *buffer + have, (size_t)(*capacity - have));
        if (got <= 0) return got < 0 ? -errno : -ECONNRESET;
        // Replies are answered one at a time: the NUL, when it came, is the last byte read.
        have += got;
        if ((*buffer)[have - 1] == 0) return have - 1;
    }
}

typedef struct {
    const char *path;
    unsigned uid, gid;
    long first, count;
    const char *const *messages;
    long message_count;
    bangfu_read_load_result *result;
    pthread_barrier_t *start;
    pthread_mutex_t *lock;
} load_thread;

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void fail(load_thread *self, const char *what, long code) {
    pthread_mutex_lock(self->lock);
    self->result->errors++;
    if (!self->result->failure[0])
        snprintf(self->result->failure, sizeof self->result->failure, "%s%s%s", what, code ? ": " : "",
                 code ? strerror((int)-code) : "");
    pthread_mutex_unlock(self->lock);
}

static void *load_run(void *argument) {
    load_thread *self = argument;
    int fd = bangfu_connect_as(self->path, self->uid, self->gid);
    pthread_barrier_wait(self->start);
    if (fd < 0) {
        fail(self, "connect", fd);
        return NULL;
    }
    char *buffer = NULL;
    long capacity = 0;
    for (long i = self->first; i < self->first + self->count; i++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        long length = round_trip(fd, self->messages[i % self->message_count], &buffer, &capacity);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        self->result->latencies[i] =
            (uint32_t)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
        if (length < 0) {
            fail(self, "call", length);
            break;
        }
        if (length < 14 || strncmp(buffer, "{\"parameters\":", 14) != 0) fail(self, "a varlink error", 0);
    }
    free(buffer);
    close(fd);
    return NULL;
}

int bangfu_read_load(const char *path, unsigned uid, unsigned gid, int clients, long count,
                     const char *const *messages, long message_count, bangfu_read_load_result *result) {
    if (clients < 1 || count < clients || message_count < 1) return -EINVAL;
    pthread_t threads[clients];
    load_thread work[clients];
    pthread_barrier_t start;
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_barrier_init(&start, NULL, (unsigned)clients + 1);
    result->errors = 0;
    result->failure[0] = 0;
    long share = count / clients;
    for (int k = 0; k < clients; k++) {
        work[k] = (load_thread){path, uid, gid, k * share, k == clients - 1 ? count - k * share : share,
                                messages, message_count, result, &start, &lock};
        pthread_create(&threads[k], NULL, load_run, &work[k]);
    }
    pthread_barrier_wait(&start);
    double t0 = now_seconds();
    for (int k = 0; k < clients; k++) pthread_join(threads[k], NULL);
    result->seconds = now_seconds() - t0;
    pthread_barrier_destroy(&start);
    return 0;
}

long bangfu_call_once(const char *path, unsigned uid, unsigned gid, const char *message, char *reply, long capacity) {
    int fd = bangfu_connect_as(path, uid, gid);
    if (fd < 0) return fd;
    char *buffer = NULL;
    long size = 0;
    long length = round_trip(fd, message, &buffer, &size);
    close(fd);
    if (length >= 0) {
        if (length >= capacity) length = capacity - 1;
        memcpy(reply, buffer, (size_t)length);
        reply[length] = 0;
    }
    free(buffer);
    return length;
}
