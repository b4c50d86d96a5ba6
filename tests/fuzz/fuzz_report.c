/* fuzz_report.c - fuzz harness of the report parser and validator, under the server limits. */
#include <string.h>

#include "common/rfc3339.h"
#include "config.h"
#include "fuzz.h"
#include "model/fingerprint.h"
#include "model/report.h"

#define MAX_TITLE 1024 /* a derived title is cut to this many bytes (report.c) */

static const report_limits limits = {PROSUM_MAX_JSON, PROSUM_MAX_FRAMES, PROSUM_MAX_TAGS,
				     PROSUM_MAX_FIELD};

/* Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF)
 * without control characters: what may go straight into a JSON error body. */
static int clean_text(const char *s, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strnlen(s, size), i = 0;

	if (len == size)
		return 0; /* not NUL-terminated inside its array */
	while (i < len) {
		unsigned char c = p[i];
		size_t n;
		unsigned long cp;

		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (len - i < n)
			return 0;
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n;
	}
	return 1;
}

static int is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* A string member of `obj` that the report borrows: absent or the very same string. */
static void check_borrowed(json_t *obj, const char *key, const char *field)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	if (field == NULL)
		FUZZ_CHECK(v == NULL || json_is_null(v));
	else
		FUZZ_CHECK(json_is_string(v) && json_string_value(v) == field);
}

