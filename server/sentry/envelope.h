/* envelope.h - parser of Sentry envelopes (the body of POST /api/<project>/envelope/). */
#ifndef PROSUM_SENTRY_ENVELOPE_H
#define PROSUM_SENTRY_ENVELOPE_H

#include <stddef.h>

#include <jansson.h>

/*
 * An envelope is a line holding the envelope header (a JSON object, possibly `{}`), then
 * items: an item header line (a JSON object with a string "type" and an optional
 * non-negative integer "length"), then the payload. With "length", exactly that many bytes
 * follow, then a `\n` or the end of the envelope; without it the payload runs to the next
 * `\n` or the end. Empty lines where an item header is expected are skipped.
 */
#define SENTRY_ITEMS_MAX 100
#define SENTRY_HEADER_MAX (16 * 1024) /* one header line, its `\n` not counted */

typedef struct sentry_item {
	char type[32];       /* "event", "attachment", "session", ... ("" if absent: refused) */
	const char *payload; /* points into the caller's buffer; not NUL-terminated */
	size_t len;
	json_t *headers; /* owned by the envelope: the item header object */
} sentry_item;

typedef struct sentry_envelope {
	json_t *headers; /* owned: the envelope header (event_id, dsn, sent_at, sdk) */
	sentry_item items[SENTRY_ITEMS_MAX];
	size_t nitems;
} sentry_envelope;

/*
 * Parse `len` bytes (borrowed for the envelope's life). 0, or -1 with `err` saying what
 * and where ("item 2: length 900 runs past the end of the envelope"); items are numbered
 * from 1. At most SENTRY_ITEMS_MAX items, each payload at most `item_max` bytes, each header
 * line at most SENTRY_HEADER_MAX bytes. Item types are not checked against a list: the
 * caller skips the ones it does not know. Allocates nothing but the jansson objects. On
 * success the caller frees `*env` with sentry_envelope_free(); on failure `*env` holds
 * nothing (freeing it is harmless).
 */
int sentry_envelope_parse(sentry_envelope *env, const char *buf, size_t len, size_t item_max,
			  char *err, size_t errlen);

/* Release the headers of `env` (NULL accepted) and leave it empty. */
void sentry_envelope_free(sentry_envelope *env);

#endif
