/* report.h - a report document (JSON, version 1) turned into a validated report (its fingerprint: model/fingerprint.h). */
#ifndef PROSUM_REPORT_H
#define PROSUM_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define REPORT_MAX_TITLE 1024 /* bytes of a title, sent or derived (a derived one is cut there) */

/*
 * The install id of reports that name no tester: what a Sentry event without a user becomes
 * (server/sentry/event.c). Such reports count no tester (a group's distinct testers, the
 * credits of releases and the hall of fame), and the install owns none of them (a tester's
 * "mine" view and replies).
 */
#define REPORT_NO_TESTER "sentry"

typedef struct report_limits {
	size_t max_json;    /* bytes of the document */
	size_t max_frames;
	size_t max_tags;
	size_t max_field;   /* bytes of one string field */
} report_limits;

/*
 * Why a document was refused, ready for an error body:
 * {"error":{"code":code,"message":message,"field":field}}.
 *   400 "invalid_json": not JSON (invalid UTF-8 and a raw NUL included), a
 *       duplicate member (`field` names it), or nested deeper than
 *       PROSUM_MAX_JSON_DEPTH (config.h); the message starts "line L, column C: ".
 *       A syntax error wins over any 422 (jsonbody.h).
 *   413 "too_large": the document exceeds max_json.
 *   422 "invalid_report": a field is missing, of the wrong type, out of range,
 *       or holds "\u0000"; `field` names it as a path ("build.revision",
 *       "frames[3].line", "tags.gpu"); empty when no single field is at fault
 *       (the document is not an object: "the report must be an object, ...").
 *   500 "internal_error": out of memory.
 * The message is a sentence that starts with the field path when there is
 * one ("build.revision must be a string"). message and field are always
 * NUL-terminated, valid UTF-8 without control characters (cut between
 * characters when too long), so they can go straight into a JSON body.
 */
typedef struct report_error {
	int status;
	char code[32];
	char message[256];
	char field[128];
} report_error;

/*
 * A validated report. `root` is owned and holds the whole document as sent,
 * unknown fields included (only `uuid` is rewritten, in canonical form). The
 * const char pointers borrow from `root` (or from `title_owned`) and live as
 * long as the report; absent optional fields are NULL. A member whose value is
 * JSON null counts as absent. Strings never hold a NUL byte.
 */
typedef struct report {
	json_t *root;
	const char *uuid;        /* canonical lower-case 8-4-4-4-12 form (root is updated) */
	const char *kind;        /* "crash", "bug" or "feedback" */
	const char *title;       /* as sent, else derived from the exception ("SIGSEGV: invalid read at 0x0") */
	const char *description;
	const char *severity;
	const char *steps;
	const char *version;     /* build.version */
	const char *revision;    /* build.revision */
	const char *channel;     /* build.channel */
	const char *install_id;  /* tester.install_id */
	const char *tester_name;
	const char *tester_email;
	int tester_notify;       /* tester.notify: true: mail this tester about their reports */
	const char *os;          /* platform.os */
	const char *arch;        /* platform.arch */
	const char *exception_type;
	const char *exception_value;
	size_t nframes;
	int64_t timestamp;       /* client time, seconds since the epoch; 0 when not sent */
	char fingerprint[65];    /* hex SHA-256 of the grouping key */
	char *title_owned;       /* owned; set when the title was derived */
	char commit[41];         /* build.revision resolved by the server (gitwork); "" when not */
	char cohort[65];         /* the sender's cohort, resolved by the server at ingest
				  * (store_cohort_resolve()); "" none */
	const char *raw;         /* the document's text as sent (not NUL-terminated), borrowed from
				  * the caller's buffer; NULL when the stored form must be rebuilt
				  * from root (the uuid was put in canonical form) */
	size_t raw_len;
} report;

/*
 * Parse and validate a report document of `len` bytes (not NUL-terminated).
 * On success returns 0, fills *out, which the caller frees with report_free(),
 * and zeroes *err. On refusal returns -1, fills *err, and leaves *out zeroed
 * (it needs no freeing). The rules are in report.c, at check_*().
 */
int report_parse(report *out, const char *json, size_t len,
		 const report_limits *lim, report_error *err);

/* Each tag of the report, one call of fn in document order; a non-zero return of fn stops and
 * is returned (-1 for a tag that is not a string, which report_parse() refuses). */
int report_tags_each(const report *r, int (*fn)(void *ctx, const char *key, const char *value),
		     void *ctx);
/* The function of frame i (i < nframes), NULL when the frame names none. */
const char *report_frame_function(const report *r, size_t i);
/* The document as compact JSON text, malloc'd (caller frees); NULL when out of memory. */
char *report_dump(const report *r);

/* Release what the report owns. NULL and a zeroed report are fine. */
void report_free(report *r);

#endif
