/* perror.h - the server's one error convention: PE_* codes and a per-thread last message. */
#ifndef PROSUM_PERROR_H
#define PROSUM_PERROR_H

/*
 * Every server module that can fail returns 0 (PE_OK) or one of these
 * negative codes, as libgit2 does; a module's own names (STORE_*, REPO_E*,
 * ATTACH_E*, MULTIPART_E*, HTTP_ERROR) are aliases of them, so a code means
 * the same wherever it comes from and crosses layers unchanged. The values
 * of PE_ERROR .. PE_FORBIDDEN are those STORE_* always had. Where a failure
 * has more to say than its code, the module records a one-line message for
 * the calling thread with perr_set(), read back with perr_last().
 *
 * Not in this family: common/buf.h's BUF_NOMEM and BUF_TOO_LARGE (common/
 * is shared with the client library, whose public codes are PROSUM_E*; the
 * server maps them where it calls buf, and PE_PROTOCOL and the rest are kept
 * apart from them by the assertion below), and tls.h's TLS_* (they are the
 * states of a non-blocking read or write, WANT_READ and WANT_WRITE, not
 * only errors).
 */
typedef enum perr_code {
	PE_OK = 0,
	PE_ERROR = -1, /* a library failed (SQLite, libgit2): perr_last() or the module says how */
	PE_NOTFOUND = -2,   /* no such item, file, revision, part */
	PE_EXISTS = -3,     /* already there (a name taken) */
	PE_BUSY = -4,       /* a queue is full: try again later */
	PE_STOPPED = -5,    /* shutting down, or a callback asked to stop */
	PE_CONFLICT = -6,   /* not allowed from the item's current state */
	PE_INVAL = -7,      /* the input was refused (syntax, hostile path, impossible reference) */
	PE_FULL = -8,       /* the disk is full (or a write failed): nothing was stored */
	PE_FORBIDDEN = -9,  /* the item is someone else's */
	PE_NOMEM = -10,     /* out of memory */
	PE_TOOBIG = -11,    /* over a ceiling (a header block, an output buffer) */
	PE_TOOMANY = -12,   /* more items than the caller's array holds */
	PE_IO = -13,        /* a system call failed: errno says which way */
	PE_AMBIGUOUS = -14, /* several match where one was asked for */
	PE_UNSUPPORTED = -15, /* a kind of input not handled (a Content-Type) */
	PE_PROTOCOL = -16, /* the peer broke the protocol (malformed HTTP, a bad compressed body) */
} perr_code;

/*
 * Record a one-line reason for the calling thread and return `code`, so a
 * failing path can `return perr_set(PE_IO, "open %s: %s", ...)`. The message
 * is cut at 512 bytes.
 */
int perr_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The calling thread's latest perr_set() message; "" when none. Valid until its next perr_set(). */
const char *perr_last(void);
/* The calling thread's latest perr_set() code; PE_OK when none. */
int perr_last_code(void);
/* Forget the calling thread's last error. */
void perr_clear(void);
/* A short name for a code ("not found", "busy", ...). Never NULL. */
const char *perr_name(int code);

#endif
