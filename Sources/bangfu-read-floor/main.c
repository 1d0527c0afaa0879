// bangfu-read-floor: the floor of a case read on this machine, for bangfu-bench.
//
// Answers `org.bangfu.Cases.Get` over the same NUL-framed Unix socket as bangfud, from the same
// SQLite database, with the same queries in one read transaction, and the same reply bytes as
// bangfud gives an auditor (form text, reasons and comments hidden) -- but with no authorization,
// no audit, no parsing beyond finding the case number, and a thread per connection. What bangfud
// spends above this is the cost of being bangfud. bangfu-bench checks that both answer the same
// bytes before it compares their speed.
//
// Usage: bangfu-read-floor SOCKET DATABASE   (prints "ready" when it accepts; SIGTERM stops it)
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *database_path;

/// A growing byte buffer for one reply.
typedef struct {
    char *bytes;
    size_t length, capacity;
} Buffer;

static void put(Buffer *out, const char *bytes, size_t length) {
    if (out->length + length + 1 > out->capacity) {
        while (out->length + length + 1 > out->capacity) out->capacity = out->capacity ? out->capacity * 2 : 4096;
        out->bytes = realloc(out->bytes, out->capacity);
        if (!out->bytes) abort();
    }
    memcpy(out->bytes + out->length, bytes, length);
    out->length += length;
}

static void puts_(Buffer *out, const char *text) { put(out, text, strlen(text)); }

static void putf(Buffer *out, const char *format, ...) {
    char text[64];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(text, sizeof text, format, args);
    va_end(args);
    put(out, text, (size_t)length);
}

/// A JSON string, escaped as bangfud's encoder escapes it (UTF-8 kept as is).
static void put_string(Buffer *out, const unsigned char *text) {
    put(out, "\"", 1);
    for (const unsigned char *c = text; *c; c++) {
        switch (*c) {
        case '"': put(out, "\\\"", 2); break;
        case '\\': put(out, "\\\\", 2); break;
        case '\n': put(out, "\\n", 2); break;
        case '\r': put(out, "\\r", 2); break;
        case '\t': put(out, "\\t", 2); break;
        default:
            if (*c < 0x20) putf(out, "\\u%04x", *c);
            else put(out, (const char *)c, 1);
        }
    }
    put(out, "\"", 1);
}

/// `"key":` then the column as a string; nothing at all when the column is NULL (bangfud leaves
/// absent optionals out). Returns whether it wrote.
static int field_text(Buffer *out, int *first, const char *key, sqlite3_stmt *row, int column) {
    if (sqlite3_column_type(row, column) == SQLITE_NULL) return 0;
    putf(out, "%s\"%s\":", *first ? "" : ",", key);
    put_string(out, sqlite3_column_text(row, column));
    *first = 0;
    return 1;
}

static void field_hidden(Buffer *out, int *first, const char *key, sqlite3_stmt *row, int column) {
    if (sqlite3_column_type(row, column) == SQLITE_NULL) return;
    putf(out, "%s\"%s\":\"***\"", *first ? "" : ",", key);
    *first = 0;
}

static void field_int(Buffer *out, int *first, const char *key, sqlite3_stmt *row, int column) {
    if (sqlite3_column_type(row, column) == SQLITE_NULL) return;
    putf(out, "%s\"%s\":%lld", *first ? "" : ",", key, (long long)sqlite3_column_int64(row, column));
    *first = 0;
}

