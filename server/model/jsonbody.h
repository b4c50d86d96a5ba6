/* jsonbody.h - one policy for every JSON request body: its syntax first, then what its values may hold. */
#ifndef PROSUM_JSONBODY_H
#define PROSUM_JSONBODY_H

#include <jansson.h>
#include <stddef.h>

typedef struct jsonbody_error {
	int status;        /* 400, 422 or 500; 0 when there is no error */
	char field[128];   /* the member at fault ("frames[0].line"); "" for the document */
	char message[256]; /* for people: names the reason and where, never a library flag */
} jsonbody_error;

/*
 * Parse `len` bytes (json may be NULL when len is 0) as a JSON object.
 * Returns it (new reference), or NULL with *err filled:
 *  - 400: not JSON ("line L, column C: what was wrong"), or nested deeper than
 *    PROSUM_MAX_JSON_DEPTH (config.h), or an object naming the same key twice
 *    ("line L, column C: duplicate key \"k\"", field = the path of that key);
 *  - 422: well-formed, but not an object (42, "x", null, []): "must be an
 *    object"; a number that no field can hold ("is out of range", field =
 *    its path); a string or key holding \u0000 ("must not contain NUL",
 *    field = its path, or that of the object for a key);
 *  - 500: out of memory.
 * The whole document is checked for syntax (RFC 8259, UTF-8 included) before
 * any value is decoded, so a syntax error anywhere wins over a range or NUL
 * error anywhere; among the 422s and duplicate keys, the first in the text
 * wins. Lines are 1-based; columns count characters, 1-based.
 */
json_t *jsonbody_parse(const char *json, size_t len, jsonbody_error *err);

/*
 * The path ("frames[0].line") of the value being read at byte `pos` of a
 * document that is well-formed up to there, into out (NUL-terminated, cut to
 * fit). Keys longer than 47 bytes are cut.
 */
void jsonbody_path_at(const char *json, size_t pos, char *out, size_t outsz);

#endif
