#include "CLibPQ.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct bangfu_libpq table;
static char failure[512];
static int loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

// Each name looked up in libpq's own handle (RTLD_LOCAL: its symbols do not join the process's).
#define BANGFU_RESOLVE(field, name)                                                             \
    do {                                                                                        \
        void *symbol = dlsym(library, #name);                                                   \
        if (symbol == NULL) {                                                                   \
            snprintf(failure, sizeof failure, "libpq.so.5 has no %s: %s", #name, dlerror());    \
            return;                                                                             \
        }                                                                                       \
        *(void **)&table.field = symbol;                                                        \
    } while (0)

static void load(void) {
    void *library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *why = dlerror();
        snprintf(failure, sizeof failure, "%s", why != NULL ? why : "libpq.so.5 cannot be loaded");
        return;
    }
    BANGFU_RESOLVE(connectdbParams, PQconnectdbParams);
    BANGFU_RESOLVE(status, PQstatus);
    BANGFU_RESOLVE(errorMessage, PQerrorMessage);
    BANGFU_RESOLVE(finish, PQfinish);
    BANGFU_RESOLVE(setNoticeProcessor, PQsetNoticeProcessor);
    BANGFU_RESOLVE(socket, PQsocket);
    BANGFU_RESOLVE(backendPID, PQbackendPID);
    BANGFU_RESOLVE(execParams, PQexecParams);
    BANGFU_RESOLVE(exec, PQexec);
    BANGFU_RESOLVE(clear, PQclear);
    BANGFU_RESOLVE(resultStatus, PQresultStatus);
    BANGFU_RESOLVE(resultErrorField, PQresultErrorField);
    BANGFU_RESOLVE(ntuples, PQntuples);
    BANGFU_RESOLVE(nfields, PQnfields);
    BANGFU_RESOLVE(fname, PQfname);
    BANGFU_RESOLVE(ftype, PQftype);
    BANGFU_RESOLVE(cmdTuples, PQcmdTuples);
    BANGFU_RESOLVE(getisnull, PQgetisnull);
    BANGFU_RESOLVE(getvalue, PQgetvalue);
    loaded = 1;
}

const struct bangfu_libpq *bangfu_libpq_load(char *error, size_t size) {
    pthread_once(&once, load);
    if (loaded) return &table;
    if (size > 0) snprintf(error, size, "%s", failure);
    return NULL;
}
