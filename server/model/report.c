/* report.c - report documents (JSON, version 1) validated; the grouping rule is in fingerprint.c. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "common/rfc3339.h"
#include "config.h"
#include "model/jsonbody.h"
#include "model/fingerprint.h"
#include "common/mail_addr.h"
#include "model/report.h"
#include "common/mail_addr.h"

/*
 * Limits of the format itself (docs/report-format.md). The configurable ones come
 * in report_limits; these are part of the contract and do not change per server.
 */
#define MAX_REVISION 256 /* build.revision, build.version */
#define MAX_LABEL 256    /* build.channel, platform.*, tester.name/email, tag values */
#define MAX_INSTALL_ID 128
#define MAX_TITLE REPORT_MAX_TITLE
#define MAX_SEVERITY 32
#define MAX_TAG_KEY 64
#define MAX_FP_PARTS 16 /* strings in a custom "fingerprint" */
#define MAX_FP_PART 256
#define MAX_LINE 2147483647 /* frames[].line: 0 .. 2^31-1 */

#define PATH_MAX_LEN 256 /* a field path while walking the document; cut beyond */

/* ---- errors ---------------------------------------------------------------------------- */

/*
 * Length of the longest prefix of s[0..len) that is complete, well-formed UTF-8.
 * Used to cut strings that go into error bodies without splitting a character.
 */
static size_t utf8_prefix(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n, k;
		unsigned char c = p[i];

		if (c < 0x80)
			n = 1;
		else if (c >= 0xc2 && c <= 0xdf)
			n = 2;
		else if (c >= 0xe0 && c <= 0xef)
			n = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 4;
		else
			break;
		if (i + n > len)
			break;
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return i;
		}
		/* overlong 3/4-byte forms, surrogates, beyond U+10FFFF */
		if ((c == 0xe0 && p[i + 1] < 0xa0) || (c == 0xed && p[i + 1] > 0x9f) ||
		    (c == 0xf0 && p[i + 1] < 0x90) || (c == 0xf4 && p[i + 1] > 0x8f))
			break;
		i += n;
	}
	return i;
}

/*
 * Make `s` safe to place in a JSON error body and on a terminal: control
 * characters and bytes that are not well-formed UTF-8 become '?'. The parser's
 * error text quotes the input near the error, which may hold exactly those.
 */
static void sanitize_text(char *s)
{
	size_t len = strlen(s), i = 0;

	while (i < len) {
		size_t ok = utf8_prefix(s + i, len - i);

		for (size_t k = i; k < i + ok; k++) {
			if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f)
				s[k] = '?';
		}
		i += ok;
		if (i < len)
			s[i++] = '?';
	}
}