/* What report.h promises about an accepted report. */
static void check_report(const report *r)
{
	static const char form[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	json_t *build, *tester, *platform, *exception;
	char hex[65];
	size_t full;

	FUZZ_CHECK(json_is_object(r->root));
	FUZZ_CHECK(r->uuid != NULL && strlen(r->uuid) == sizeof(form) - 1);
	for (size_t i = 0; i < sizeof(form) - 1; i++)
		FUZZ_CHECK(form[i] == '-' ? r->uuid[i] == '-' : is_lower_hex(r->uuid[i]));
	check_borrowed(r->root, "uuid", r->uuid);
	FUZZ_CHECK(r->kind != NULL);
	FUZZ_CHECK(strcmp(r->kind, "crash") == 0 || strcmp(r->kind, "bug") == 0 ||
		   strcmp(r->kind, "feedback") == 0);
	check_borrowed(r->root, "kind", r->kind);

	build = json_object_get(r->root, "build");
	tester = json_object_get(r->root, "tester");
	platform = json_object_get(r->root, "platform");
	exception = json_object_get(r->root, "exception");
	FUZZ_CHECK(json_is_object(build) && json_is_object(tester));
	FUZZ_CHECK(r->revision != NULL || r->version != NULL);
	FUZZ_CHECK(r->revision == NULL || r->revision[0] != '\0');
	FUZZ_CHECK(r->version == NULL || r->version[0] != '\0');
	check_borrowed(build, "revision", r->revision);
	check_borrowed(build, "version", r->version);
	check_borrowed(build, "channel", r->channel);
	FUZZ_CHECK(r->install_id != NULL && r->install_id[0] != '\0');
	for (const char *p = r->install_id; *p; p++)
		FUZZ_CHECK(*p >= 0x20 && *p <= 0x7e);
	check_borrowed(tester, "install_id", r->install_id);
	check_borrowed(tester, "name", r->tester_name);
	check_borrowed(tester, "email", r->tester_email);
	check_borrowed(json_is_object(platform) ? platform : NULL, "os", r->os);
	check_borrowed(json_is_object(platform) ? platform : NULL, "arch", r->arch);
	check_borrowed(json_is_object(exception) ? exception : NULL, "type", r->exception_type);
	check_borrowed(json_is_object(exception) ? exception : NULL, "value", r->exception_value);
	check_borrowed(r->root, "description", r->description);
	check_borrowed(r->root, "severity", r->severity);
	check_borrowed(r->root, "steps", r->steps);

	/* The title: as sent, or derived from the exception (then owned). */
	FUZZ_CHECK(r->title != NULL && r->title[0] != '\0');
	if (r->title_owned) {
		/* "TYPE: first line of VALUE", or TYPE, cut on a character boundary. */
		size_t tl, el, vl = 0;

		FUZZ_CHECK(r->title == r->title_owned && r->exception_type != NULL);
		tl = strlen(r->title);
		el = strlen(r->exception_type);
		if (r->exception_value)
			vl = strcspn(r->exception_value, "\r\n");
		FUZZ_CHECK(tl <= MAX_TITLE);
		FUZZ_CHECK(memcmp(r->title, r->exception_type, tl < el ? tl : el) == 0);
		if (tl > el) {
			FUZZ_CHECK(vl > 0 && tl >= el + 2 && memcmp(r->title + el, ": ", 2) == 0);
			FUZZ_CHECK(tl - el - 2 <= vl &&
				   memcmp(r->title + el + 2, r->exception_value, tl - el - 2) == 0);
		}
		/* Cut only when too long, and then by less than one character. */
		full = el + (vl ? 2 + vl : 0);
		FUZZ_CHECK(tl == full || (full > MAX_TITLE && tl + 4 > MAX_TITLE));
	} else {
		check_borrowed(r->root, "title", r->title);
	}
	FUZZ_CHECK(r->nframes <= limits.max_frames);
	if (json_object_get(r->root, "timestamp") == NULL)
		FUZZ_CHECK(r->timestamp == 0);

	/* The fingerprint is lower-case hex and the same as recomputing it. */
	FUZZ_CHECK(strlen(r->fingerprint) == 64);
	for (size_t i = 0; i < 64; i++)
		FUZZ_CHECK(is_lower_hex(r->fingerprint[i]));
	report_fingerprint(r, hex);
	FUZZ_CHECK(memcmp(hex, r->fingerprint, sizeof(hex)) == 0);
}

/* What report.h promises about a refusal. */
static void check_error(const report *r, const report_error *err, size_t len)
{
	FUZZ_CHECK(r->root == NULL && r->uuid == NULL && r->kind == NULL && r->title == NULL &&
		   r->title_owned == NULL && r->nframes == 0 && r->fingerprint[0] == '\0');
	FUZZ_CHECK(clean_text(err->code, sizeof(err->code)));
	FUZZ_CHECK(clean_text(err->message, sizeof(err->message)));
	FUZZ_CHECK(clean_text(err->field, sizeof(err->field)));
	FUZZ_CHECK(err->message[0] != '\0');
	switch (err->status) {
	case 400:
		FUZZ_CHECK(strcmp(err->code, "invalid_json") == 0);
		FUZZ_CHECK(strncmp(err->message, "line ", 5) == 0);
		/* only a duplicate key names a field */
		FUZZ_CHECK(err->field[0] == '\0' || strstr(err->message, ": duplicate key \"") != NULL);
		break;
	case 413:
		FUZZ_CHECK(strcmp(err->code, "too_large") == 0 && len > limits.max_json);
		break;
	case 422:
		FUZZ_CHECK(strcmp(err->code, "invalid_report") == 0);
		/* The message starts with the field path when there is one. */
		FUZZ_CHECK(strncmp(err->message, err->field, strlen(err->field)) == 0);
		FUZZ_CHECK(err->field[0] == '\0' || err->message[strlen(err->field)] == ' ');
		break;
	case 500:
		FUZZ_CHECK(strcmp(err->code, "internal_error") == 0);
		break;
	default:
		FUZZ_CHECK(!"a status report.h does not list");
	}
}

/* rfc3339_parse() on the input as a C string: 0 or -1, *out untouched on -1. */
static void check_time(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	int64_t t = 12345;
	int rc;

	FUZZ_CHECK(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	rc = rfc3339_parse(s, &t);
	FUZZ_CHECK(rc == 0 || (rc == -1 && t == 12345));
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	report r;
	report_error err;
	int rc;

	memset(&err, 0x55, sizeof(err));
	rc = report_parse(&r, (const char *)data, size, &limits, &err);
	if (rc == 0) {
		FUZZ_CHECK(err.status == 0 && err.code[0] == '\0' && err.message[0] == '\0' &&
			   err.field[0] == '\0');
		check_report(&r);
	} else {
		FUZZ_CHECK(rc == -1);
		check_error(&r, &err, size);
	}
	report_free(&r);
	report_free(&r); /* a zeroed report is fine */
	report_free(NULL);

	if (size < 64)
		check_time(data, size);
	return 0;
}
