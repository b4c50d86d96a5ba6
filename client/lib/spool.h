/* spool.h - the on-disk queue of reports: atomic, durable, bounded, shared by one DSN. */
#ifndef PROSUM_CLIENT_SPOOL_H
#define PROSUM_CLIENT_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/builder.h"

/*
 * Layout of a spool directory:
 *   NNNNNNNNNNNNNNNNNNNN-UUID.report  one queued report; NNN is the wall clock
 *                                     in ns when it was queued, so names sort
 *                                     oldest first
 *   NNN...-UUID.suggestion            one queued suggestion (its uuid is the
 *                                     suggestion's: the server keeps one)
 *   NNN...-UUID.vote                  one queued vote or withdrawal (a local
 *                                     uuid; a vote counts once per install)
 *   NNN...-UUID.session               a session's end (its uuid is the session's)
 *   NNN...-UUID.rating                a rating of the build
 *   session-UUID.open, .crashed       the marker of a run's session (appsession.h)
 *   NAME.state                        delivery attempts of entry NAME so far
 *                                     and the last failure; gone with NAME
 *   dsn                               the DSN of the last client that opened
 *                                     the spool (ingest key, host, project)
 *   *.crash                           crash records (crash.c), turned into
 *                                     reports on the next start
 *   .tmp-*                            files being written; never read
 *   prosum.log, prosum.log.1          refusals and drops, one line each
 *   dropped                           how many reports were dropped, in decimal
 *   .lock                             flock()ed while the spool is trimmed
 *
 * A .report file holds the JSON and the attachments of one report:
 *   "prosum-spool 1\n"
 *   "report LEN\n" LEN bytes of JSON "\n"
 *   ("attachment LEN NAME\n" LEN bytes "\n")*
 *   "end\n"
 */

#define SPOOL_NAME_MAX 96

/* The kinds of queued entries: their file name suffixes. */
#define SPOOL_REPORT ".report"
#define SPOOL_SUGGESTION ".suggestion"
#define SPOOL_VOTE ".vote"
#define SPOOL_SESSION ".session" /* the end of a run's session (appsession.h) */
#define SPOOL_RATING ".rating"   /* a rating of the build (its uuid is local) */

typedef struct spool spool;

typedef struct spool_entry {
	char name[SPOOL_NAME_MAX]; /* file name inside the spool directory */
	uint64_t size;
} spool_entry;

/*
 * Open (creating it mode 0700 with its parents) the spool at `dir`. Temporary
 * files older than PROSUM_STALE_TEMP_SECONDS are removed. 0 means no limit
 * for max_bytes and max_files. Caller owns *out (spool_free()). Thread-safe
 * once open. PROSUM_EIO, PROSUM_ENOMEM.
 */
int spool_open(spool **out, const char *dir, uint64_t max_bytes, unsigned int max_files);
void spool_free(spool *s);

/* The directory. Borrowed. */
const char *spool_dir(const spool *s);

/*
 * Queue `p`: write a temporary file, fsync it, rename it into place, fsync
 * the directory. Then trim: while the spool holds more than its limits, the
 * oldest other reports are deleted, counted in `dropped` and logged.
 * `name_out` (may be NULL) receives the entry's name. 0, PROSUM_ETOOBIG (the
 * entry alone is over max_bytes), PROSUM_EIO.
 */
int spool_write(spool *s, const envelope *p, char name_out[SPOOL_NAME_MAX]);

/* spool_write() for an entry of another kind: `suffix` is SPOOL_REPORT, SPOOL_SUGGESTION or
 * SPOOL_VOTE. */
int spool_write_kind(spool *s, const envelope *p, const char *suffix,
		     char name_out[SPOOL_NAME_MAX]);

/* SPOOL_REPORT, SPOOL_SUGGESTION or SPOOL_VOTE for an entry's name, else NULL. */
const char *spool_kind_of(const char *name);

/*
 * The entries whose names end with `suffix` (".report" or ".crash"; NULL:
 * every queued entry, reports, suggestions and votes together), oldest
 * first. Caller owns *out (free()); *n may be 0 with *out NULL.
 * PROSUM_EIO, PROSUM_ENOMEM.
 */
int spool_list(spool *s, const char *suffix, spool_entry **out, size_t *n);

/*
 * Read an entry back. *out owns one buffer that everything points into
 * (envelope_free()). PROSUM_EIO (gone or unreadable), PROSUM_EINVALID (the
 * file is not a complete spool entry), PROSUM_ENOMEM.
 */
int spool_read(spool *s, const char *name, envelope *out);

/* Delete an entry (and its .state); one already gone is not an error. 0 or PROSUM_EIO. */
int spool_remove(spool *s, const char *name);

/*
 * Move entry `name` from spool `from` into spool `to` (rename(2): atomic; a
 * copy then a delete across file systems). Its .state goes: attempts start
 * over for the new target. 0, PROSUM_EIO (gone or not movable), PROSUM_ENOMEM.
 */
int spool_move(spool *from, const char *name, spool *to);

/* How delivery of one entry went so far. */
typedef struct spool_state {
	unsigned int attempts; /* failed attempts */
	int64_t last_attempt;  /* seconds since the epoch; 0: never */
	char last_error[512];  /* "" when none */
} spool_state;

/* Count one failed attempt at entry `name`, because of `why`. Best effort. */
void spool_note_failure(spool *s, const char *name, const char *why);

/* Read what spool_note_failure() recorded; all zero when nothing was. */
void spool_read_state(spool *s, const char *name, spool_state *out);

/* Record the DSN this spool delivers to (file `dsn`), when it changed. Best effort. */
void spool_set_target(spool *s, const char *dsn_text);

/* The recorded DSN, or NULL. Caller frees. */
char *spool_target(spool *s);

/*
 * Append one line to prosum.log: "TIMESTAMP " and the formatted text,
 * control characters replaced. Best effort: failures are ignored.
 */
void spool_log(spool *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The persistent count of dropped reports. */
uint64_t spool_dropped(spool *s);

/* Serialise `p` into the entry format above. Caller frees *out. Exposed for tests. */
int spool_encode(char **out, size_t *len, const envelope *p);

/* Parse an entry of `len` bytes in `bytes`; *out borrows from `bytes` (nbufs = 0). Exposed for
 * tests.
 */
int spool_decode(envelope *out, const char *bytes, size_t len);

#endif
