/* report.h - a report document (JSON, version 1) turned into a validated report, and its fingerprint. */
#ifndef PROSUM_REPORT_H
#define PROSUM_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct report_limits {
	size_t max_json;    /* bytes of the document */
	size_t max_frames;
	size_t max_tags;
	size_t max_field;   /* bytes of one string field */
} report_limits;

/*
 * Why a document was refused, ready for an error body:
 * {"error":{"code":code,"message":message,"field":field}}.
 * status is 400 (malformed JSON: message names line and column), 413 (the
 * document exceeds max_json) or 422 (a field is missing, of the wrong type,
 * out of range; `field` names it as a path: "build.revision",
 * "frames[3].line", "tags.gpu"; empty when no single field is at fault).
 */
typedef struct report_error {
	int status;
	char code[32];
	char message[256];
	char field[128];
} report_error;

/*
 * A validated report. `root` is owned and holds the whole document as sent,
 * unknown fields included. The const char pointers borrow from `root` (or from
 * `title_owned`) and live as long as the report; absent optional fields are NULL.
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
	const char *os;          /* platform.os */
	const char *arch;        /* platform.arch */
	const char *exception_type;
	const char *exception_value;
	size_t nframes;
	int64_t timestamp;       /* client time, seconds since the epoch; 0 when not sent */
	char fingerprint[65];    /* hex SHA-256 of the grouping key */
	char *title_owned;       /* owned; set when the title was derived */
} report;

/*
 * Parse and validate a report document of `len` bytes (not NUL-terminated).
 * On success returns 0 and fills *out, which the caller frees with
 * report_free(). On refusal returns -1, fills *err, and *out needs no freeing.
 */
int report_parse(report *out, const char *json, size_t len,
		 const report_limits *lim, report_error *err);

/* Release what the report owns. NULL and a zeroed report are fine. */
void report_free(report *r);

/*
 * The grouping key of a report, hashed into r->fingerprint by report_parse():
 * the client's "fingerprint" array when given; else, when the report has an
 * exception or frames with functions, the exception type and the function
 * names of the top frames (addresses, offsets and line numbers never count);
 * else the kind and the normalised title (case and runs of white space folded).
 * Exposed for tests. Writes the NUL-terminated hex digest into `hex`.
 */
void report_fingerprint(const report *r, char hex[65]);

/* Parse an RFC 3339 UTC/offset timestamp into seconds since the epoch. 0 or -1. */
int report_parse_time(const char *s, int64_t *out);

#endif
