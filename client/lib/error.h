/* error.h - the per-thread last error behind prosum_error_last(). */
#ifndef PROSUM_CLIENT_ERROR_H
#define PROSUM_CLIENT_ERROR_H

#include "prosum.h"

/*
 * Record a one-line reason for the calling thread and return `code`, so a
 * failing path can `return error_set(PROSUM_EIO, "...")`. The message is cut
 * at 1 KiB; control characters become spaces.
 */
int error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like error_set(), appending ": strerror(errnum)". */
int error_set_errno(int code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Like error_set() with PROSUM_ETLS, for a server whose certificate or key
 * did not verify (no trusted CA, wrong name, wrong pin). The message is also
 * kept apart, so that the command line can recognise it in what it prints
 * and tell how to trust the server.
 */
int error_set_untrusted(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The calling thread's latest error_set_untrusted() message, or NULL. */
const char *error_untrusted(void);

/* A short name for a PROSUM_E* code ("network", "tls", ...). Never NULL. */
const char *error_name(int code);

#endif
