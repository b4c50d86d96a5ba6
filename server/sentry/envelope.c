/* envelope.c - parser of Sentry envelopes: header lines as jansson objects, payloads in place. */
#include "sentry/envelope.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * The line starting at `off`: its length up to the `\n` (or the end) in *linelen, and in
 * *next the offset after its `\n` (or len).
 */
static void take_line(const char *buf, size_t len, size_t off, size_t *linelen, size_t *next)
{
	const char *nl = memchr(buf + off, '\n', len - off);

	if (nl) {
		*linelen = (size_t)(nl - (buf + off));
		*next = *linelen + off + 1;
	} else {
		*linelen = len - off;
		*next = len;
	}
}

/*
 * Parse one header line as a JSON object into *out. `what` names it in messages
 * ("envelope header", "item 3 header").
 */
static int parse_header(json_t **out, const char *line, size_t n, const char *what, char *err,
			size_t errlen)
{
	json_error_t jerr;
	json_t *j;

	*out = NULL;
	if (n > SENTRY_HEADER_MAX)
		return fail(err, errlen, "%s: longer than %d bytes", what, SENTRY_HEADER_MAX);
	j = json_loadb(line, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (j == NULL)
		return fail(err, errlen, "%s: not valid JSON (column %d)", what, jerr.column);
	if (!json_is_object(j)) {
		json_decref(j);
		return fail(err, errlen, "%s: not a JSON object", what);
	}
	*out = j;
	return 0;
}

/* The item's "type" into it->type. */
static int take_type(sentry_item *it, size_t num, char *err, size_t errlen)
{
	json_t *t = json_object_get(it->headers, "type");
	size_t n;

	if (t == NULL)
		return fail(err, errlen, "item %zu: header has no type", num);
	if (!json_is_string(t))
		return fail(err, errlen, "item %zu: type is not a string", num);
	n = json_string_length(t);
	if (n == 0)
		return fail(err, errlen, "item %zu: type is empty", num);
	if (n >= sizeof(it->type))
		return fail(err, errlen, "item %zu: type longer than %zu bytes", num,
			    sizeof(it->type) - 1);
	/* jansson refuses \u0000 unless asked (JSON_ALLOW_NUL), so the string has no NUL. */
	memcpy(it->type, json_string_value(t), n);
	it->type[n] = '\0';
	return 0;
}

int sentry_envelope_parse(sentry_envelope *env, const char *buf, size_t len, size_t item_max,
			  char *err, size_t errlen)
{
	char what[48];
	size_t off = 0, linelen, next, num;
	int rc = -1;

	env->headers = NULL;
	env->nitems = 0;
	if (err && errlen > 0)
		err[0] = '\0';
	if (len == 0) {
		fail(err, errlen, "envelope is empty");
		goto out;
	}
	take_line(buf, len, 0, &linelen, &next);
	if (parse_header(&env->headers, buf, linelen, "envelope header", err, errlen) < 0)
		goto out;
	off = next;

	for (num = 1;; num++) {
		sentry_item *it;
		json_t *jlen;
		size_t plen;

		/* Empty lines between items are not items. */
		while (off < len && buf[off] == '\n')
			off++;
		if (off == len)
			break;
		if (env->nitems == SENTRY_ITEMS_MAX) {
			fail(err, errlen, "item %zu: more than %d items", num, SENTRY_ITEMS_MAX);
			goto out;
		}
		it = &env->items[env->nitems];
		memset(it, 0, sizeof(*it));
		take_line(buf, len, off, &linelen, &next);
		snprintf(what, sizeof(what), "item %zu header", num);
		if (parse_header(&it->headers, buf + off, linelen, what, err, errlen) < 0)
			goto out;
		/* Counted now so a failure below frees this header too. */
		env->nitems++;
		if (take_type(it, num, err, errlen) < 0)
			goto out;
		off = next;

		jlen = json_object_get(it->headers, "length");
		if (jlen != NULL) {
			json_int_t want;

			if (!json_is_integer(jlen)) {
				fail(err, errlen, "item %zu: length is not an integer", num);
				goto out;
			}
			want = json_integer_value(jlen);
			if (want < 0) {
				fail(err, errlen,
				     "item %zu: length %" JSON_INTEGER_FORMAT " is negative", num,
				     want);
				goto out;
			}
			if ((uintmax_t)want > item_max) {
				fail(err, errlen,
				     "item %zu: length %" JSON_INTEGER_FORMAT
				     " exceeds the limit of %zu bytes",
				     num, want, item_max);
				goto out;
			}
			plen = (size_t)want;
			if (plen > len - off) {
				fail(err, errlen,
				     "item %zu: length %zu runs past the end of the envelope", num,
				     plen);
				goto out;
			}
			next = off + plen;
			if (next < len) {
				if (buf[next] != '\n') {
					fail(err, errlen,
					     "item %zu: payload of length %zu is not followed "
					     "by a newline",
					     num, plen);
					goto out;
				}
				next++;
			}
		} else {
			take_line(buf, len, off, &plen, &next);
			if (plen > item_max) {
				fail(err, errlen,
				     "item %zu: payload of %zu bytes exceeds the limit of %zu "
				     "bytes",
				     num, plen, item_max);
				goto out;
			}
		}
		it->payload = buf + off;
		it->len = plen;
		off = next;
	}
	rc = 0;
out:
	if (rc < 0)
		sentry_envelope_free(env);
	return rc;
}

void sentry_envelope_free(sentry_envelope *env)
{
	if (env == NULL)
		return;
	for (size_t i = 0; i < env->nitems; i++) {
		json_decref(env->items[i].headers);
		env->items[i].headers = NULL;
	}
	json_decref(env->headers);
	env->headers = NULL;
	env->nitems = 0;
}
