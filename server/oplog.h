/* oplog.h - the process log of prosumd serve: levels, text or JSON lines, stderr or a file reopened on SIGHUP. */
#ifndef PROSUM_OPLOG_H
#define PROSUM_OPLOG_H

#include <stdatomic.h>
#include <stddef.h>

/*
 * One log for the whole process: access lines (net/accesslog.c) and the
 * warnings and errors of the server. Every line is written with one write(2)
 * on a descriptor opened O_APPEND (or stderr), from whichever thread has
 * something to say: no lock, no queue, and lines of different threads never
 * interleave (a line is at most OPLOG_LINE_MAX bytes). A write to a slow
 * disk blocks the thread that logs for as long as write(2) takes; a log that
 * cannot be written (full disk) loses the line, never the request.
 */
#define OPLOG_LINE_MAX 4096

enum oplog_level { OPLOG_ERROR = 0, OPLOG_WARN = 1, OPLOG_INFO = 2, OPLOG_DEBUG = 3 };
enum oplog_format { OPLOG_TEXT = 0, OPLOG_JSON = 1 };

/* "error", "warn", "info" or "debug" to its level; -1 for anything else. */
int oplog_level_parse(const char *s);
/* "text" or "json" to its format; -1 for anything else. */
int oplog_format_parse(const char *s);
/* The names those parse: a level's or a format's, "?" for another number. */
const char *oplog_level_name(int level);
const char *oplog_format_name(int format);

/*
 * Log to `path` (created mode 0640 when missing, appended to), or to stderr
 * when path is NULL. 0, or -1 with the reason in err. Call once, before the
 * threads start; the path is copied.
 */
int oplog_open(const char *path, int format, int level, char *err, size_t errlen);
/* Open the file again under its name (logrotate moved it): 0, -1 (the old file is kept,
 * and an error line says why). Nothing to do when logging to stderr. Any thread. */
int oplog_reopen(void);
/* Back to stderr; frees what oplog_open() took. */
void oplog_close(void);

/* Change the level while serving (a configuration reload): any thread. */
void oplog_set_level(int level);
/* Would a line of this level be written? */
int oplog_on(int level);
int oplog_format(void);

/*
 * A line of `level` about `event` (a short snake_case name: "store_busy",
 * "disk_full", "tls_failures", "slow_batch"): text
 * "2026-12-05T20:51:00.123Z warn store_busy: MESSAGE", or JSON
 * {"time":...,"level":"warn","event":"store_busy","msg":"MESSAGE"}. The message
 * must never hold a secret (token, key, cookie, password) or a body.
 */
void oplog(int level, const char *event, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * The same at most once per second for each `slot` (a static atomic_int of the caller,
 * 0 at first); the lines of the same second are left out (the metrics count every
 * occurrence). For warnings a flood would repeat per request (a full queue).
 */
void oplog_limited(atomic_int *slot, int level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Write one finished line (with its '\n') as it is: for the access log. */
void oplog_write(const char *line, size_t len);
/* "2026-12-05T20:51:00.123Z" (UTC) of now into out (at least 32 bytes). */
void oplog_time_iso(char *out, size_t outsz);
/* Append `s` (len bytes) to out as the inside of a JSON string; returns the new length,
 * cut (never past outsz - 1) when out is full. */
size_t oplog_json_escape(char *out, size_t outsz, size_t at, const char *s, size_t len);

#endif
