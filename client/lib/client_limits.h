/* client_limits.h - every ceiling and default of libprosum and the prosum command, named once. */
#ifndef PROSUM_CLIENT_LIMITS_H
#define PROSUM_CLIENT_LIMITS_H

/* Report contents (the server enforces the same limits; failing early names the field). */
#define PROSUM_MAX_REPORT_JSON (256 * 1024)   /* one report document */
#define PROSUM_MAX_REQUEST (20 * 1024 * 1024) /* one request: JSON and attachments */
#define PROSUM_MAX_FRAMES 256
#define PROSUM_MAX_TAGS 64
#define PROSUM_MAX_FIELD 16384 /* one string field */
#define PROSUM_MAX_ATTACHMENTS 16
#define PROSUM_MAX_ATTACHMENT_NAME 128

/* DSN parts. */
#define PROSUM_MAX_DSN 1024
#define PROSUM_MAX_KEY 128
#define PROSUM_MAX_HOST 256
#define PROSUM_MAX_PROJECT 64

/* Spool. */
#define PROSUM_DEFAULT_SPOOL_BYTES (64ull * 1024 * 1024)
#define PROSUM_DEFAULT_SPOOL_FILES 1000u
#define PROSUM_MAX_SPOOL_LOG (1024 * 1024) /* prosum.log is rotated to prosum.log.1 beyond this */
#define PROSUM_STALE_TEMP_SECONDS 600      /* a temporary spool file older than this is debris */

/* Network. */
#define PROSUM_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define PROSUM_DEFAULT_TIMEOUT_MS 60000L
#define PROSUM_MAX_ANSWER (4 * 1024 * 1024)      /* one answer body kept in memory */
#define PROSUM_BACKOFF_BASE_MS 1000u             /* first retry after a network error or 5xx */
#define PROSUM_BACKOFF_MAX_MS (5u * 60u * 1000u) /* backoff ceiling */
#define PROSUM_MAX_RETRY_AFTER_S (24L * 3600L)   /* a larger Retry-After is clamped to this */

/* Crash records. */
#define PROSUM_CRASH_MAX_FRAMES 128        /* return addresses kept by the signal handler */
#define PROSUM_CRASH_MAX_MAPS (256 * 1024) /* bytes of /proc/self/maps copied */
#define PROSUM_CRASH_MAX_FILE (512 * 1024) /* a crash record read back */
#define PROSUM_CRASH_ALTSTACK (64 * 1024)  /* the signal handler's own stack */

/* The prosum command. */
#define PROSUM_CLI_DEFAULT_TIMEOUT_MS 30000L /* `prosum report` and `prosum flush` */

#endif