/// An instant stored in milliseconds as ISO 8601 in the business zone (Asia/Shanghai, +08:00 all year).
static void field_time(Buffer *out, int *first, const char *key, sqlite3_stmt *row, int column) {
    if (sqlite3_column_type(row, column) == SQLITE_NULL) return;
    time_t seconds = (time_t)(sqlite3_column_int64(row, column) / 1000) + 8 * 3600;
    struct tm parts;
    gmtime_r(&seconds, &parts);
    putf(out, "%s\"%s\":\"%04d-%02d-%02dT%02d:%02d:%02d+08:00\"", *first ? "" : ",", key, parts.tm_year + 1900,
         parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
    *first = 0;
}

/// A stored form as an auditor sees it: each top-level string value replaced by "***", other
/// values copied (the stored text is bangfud's own encoding: keys sorted, no spaces).
static void put_hidden_form(Buffer *out, const char *form) {
    const char *c = form;
    int depth = 0, in_string = 0, is_key = 1;
    for (; *c; c++) {
        if (in_string) {
            if (*c == '\\') { put(out, c, 2); c++; continue; }
            if (*c == '"') in_string = 0;
            put(out, c, 1);
            continue;
        }
        if (*c == '"' && depth == 1 && !is_key) {
            // A top-level string value: skip it whole, write the mask.
            for (c++; *c && *c != '"'; c++) if (*c == '\\' && c[1]) c++;
            puts_(out, "\"***\"");
            continue;
        }
        if (*c == '"') in_string = 1;
        if (*c == '{' || *c == '[') depth++;
        if (*c == '}' || *c == ']') depth--;
        if (depth == 1 && *c == ':') is_key = 0;
        if (depth == 1 && *c == ',') is_key = 1;
        put(out, c, 1);
    }
}

/// A stored payment plan (`{"oneOff":{"_0":A}}`, `{"monthly":{"_0":A,"months":M}}`,
/// `{"loan":{"principal":A,"termMonths":T}}`, `{"nonMonetary":{}}`) in its wire form.
static void put_plan(Buffer *out, const char *plan) {
    long long amount = 0, count = 0;
    const char *number = strchr(plan + 1, ':');
    number = number ? strchr(number + 1, ':') : NULL;
    if (number) amount = strtoll(number + 1, NULL, 10);
    const char *second = number ? strchr(number + 1, ':') : NULL;
    if (second) count = strtoll(second + 1, NULL, 10);
    if (strncmp(plan, "{\"oneOff\"", 9) == 0)
        putf(out, "{\"amount\":%lld,\"kind\":\"one_off\",\"total\":%lld}", amount, amount);
    else if (strncmp(plan, "{\"monthly\"", 10) == 0)
        putf(out, "{\"amount\":%lld,\"kind\":\"monthly\",\"months\":%lld,\"total\":%lld}", amount, count, amount * count);
    else if (strncmp(plan, "{\"loan\"", 7) == 0)
        putf(out, "{\"amount\":%lld,\"kind\":\"loan\",\"termMonths\":%lld,\"total\":%lld}", amount, count, amount);
    else
        puts_(out, "{\"amount\":0,\"kind\":\"non_monetary\",\"total\":0}");
}

/// One connection's database handle and its statements, prepared once.
typedef struct {
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *case_row, *events, *payments, *forms;
} Reader;

static const char *case_sql =
    "SELECT c.id, c.case_no, c.unit_id, c.help_type, c.filed_by, c.form, c.state, c.reviewed_by, c.approved_by, "
    "c.plan, c.notice_deadline_ms, c.frozen_remaining, c.instalments_paid, c.repaid_fen, c.reason, c.replaces, "
    "h.archive_no FROM help_case c JOIN household h ON h.id = c.household_id WHERE c.case_no = ?";

static int open_reader(Reader *reader) {
    // Read-write as bangfud's readers open it (a read-only handle cannot make the WAL index of a
    // database whose writer has closed); it only reads.
    if (sqlite3_open_v2(database_path, &reader->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        return -1;
    sqlite3_busy_timeout(reader->db, 5000);
    const char *sql[] = {
        "BEGIN DEFERRED TRANSACTION", "COMMIT TRANSACTION", case_sql,
        "SELECT at_ms, actor, event, from_state, to_state, comment FROM case_event WHERE case_id = ? ORDER BY id",
        "SELECT instalment, fund_id, amount_fen, paid_ms, paid_by FROM disbursement WHERE case_id = ? "
        "ORDER BY instalment",
        "SELECT version, form, at_ms, actor, note FROM case_form WHERE case_id = ? ORDER BY version",
    };
    sqlite3_stmt **statements[] = {&reader->begin,  &reader->commit,   &reader->case_row,
                                   &reader->events, &reader->payments, &reader->forms};
    for (int i = 0; i < 6; i++)
        if (sqlite3_prepare_v3(reader->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, statements[i], NULL) != SQLITE_OK)
            return -1;
    return 0;
}

/// The reply to a Cases.Get of `case_no`, as bangfud answers an auditor; NotFound when there is no such case.
static void answer(Reader *reader, const char *case_no, Buffer *out) {
    sqlite3_step(reader->begin);
    sqlite3_reset(reader->begin);
    sqlite3_stmt *row = reader->case_row;
    sqlite3_bind_text(row, 1, case_no, -1, SQLITE_STATIC);
    if (sqlite3_step(row) != SQLITE_ROW) {
        puts_(out, "{\"error\":\"org.bangfu.Cases.NotFound\",\"parameters\":{}}");
    } else {
        int first = 1;
        long long case_id = sqlite3_column_int64(row, 0);
        puts_(out, "{\"parameters\":{\"case\":{");
        field_text(out, &first, "approvedBy", row, 8);
        field_text(out, &first, "archiveNo", row, 16);
        field_text(out, &first, "caseNo", row, 1);
        field_text(out, &first, "filedBy", row, 4);
        puts_(out, ",\"form\":");
        put_hidden_form(out, (const char *)sqlite3_column_text(row, 5));
        field_int(out, &first, "frozenRemainingDays", row, 11);
        field_text(out, &first, "helpType", row, 3);
        field_int(out, &first, "id", row, 0);
        field_int(out, &first, "instalmentsPaid", row, 12);
        field_time(out, &first, "noticeDeadline", row, 10);
        if (sqlite3_column_type(row, 9) != SQLITE_NULL) {
            puts_(out, ",\"plan\":");
            put_plan(out, (const char *)sqlite3_column_text(row, 9));
        }
        field_hidden(out, &first, "reason", row, 14);
        field_int(out, &first, "repaid", row, 13);
        field_text(out, &first, "replaces", row, 15);
        field_text(out, &first, "reviewedBy", row, 7);
        field_text(out, &first, "state", row, 6);
        field_text(out, &first, "unitId", row, 2);
        puts_(out, "},\"events\":[");
        sqlite3_stmt *events = reader->events;
        sqlite3_bind_int64(events, 1, case_id);
        for (int n = 0; sqlite3_step(events) == SQLITE_ROW; n++) {
            first = 1;
            puts_(out, n ? ",{" : "{");
            field_text(out, &first, "actor", events, 1);
            field_time(out, &first, "at", events, 0);
            field_hidden(out, &first, "comment", events, 5);
            field_text(out, &first, "event", events, 2);
            field_text(out, &first, "from", events, 3);
            field_text(out, &first, "to", events, 4);
            puts_(out, "}");
        }
        sqlite3_reset(events);
        puts_(out, "],\"forms\":[");
        sqlite3_stmt *forms = reader->forms;
        sqlite3_bind_int64(forms, 1, case_id);
        for (int n = 0; sqlite3_step(forms) == SQLITE_ROW; n++) {
            first = 1;
            puts_(out, n ? ",{" : "{");
            field_text(out, &first, "actor", forms, 3);
            field_time(out, &first, "at", forms, 2);
            puts_(out, ",\"form\":");
            put_hidden_form(out, (const char *)sqlite3_column_text(forms, 1));
            field_hidden(out, &first, "note", forms, 4);
            field_int(out, &first, "version", forms, 0);
            puts_(out, "}");
        }
        sqlite3_reset(forms);
        puts_(out, "],\"payments\":[");
        sqlite3_stmt *payments = reader->payments;
        sqlite3_bind_int64(payments, 1, case_id);
        for (int n = 0; sqlite3_step(payments) == SQLITE_ROW; n++) {
            first = 0;
            puts_(out, n ? ",{\"alreadyPaid\":false" : "{\"alreadyPaid\":false");
            field_int(out, &first, "amount", payments, 2);
            field_text(out, &first, "fundId", payments, 1);
            field_int(out, &first, "instalment", payments, 0);
            field_time(out, &first, "paidAt", payments, 3);
            field_text(out, &first, "paidBy", payments, 4);
            puts_(out, "}");
        }
        sqlite3_reset(payments);
        puts_(out, "]}}");
    }
    sqlite3_reset(row);
    sqlite3_clear_bindings(row);
    sqlite3_step(reader->commit);
    sqlite3_reset(reader->commit);
    put(out, "", 1);  // the NUL that ends a message
}

/// Finds `"caseNo":"…"` in a call and copies the number; no JSON parser (the floor trusts its client).
static int case_number(const char *call, char *number, size_t capacity) {
    const char *start = strstr(call, "\"caseNo\"");
    if (!start) return -1;
    start = strchr(start + 8, '"');
    if (!start) return -1;
    const char *end = strchr(start + 1, '"');
    if (!end || (size_t)(end - start - 1) >= capacity) return -1;
    memcpy(number, start + 1, (size_t)(end - start - 1));
    number[end - start - 1] = 0;
    return 0;
}

static void *serve(void *argument) {
    int fd = (int)(long)argument;
    Reader reader = {0};
    if (open_reader(&reader) != 0) {
        fprintf(stderr, "bangfu-read-floor: cannot open %s: %s\n", database_path, sqlite3_errmsg(reader.db));
        close(fd);
        return NULL;
    }
    Buffer in = {0}, out = {0};
    size_t scanned = 0;
    for (;;) {
        if (in.capacity - in.length < 4096) {
            in.capacity = in.capacity ? in.capacity * 2 : 8192;
            in.bytes = realloc(in.bytes, in.capacity);
        }
        ssize_t got = read(fd, in.bytes + in.length, in.capacity - in.length - 1);
        if (got <= 0) break;
        in.length += (size_t)got;
        char *nul;
        while ((nul = memchr(in.bytes + scanned, 0, in.length - scanned))) {
            char number[64];
            out.length = 0;
            if (case_number(in.bytes, number, sizeof number) == 0) answer(&reader, number, &out);
            else put(&out, "{\"error\":\"org.varlink.service.InvalidParameter\"}", 48), put(&out, "", 1);
            for (size_t sent = 0; sent < out.length;) {
                ssize_t wrote = write(fd, out.bytes + sent, out.length - sent);
                if (wrote <= 0) goto done;
                sent += (size_t)wrote;
            }
            size_t used = (size_t)(nul - in.bytes) + 1;
            memmove(in.bytes, nul + 1, in.length - used);
            in.length -= used;
            scanned = 0;
        }
        scanned = in.length;
    }
done:
    close(fd);
    free(in.bytes);
    free(out.bytes);
    sqlite3_stmt *statements[] = {reader.begin, reader.commit, reader.case_row, reader.events, reader.payments,
                                  reader.forms};
    for (int i = 0; i < 6; i++) sqlite3_finalize(statements[i]);
    sqlite3_close(reader.db);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bangfu-read-floor SOCKET DATABASE\n");
        return 2;
    }
    database_path = argv[2];
    // A parent's threads may have blocked signals (Foundation's do), and children inherit the mask:
    // unblock them all, so that SIGTERM stops this server.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof address.sun_path) return 2;
    strcpy(address.sun_path, argv[1]);
    unlink(argv[1]);
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 256) != 0) {
        fprintf(stderr, "bangfu-read-floor: cannot listen on %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    // Its owner only: bangfu-bench (root) hands the socket to the load's reading uid.
    chmod(argv[1], 0600);
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        pthread_t thread;
        if (pthread_create(&thread, NULL, serve, (void *)(long)fd) != 0) close(fd);
        else pthread_detach(thread);
    }
}