/* Copy `src` into dst[size], cut on a character boundary. */
static void copy_text(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	assert(size > 0);
	if (n >= size)
		n = utf8_prefix(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
	sanitize_text(dst);
}

/*
 * Fill *err and return -1. A non-empty `field` also starts the message, so the
 * message reads on its own ("build.revision must be a string").
 */
__attribute__((format(printf, 5, 6))) static int
fail(report_error *err, int status, const char *code, const char *field, const char *fmt, ...)
{
	char text[sizeof(err->message)];
	size_t n = 0;
	va_list ap;

	err->status = status;
	copy_text(err->code, sizeof(err->code), code);
	copy_text(err->field, sizeof(err->field), field ? field : "");
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (err->field[0]) {
		n = strlen(err->field); /* shorter than message, with room to spare */
		memcpy(err->message, err->field, n);
		err->message[n++] = ' ';
	}
	copy_text(err->message + n, sizeof(err->message) - n, text);
	return -1;
}

static int invalid(report_error *err, const char *field, const char *what)
{
	return fail(err, 422, "invalid_report", field, "%s", what);
}

static int oom(report_error *err)
{
	return fail(err, 500, "internal_error", "", "out of memory");
}

/* ---- typed look-ups ---------------------------------------------------------------------- */

/*
 * Member `key` of `obj`, or NULL when absent. JSON null counts as absent
 * everywhere: serialisers commonly write null for an unset optional field.
 */
static json_t *member(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

/*
 * A string member. Absent: 0 with *out = NULL, or a refusal when `required`.
 * Present: must be a string of at most `max` bytes, and non-empty when
 * `required` (a required string that is empty says nothing).
 */
static int get_string(report_error *err, const json_t *obj, const char *key, const char *field,
		      int required, size_t max, const char **out)
{
	json_t *v = member(obj, key);

	*out = NULL;
	if (!v)
		return required ? invalid(err, field, "is required") : 0;
	if (!json_is_string(v))
		return invalid(err, field, "must be a string");
	if (json_string_length(v) > max)
		return fail(err, 422, "invalid_report", field, "must be at most %zu bytes", max);
	if (required && json_string_length(v) == 0)
		return invalid(err, field, "must not be empty");
	*out = json_string_value(v);
	return 0;
}

/* An object member; absent is 0 with *out = NULL, or a refusal when `required`. */
static int get_object(report_error *err, const json_t *obj, const char *key, int required,
		      json_t **out)
{
	json_t *v = member(obj, key);

	*out = NULL;
	if (!v)
		return required ? invalid(err, key, "is required") : 0;
	if (!json_is_object(v))
		return invalid(err, key, "must be an object");
	*out = v;
	return 0;
}

/* ---- field rules ------------------------------------------------------------------------- */

static int is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* uuid: 8-4-4-4-12 hex digits in any case; written back into root in lower case. */
static int check_uuid(report_error *err, report *r)
{
	static const char form[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	char canon[sizeof(form)];
	json_t *v = member(r->root, "uuid");
	const char *s;

	if (!v)
		return invalid(err, "uuid", "is required");
	if (!json_is_string(v))
		return invalid(err, "uuid", "must be a string");
	s = json_string_value(v);
	if (json_string_length(v) != sizeof(form) - 1)
		return invalid(err, "uuid", "must be a UUID (8-4-4-4-12 hex digits)");
	for (size_t i = 0; i < sizeof(form) - 1; i++) {
		if (form[i] == '-' ? s[i] != '-' : !is_hex((unsigned char)s[i]))
			return invalid(err, "uuid", "must be a UUID (8-4-4-4-12 hex digits)");
		canon[i] = (char)to_lower((unsigned char)s[i]);
	}
	canon[sizeof(form) - 1] = '\0';
	if (strcmp(s, canon) != 0) {
		if (json_string_set(v, canon) < 0)
			return oom(err);
		r->raw = NULL; /* the text as sent no longer matches the document */
	}
	r->uuid = json_string_value(v);
	return 0;
}

static int check_kind(report_error *err, report *r)
{
	static const char *const kinds[] = {"crash", "bug", "feedback"};
	json_t *v = member(r->root, "kind");

	if (!v)
		return invalid(err, "kind", "is required");
	if (!json_is_string(v))
		return invalid(err, "kind", "must be a string");
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(json_string_value(v), kinds[i]) == 0) {
			r->kind = json_string_value(v);
			return 0;
		}
	}
	return invalid(err, "kind", "must be one of crash, bug, feedback");
}

/* build: an object with a non-empty revision or version (or both), and an optional channel. */
static int check_build(report_error *err, report *r)
{
	json_t *b;

	if (get_object(err, r->root, "build", 1, &b) < 0)
		return -1;
	if (get_string(err, b, "revision", "build.revision", 0, MAX_REVISION, &r->revision) < 0 ||
	    get_string(err, b, "version", "build.version", 0, MAX_REVISION, &r->version) < 0 ||
	    get_string(err, b, "channel", "build.channel", 0, MAX_LABEL, &r->channel) < 0)
		return -1;
	if (r->revision && !r->revision[0])
		return invalid(err, "build.revision", "must not be empty");
	if (r->version && !r->version[0])
		return invalid(err, "build.version", "must not be empty");
	if (!r->revision && !r->version)
		return invalid(err, "build", "needs a revision or a version");
	return 0;
}

/* tester: install_id is required, printable ASCII (the client makes it a UUID). */
static int check_tester(report_error *err, report *r)
{
	json_t *t;

	if (get_object(err, r->root, "tester", 1, &t) < 0)
		return -1;
	if (get_string(err, t, "install_id", "tester.install_id", 1, MAX_INSTALL_ID,
		       &r->install_id) < 0)
		return -1;
	for (const unsigned char *p = (const unsigned char *)r->install_id; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return invalid(err, "tester.install_id", "must be printable ASCII");
	}
	if (get_string(err, t, "name", "tester.name", 0, MAX_LABEL, &r->tester_name) < 0 ||
	    get_string(err, t, "email", "tester.email", 0, MAX_LABEL, &r->tester_email) < 0)
		return -1;
	/* tester.notify: the tester asks to be mailed at tester.email (docs/notifications.md). */
	t = json_object_get(t, "notify");
	if (t && !json_is_boolean(t))
		return invalid(err, "tester.notify", "must be true or false");
	r->tester_notify = json_is_true(t);
	if (r->tester_notify && (!r->tester_email || !mail_address_ok(r->tester_email)))
		return invalid(err, "tester.email",
			       "with tester.notify true: an e-mail address such as ada@example.com");
	return 0;
}

static int all_space(const char *s)
{
	for (; *s; s++) {
		if (*s != ' ' && (*s < '\t' || *s > '\r'))
			return 0;
	}
	return 1;
}

/* title is required unless an exception (with a type) is given; then it may be derived. */
static int check_title(report_error *err, report *r)
{
	json_t *ex;

	if (get_object(err, r->root, "exception", 0, &ex) < 0)
		return -1;
	if (ex) {
		if (get_string(err, ex, "type", "exception.type", 1, MAX_LABEL,
			       &r->exception_type) < 0 ||
		    get_string(err, ex, "value", "exception.value", 0, SIZE_MAX,
			       &r->exception_value) < 0)
			return -1;
	}
	if (r->exception_type && all_space(r->exception_type))
		return invalid(err, "exception.type", "must not be empty");
	if (!member(r->root, "title") && !ex)
		return invalid(err, "title", "is required unless an exception is given");
	if (get_string(err, r->root, "title", "title", 0, MAX_TITLE, &r->title) < 0)
		return -1;
	if (r->title && all_space(r->title))
		return invalid(err, "title", "must not be empty");
	return 0;
}

static int check_timestamp(report_error *err, report *r)
{
	const char *s;

	if (get_string(err, r->root, "timestamp", "timestamp", 0, SIZE_MAX, &s) < 0)
		return -1;
	if (s && rfc3339_parse(s, &r->timestamp) < 0)
		return invalid(err, "timestamp",
			       "must be an RFC 3339 time such as 2026-11-20T10:15:00Z");
	return 0;
}

/* Free text is limited only by max_field, like any string. */
static int check_texts(report_error *err, report *r)
{
	if (get_string(err, r->root, "description", "description", 0, SIZE_MAX, &r->description) <
	    0)
		return -1;
	if (get_string(err, r->root, "steps", "steps", 0, SIZE_MAX, &r->steps) < 0)
		return -1;
	return get_string(err, r->root, "severity", "severity", 0, MAX_SEVERITY, &r->severity);
}

static int check_platform(report_error *err, report *r)
{
	const char *os_version;
	json_t *p;

	if (get_object(err, r->root, "platform", 0, &p) < 0)
		return -1;
	if (!p)
		return 0;
	if (get_string(err, p, "os", "platform.os", 0, MAX_LABEL, &r->os) < 0)
		return -1;
	if (get_string(err, p, "os_version", "platform.os_version", 0, MAX_LABEL, &os_version) < 0)
		return -1;
	return get_string(err, p, "arch", "platform.arch", 0, MAX_LABEL, &r->arch);
}

static int check_frames(report_error *err, const report_limits *lim, report *r)
{
	static const char *const strings[] = {"function", "file", "module", "address"};
	char field[64];
	json_t *frames = member(r->root, "frames"), *f, *line;
	const char *s;
	size_t i;

	if (!frames)
		return 0;
	if (!json_is_array(frames))
		return invalid(err, "frames", "must be an array");
	if (json_array_size(frames) > lim->max_frames)
		return fail(err, 422, "invalid_report", "frames", "must hold at most %zu frames",
			    lim->max_frames);
	json_array_foreach(frames, i, f)
	{
		snprintf(field, sizeof(field), "frames[%zu]", i);
		if (!json_is_object(f))
			return invalid(err, field, "must be an object");
		for (size_t k = 0; k < sizeof(strings) / sizeof(strings[0]); k++) {
			snprintf(field, sizeof(field), "frames[%zu].%s", i, strings[k]);
			if (get_string(err, f, strings[k], field, 0, SIZE_MAX, &s) < 0)
				return -1;
		}
		line = member(f, "line");
		snprintf(field, sizeof(field), "frames[%zu].line", i);
		if (line && (!json_is_integer(line) || json_integer_value(line) < 0 ||
			     json_integer_value(line) > MAX_LINE))
			return invalid(err, field, "must be an integer from 0 to 2147483647");
	}
	r->nframes = json_array_size(frames);
	return 0;
}

static int check_fingerprint(report_error *err, report *r)
{
	char field[48];
	json_t *fp = member(r->root, "fingerprint"), *v;
	size_t i;

	if (!fp)
		return 0;
	if (!json_is_array(fp) || json_array_size(fp) < 1 || json_array_size(fp) > MAX_FP_PARTS)
		return invalid(err, "fingerprint", "must be an array of 1 to 16 strings");
	json_array_foreach(fp, i, v)
	{
		snprintf(field, sizeof(field), "fingerprint[%zu]", i);
		if (!json_is_string(v))
			return invalid(err, field, "must be a string");
		if (json_string_length(v) == 0)
			return invalid(err, field, "must not be empty");
		if (json_string_length(v) > MAX_FP_PART)
			return fail(err, 422, "invalid_report", field, "must be at most %d bytes",
				    MAX_FP_PART);
	}
	return 0;
}

static int check_tags(report_error *err, const report_limits *lim, report *r)
{
	char field[sizeof("tags.") + MAX_TAG_KEY];
	json_t *tags, *v;
	const char *key;

	if (get_object(err, r->root, "tags", 0, &tags) < 0)
		return -1;
	if (!tags)
		return 0;
	if (json_object_size(tags) > lim->max_tags)
		return fail(err, 422, "invalid_report", "tags", "must hold at most %zu tags",
			    lim->max_tags);
	json_object_foreach(tags, key, v)
	{
		size_t n = strlen(key);

		if (n < 1 || n > MAX_TAG_KEY)
			return fail(err, 422, "invalid_report", "tags",
				    "must have names of 1 to %d bytes", MAX_TAG_KEY);
		snprintf(field, sizeof(field), "tags.%s", key);
		if (!json_is_string(v))
			return invalid(err, field, "must be a string");
		if (json_string_length(v) > MAX_LABEL)
			return fail(err, 422, "invalid_report", field, "must be at most %d bytes",
				    MAX_LABEL);
	}
	return 0;
}

/* ---- every string, known or not ---------------------------------------------------------- */

/* A field path being built while walking; cut (on a character boundary) when too long. */
typedef struct path {
	char s[PATH_MAX_LEN];
	size_t len;
} path;

/* Append ".key" (or "key" at the top) or "[i]"; returns the length to restore. */
static size_t path_push(path *p, const char *key, size_t index)
{
	size_t old = p->len;
	char part[32];
	const char *add = part;
	size_t n;

	if (key) {
		if (p->len > 0 && p->len < sizeof(p->s) - 1)
			p->s[p->len++] = '.';
		add = key;
	} else {
		snprintf(part, sizeof(part), "[%zu]", index);
	}
	n = strlen(add);
	if (n > sizeof(p->s) - 1 - p->len)
		n = utf8_prefix(add, sizeof(p->s) - 1 - p->len);
	memcpy(p->s + p->len, add, n);
	p->len += n;
	p->s[p->len] = '\0';
	return old;
}

static void path_pop(path *p, size_t len)
{
	p->len = len;
	p->s[len] = '\0';
}

/*
 * Every string value and every object key anywhere in the document, unknown
 * fields included, is at most max_field bytes. Recursion is bounded: the
 * document was refused before parsing when nested deeper than
 * PROSUM_MAX_JSON_DEPTH.
 */
static int check_strings(report_error *err, const report_limits *lim, json_t *v, path *p)
{
	const char *key;
	json_t *child;
	size_t i, old;
	int rc = 0;

	if (json_is_string(v)) {
		if (json_string_length(v) > lim->max_field)
			return fail(err, 422, "invalid_report", p->s, "must be at most %zu bytes",
				    lim->max_field);
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, child)
		{
			if (strlen(key) > lim->max_field)
				return fail(err, 422, "invalid_report", p->s,
					    "has a member name longer than %zu bytes",
					    lim->max_field);
			old = path_push(p, key, 0);
			rc = check_strings(err, lim, child, p);
			path_pop(p, old);
			if (rc < 0)
				return rc;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child)
		{
			old = path_push(p, NULL, i);
			rc = check_strings(err, lim, child, p);
			path_pop(p, old);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* ---- derived title ----------------------------------------------------------------------- */

/*
 * "TYPE: VALUE", or TYPE when there is no value. Only the first line of the
 * value is used, and the result is cut to MAX_TITLE bytes on a character
 * boundary.
 */
static int derive_title(report_error *err, report *r)
{
	size_t tlen = strlen(r->exception_type), vlen = 0, n;
	char *t;

	if (r->exception_value)
		vlen = strcspn(r->exception_value, "\r\n");
	n = tlen + (vlen ? 2 + vlen : 0);
	t = malloc(n + 1);
	if (!t)
		return oom(err);
	memcpy(t, r->exception_type, tlen);
	if (vlen) {
		memcpy(t + tlen, ": ", 2);
		memcpy(t + tlen + 2, r->exception_value, vlen);
	}
	if (n > MAX_TITLE)
		n = utf8_prefix(t, MAX_TITLE);
	t[n] = '\0';
	r->title_owned = t;
	r->title = t;
	return 0;
}

/* ---- report_parse ------------------------------------------------------------------------ */

int report_parse(report *out, const char *json, size_t len, const report_limits *lim,
		 report_error *err)
{
	jsonbody_error jerr;
	report r;
	path p;
	int rc = -1;

	assert(out && lim && err);
	assert(json || len == 0);
	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));

	if (len > lim->max_json) {
		fail(err, 413, "too_large", "", "the report is larger than %zu bytes",
		     lim->max_json);
		goto out;
	}
	/* The one policy of every JSON body (jsonbody.h); strings then hold no NUL and are
	 * C strings, so borrowing them is safe. */
	r.root = jsonbody_parse(json, len, &jerr);
	r.raw = json;
	r.raw_len = len;
	if (!r.root) {
		if (jerr.status == 500)
			oom(err);
		else if (jerr.status == 422 && !jerr.field[0])
			fail(err, 422, "invalid_report", "", "the report %s", jerr.message);
		else if (jerr.status == 422)
			fail(err, 422, "invalid_report", jerr.field, "%s", jerr.message);
		else {
			/* the message starts with the position; the field (a duplicate key's) is apart */
			fail(err, 400, "invalid_json", "", "%s", jerr.message);
			copy_text(err->field, sizeof(err->field), jerr.field);
		}
		goto out;
	}
	if (check_uuid(err, &r) < 0 || check_kind(err, &r) < 0 || check_build(err, &r) < 0 ||
	    check_tester(err, &r) < 0 || check_title(err, &r) < 0 || check_timestamp(err, &r) < 0)
		goto out;
	if (check_texts(err, &r) < 0)
		goto out;
	if (check_platform(err, &r) < 0 || check_frames(err, lim, &r) < 0 ||
	    check_fingerprint(err, &r) < 0 || check_tags(err, lim, &r) < 0)
		goto out;
	p.len = 0;
	p.s[0] = '\0';
	if (check_strings(err, lim, r.root, &p) < 0)
		goto out;
	if (!r.title && derive_title(err, &r) < 0)
		goto out;
#ifndef PROSUM_OMIT_GROUPING
	report_fingerprint(&r, r.fingerprint);
#endif
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
out:
	report_free(&r);
	return rc;
}

void report_free(report *r)
{
	if (!r)
		return;
	json_decref(r->root);
	free(r->title_owned);
	memset(r, 0, sizeof(*r));
}
