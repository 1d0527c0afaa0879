#ifndef BANGFU_CLIBPQ_H
#define BANGFU_CLIBPQ_H

// libpq's types and constants (Debian libpq-dev). Its functions are not linked: bangfu calls them
// through `bangfu_libpq_load`, so a daemon on SQLite (the default) never maps libpq and the TLS,
// Kerberos and LDAP libraries it brings (about 5 MiB of resident memory).
#include <postgresql/libpq-fe.h>
#include <stddef.h>

/// The libpq functions bangfu calls, resolved from libpq.so.5.
struct bangfu_libpq {
    __typeof__(PQconnectdbParams) *_Nonnull connectdbParams;
    __typeof__(PQstatus) *_Nonnull status;
    __typeof__(PQerrorMessage) *_Nonnull errorMessage;
    __typeof__(PQfinish) *_Nonnull finish;
    __typeof__(PQsetNoticeProcessor) *_Nonnull setNoticeProcessor;
    __typeof__(PQsocket) *_Nonnull socket;
    __typeof__(PQbackendPID) *_Nonnull backendPID;
    __typeof__(PQexecParams) *_Nonnull execParams;
    __typeof__(PQexec) *_Nonnull exec;
    __typeof__(PQclear) *_Nonnull clear;
    __typeof__(PQresultStatus) *_Nonnull resultStatus;
    __typeof__(PQresultErrorField) *_Nonnull resultErrorField;
    __typeof__(PQntuples) *_Nonnull ntuples;
    __typeof__(PQnfields) *_Nonnull nfields;
    __typeof__(PQfname) *_Nonnull fname;
    __typeof__(PQftype) *_Nonnull ftype;
    __typeof__(PQcmdTuples) *_Nonnull cmdTuples;
    __typeof__(PQgetisnull) *_Nonnull getisnull;
    __typeof__(PQgetvalue) *_Nonnull getvalue;
};

/// Loads libpq on the first call (thread-safe, once); the same table on every later call. NULL
/// when it cannot be loaded, with the reason (dlerror's text) written into `error`.
const struct bangfu_libpq *_Nullable bangfu_libpq_load(char *_Nonnull error, size_t size);

#endif
