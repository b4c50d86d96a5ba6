/* test_report.c - report documents: good ones, tables of hostile ones, fingerprints, times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/rfc3339.h"
#include "model/fingerprint.h"
#include "model/report.h"

static const report_limits limits = {
	.max_json = 256 * 1024,
	.max_frames = 256,
	.max_tags = 64,
	.max_field = 16384,
};

#define UUID "5b0e7c3a-8f0e-4a53-9a52-2c4f8e0b6a11"

static const char minimal_doc[] =
	"{\"uuid\":\"" UUID "\",\"kind\":\"bug\",\"title\":\"Save button does nothing\","
	"\"build\":{\"version\":\"1.4.0-beta.2\"},\"tester\":{\"install_id\":\"i-1\"}}";

/* The documented example, with four frames and some fields the format does not know. */
static const char full_doc[] =
	"{\n"
	"  \"uuid\": \"" UUID "\",\n"
	"  \"kind\": \"crash\",\n"
	"  \"title\": \"Crash when opening a PNG with an empty palette\",\n"
	"  \"description\": \"free text\",\n"
	"  \"severity\": \"major\",\n"
	"  \"timestamp\": \"2026-11-20T10:15:00Z\",\n"
	"  \"build\": {\"version\": \"1.4.0-beta.2\", \"revision\": \"abc1234\", \"channel\": "
	"\"beta\"},\n"
	"  \"platform\": {\"os\": \"Linux\", \"os_version\": \"6.1\", \"arch\": \"x86_64\"},\n"
	"  \"tester\": {\"install_id\": \"1f6e\", \"name\": \"Ada\",\n"
	"             \"email\": \"ada@example.org\"},\n"
	"  \"exception\": {\"type\": \"SIGSEGV\", \"value\": \"invalid read at 0x0\"},\n"
	"  \"frames\": [\n"
	"    {\"function\": \"png_read_palette\", \"file\": \"src/png.c\", \"line\": 120, "
	"\"module\": \"viewer\", \"address\": \"0x4011d6\", \"in_app\": true},\n"
	"    {\"function\": \"png_read\", \"file\": \"src/png.c\", \"line\": 80},\n"
	"    {\"function\": \"load_image\", \"line\": 0},\n"
	"    {\"function\": \"main\", \"line\": 2147483647}\n"
	"  ],\n"
	"  \"fingerprint\": [\"optional\", \"custom\", \"grouping\"],\n"
	"  \"tags\": {\"gpu\": \"intel\"},\n"
	"  \"steps\": \"1. open file 2. crash\",\n"
	"  \"extra\": {\"nested\": [1, 2, {\"deep\": null}]},\n"
	"  \"version\": 1\n"
	"}\n";

static int parse_text(report *r, const char *text, report_error *err)
{
	return report_parse(r, text, strlen(text), &limits, err);
}

static int valid_utf8(const char *s)
{
	json_t *v = json_string(s);
	int ok = v != NULL;

	json_decref(v);
	return ok;
}

static void assert_hex64(const char *s)
{
	assert_int_equal(strlen(s), 64);
	for (const char *p = s; *p; p++)
		assert_non_null(strchr("0123456789abcdef", *p));
}

/* ---- good documents --------------------------------------------------------------------- */

static void test_minimal(void **state)
{
	report_error err;
	report r;

	assert_int_equal(parse_text(&r, minimal_doc, &err), 0);
	assert_int_equal(err.status, 0);
	assert_non_null(r.root);
	assert_string_equal(r.uuid, UUID);
	assert_string_equal(r.kind, "bug");
	assert_string_equal(r.title, "Save button does nothing");
	assert_string_equal(r.version, "1.4.0-beta.2");
	assert_string_equal(r.install_id, "i-1");
	assert_null(r.description);
	assert_null(r.severity);
	assert_null(r.steps);
	assert_null(r.revision);
	assert_null(r.channel);
	assert_null(r.tester_name);
	assert_null(r.tester_email);
	assert_null(r.os);
	assert_null(r.arch);
	assert_null(r.exception_type);
	assert_null(r.exception_value);
	assert_null(r.title_owned);
	assert_int_equal(r.nframes, 0);
	assert_int_equal(r.timestamp, 0);
	assert_hex64(r.fingerprint);
	/* borrowed pointers point into root */
	assert_ptr_equal(r.title, json_string_value(json_object_get(r.root, "title")));
	report_free(&r);
	assert_null(r.root);
	report_free(&r);
}

static void test_full(void **state)
{
	report_error err;
	report r;
	json_t *extra;

	assert_int_equal(parse_text(&r, full_doc, &err), 0);
	assert_string_equal(r.uuid, UUID);
	assert_string_equal(r.kind, "crash");
	assert_string_equal(r.title, "Crash when opening a PNG with an empty palette");
	assert_string_equal(r.description, "free text");
	assert_string_equal(r.severity, "major");
	assert_string_equal(r.steps, "1. open file 2. crash");
	assert_string_equal(r.version, "1.4.0-beta.2");
	assert_string_equal(r.revision, "abc1234");
	assert_string_equal(r.channel, "beta");
	assert_string_equal(r.install_id, "1f6e");
	assert_string_equal(r.tester_name, "Ada");
	assert_string_equal(r.tester_email, "ada@example.org");
	assert_string_equal(r.os, "Linux");
	assert_string_equal(r.arch, "x86_64");
	assert_string_equal(r.exception_type, "SIGSEGV");
	assert_string_equal(r.exception_value, "invalid read at 0x0");
	assert_int_equal(r.nframes, 4);
	assert_int_equal(r.timestamp, 1795169700);
	assert_null(r.title_owned);
	assert_hex64(r.fingerprint);

	/* unknown fields are kept, at the top and inside known objects */
	extra = json_object_get(r.root, "extra");
	assert_true(json_is_object(extra));
	assert_int_equal(json_array_size(json_object_get(extra, "nested")), 3);
	assert_int_equal(json_integer_value(json_object_get(r.root, "version")), 1);
	assert_true(json_is_true(
		json_object_get(json_array_get(json_object_get(r.root, "frames"), 0), "in_app")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.root, "platform"),
							      "os_version")),
			    "6.1");
	report_free(&r);
}

static void test_uuid_canonical(void **state)
{
	static const char doc[] =
		"{\"uuid\":\"5B0E7C3A-8F0E-4A53-9a52-2C4F8E0B6A11\",\"kind\":\"feedback\","
		"\"title\":\"t\",\"build\":{\"revision\":\"abc\"},"
		"\"tester\":{\"install_id\":\"x\"}}";
	report_error err;
	report r;
	char *dump;

	assert_int_equal(parse_text(&r, doc, &err), 0);
	assert_string_equal(r.uuid, UUID);
	assert_ptr_equal(r.uuid, json_string_value(json_object_get(r.root, "uuid")));
	dump = json_dumps(r.root, JSON_COMPACT);
	assert_non_null(strstr(dump, "\"" UUID "\""));
	free(dump);
	report_free(&r);
}

static void test_nulls_are_absent(void **state)
{
	static const char doc[] =
		"{\"uuid\":\"" UUID "\",\"kind\":\"bug\",\"title\":\"t\",\"description\":null,"
		"\"severity\":null,\"timestamp\":null,\"platform\":null,\"frames\":null,"
		"\"exception\":null,\"tags\":null,\"fingerprint\":null,"
		"\"build\":{\"version\":\"1\",\"revision\":null},"
		"\"tester\":{\"install_id\":\"x\",\"name\":null}}";
	report_error err;
	report r;

	assert_int_equal(parse_text(&r, doc, &err), 0);
	assert_null(r.description);
	assert_null(r.revision);
	assert_null(r.tester_name);
	assert_int_equal(r.timestamp, 0);
	assert_int_equal(r.nframes, 0);
	report_free(&r);
}

/* ---- documents changed one field at a time ---------------------------------------------- */

/*
 * A value written in a table: JSON text, or a generator for large values:
 *   "@S:n"  a string of n bytes            "@A:n"  an array of n short strings
 *   "@F:n"  an array of n frames           "@T:n"  an object of n tags
 *   "@K:n"  an object with one n-byte name
 */
static json_t *make_value(const char *spec)
{
	json_error_t jerr;
	json_t *v;
	char *s, name[32];
	long n;

	if (spec[0] != '@')
		return json_loads(spec, JSON_DECODE_ANY, &jerr);
	n = strtol(spec + 3, NULL, 10);
	switch (spec[1]) {
	case 'S':
		s = malloc((size_t)n + 1);
		assert_non_null(s);
		memset(s, 'a', (size_t)n);
		s[n] = '\0';
		v = json_string(s);
		free(s);
		return v;
	case 'K':
		s = malloc((size_t)n + 1);
		assert_non_null(s);
		memset(s, 'k', (size_t)n);
		s[n] = '\0';
		v = json_pack("{s:s}", s, "v");
		free(s);
		return v;
	case 'A':
		v = json_array();
		for (long i = 0; i < n; i++)
			json_array_append_new(v, json_string("part"));
		return v;
	case 'F':
		v = json_array();
		for (long i = 0; i < n; i++)
			json_array_append_new(v, json_pack("{s:s,s:i}", "function", "f", "line",
							   (int)i));
		return v;
	case 'T':
		v = json_object();
		for (long i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "tag%ld", i);
			json_object_set_new(v, name, json_string("v"));
		}
		return v;
	}
	return NULL;
}

/*
 * Set (value) or delete (NULL) the member at `path` of the document `base` and
 * parse the result. Paths are dotted; numbers index arrays ("frames.3.line").
 */
static int parse_changed(report *r, const char *base, const char *path, const char *value,
			 const report_limits *lim, report_error *err)
{
	char buf[256], *tok, *next;
	json_error_t jerr;
	json_t *root, *cur;
	char *text;
	int rc;

	root = json_loads(base, 0, &jerr);
	assert_non_null(root);
	snprintf(buf, sizeof(buf), "%s", path);
	cur = root;
	tok = buf;
	for (;;) {
		next = strchr(tok, '.');
		if (next)
			*next = '\0';
		if (!next)
			break;
		cur = json_is_array(cur) ? json_array_get(cur, (size_t)strtol(tok, NULL, 10))
					 : json_object_get(cur, tok);
		assert_non_null(cur);
		tok = next + 1;
	}
	if (json_is_array(cur)) {
		size_t i = (size_t)strtol(tok, NULL, 10);

		if (value)
			assert_int_equal(json_array_set_new(cur, i, make_value(value)), 0);
		else
			assert_int_equal(json_array_remove(cur, i), 0);
	} else if (value) {
		assert_int_equal(json_object_set_new(cur, tok, make_value(value)), 0);
	} else {
		json_object_del(cur, tok);
	}
	text = json_dumps(root, JSON_COMPACT);
	assert_non_null(text);
	rc = report_parse(r, text, strlen(text), lim, err);
	free(text);
	json_decref(root);
	return rc;
}

typedef struct refusal {
	const char *base;
	const char *path;
	const char *value; /* NULL: delete the member */
	const char *field;
	const char *message;
} refusal;

#define NO_EXC "exception" /* with full_doc: delete the exception, then the title */

static const refusal refusals[] = {
	/* required fields */
	{minimal_doc, "uuid", NULL, "uuid", "uuid is required"},
	{minimal_doc, "uuid", "null", "uuid", "uuid is required"},
	{minimal_doc, "kind", NULL, "kind", "kind is required"},
	{minimal_doc, "build", NULL, "build", "build is required"},
	{minimal_doc, "build.version", NULL, "build", "build needs a revision or a version"},
	{minimal_doc, "tester", NULL, "tester", "tester is required"},
	{minimal_doc, "tester.install_id", NULL, "tester.install_id",
	 "tester.install_id is required"},
	{minimal_doc, "title", NULL, "title", "title is required unless an exception is given"},
	{minimal_doc, "exception", "{}", "exception.type", "exception.type is required"},
	/* uuid */
	{minimal_doc, "uuid", "5", "uuid", "uuid must be a string"},
	{minimal_doc, "uuid", "\"\"", "uuid", "uuid must be a UUID (8-4-4-4-12 hex digits)"},
	{minimal_doc, "uuid", "\"5b0e7c3a8f0e4a539a522c4f8e0b6a11\"", "uuid",
	 "uuid must be a UUID (8-4-4-4-12 hex digits)"},
	{minimal_doc, "uuid", "\"{5b0e7c3a-8f0e-4a53-9a52-2c4f8e0b6a11}\"", "uuid",
	 "uuid must be a UUID (8-4-4-4-12 hex digits)"},
	{minimal_doc, "uuid", "\"5b0e7c3a-8f0e-4a53-9a52-2c4f8e0b6a1g\"", "uuid",
	 "uuid must be a UUID (8-4-4-4-12 hex digits)"},
	{minimal_doc, "uuid", "\"5b0e7c3a-8f0e4-a53-9a52-2c4f8e0b6a11\"", "uuid",
	 "uuid must be a UUID (8-4-4-4-12 hex digits)"},
	{minimal_doc, "uuid", "@S:100000", "uuid",
	 "uuid must be a UUID (8-4-4-4-12 hex digits)"},
	/* kind */
	{minimal_doc, "kind", "1", "kind", "kind must be a string"},
	{minimal_doc, "kind", "\"Crash\"", "kind", "kind must be one of crash, bug, feedback"},
	{minimal_doc, "kind", "\"\"", "kind", "kind must be one of crash, bug, feedback"},
	{minimal_doc, "kind", "\"suggestion\"", "kind", "kind must be one of crash, bug, feedback"},
	/* build */
	{minimal_doc, "build", "\"1.0\"", "build", "build must be an object"},
	{minimal_doc, "build", "[]", "build", "build must be an object"},
	{minimal_doc, "build", "{}", "build", "build needs a revision or a version"},
	{minimal_doc, "build.revision", "1", "build.revision", "build.revision must be a string"},
	{minimal_doc, "build.revision", "\"\"", "build.revision",
	 "build.revision must not be empty"},
	{minimal_doc, "build.revision", "@S:257", "build.revision",
	 "build.revision must be at most 256 bytes"},
	{minimal_doc, "build.version", "[\"1\"]", "build.version",
	 "build.version must be a string"},
	{minimal_doc, "build.version", "\"\"", "build.version", "build.version must not be empty"},
	{minimal_doc, "build.version", "@S:257", "build.version",
	 "build.version must be at most 256 bytes"},
	{minimal_doc, "build.channel", "3", "build.channel", "build.channel must be a string"},
	{minimal_doc, "build.channel", "@S:257", "build.channel",
	 "build.channel must be at most 256 bytes"},
	/* tester */
	{minimal_doc, "tester", "\"me\"", "tester", "tester must be an object"},
	{minimal_doc, "tester.install_id", "5", "tester.install_id",
	 "tester.install_id must be a string"},
	{minimal_doc, "tester.install_id", "\"\"", "tester.install_id",
	 "tester.install_id must not be empty"},
	{minimal_doc, "tester.install_id", "@S:129", "tester.install_id",
	 "tester.install_id must be at most 128 bytes"},
	{minimal_doc, "tester.install_id", "\"caf\\u00e9\"", "tester.install_id",
	 "tester.install_id must be printable ASCII"},
	{minimal_doc, "tester.install_id", "\"a\\tb\"", "tester.install_id",
	 "tester.install_id must be printable ASCII"},
	{minimal_doc, "tester.install_id", "\"a\\u007fb\"", "tester.install_id",
	 "tester.install_id must be printable ASCII"},
	{minimal_doc, "tester.name", "1", "tester.name", "tester.name must be a string"},
	{minimal_doc, "tester.name", "@S:257", "tester.name",
	 "tester.name must be at most 256 bytes"},
	{minimal_doc, "tester.email", "{}", "tester.email", "tester.email must be a string"},
	{minimal_doc, "tester.email", "@S:257", "tester.email",
	 "tester.email must be at most 256 bytes"},
	/* title, exception */
	{minimal_doc, "title", "1", "title", "title must be a string"},
	{minimal_doc, "title", "\"\"", "title", "title must not be empty"},
	{minimal_doc, "title", "\" \\t\\n \"", "title", "title must not be empty"},
	{minimal_doc, "title", "@S:1025", "title", "title must be at most 1024 bytes"},
	{full_doc, "title", "false", "title", "title must be a string"},
	{minimal_doc, "exception", "\"boom\"", "exception", "exception must be an object"},
	{minimal_doc, "exception", "{\"type\":1}", "exception.type",
	 "exception.type must be a string"},
	{minimal_doc, "exception", "{\"type\":\"\"}", "exception.type",
	 "exception.type must not be empty"},
	{minimal_doc, "exception", "{\"type\":\" \"}", "exception.type",
	 "exception.type must not be empty"},
	{minimal_doc, "exception", "{\"type\":\"E\",\"value\":7}", "exception.value",
	 "exception.value must be a string"},
	{full_doc, "exception.type", "@S:257", "exception.type",
	 "exception.type must be at most 256 bytes"},
	/* other optional strings */
	{minimal_doc, "description", "1", "description", "description must be a string"},
	{minimal_doc, "steps", "true", "steps", "steps must be a string"},
	{minimal_doc, "severity", "3", "severity", "severity must be a string"},
	{minimal_doc, "severity", "@S:33", "severity", "severity must be at most 32 bytes"},
	{minimal_doc, "timestamp", "1795169700", "timestamp", "timestamp must be a string"},
	{minimal_doc, "timestamp", "\"yesterday\"", "timestamp",
	 "timestamp must be an RFC 3339 time such as 2026-11-20T10:15:00Z"},
	{minimal_doc, "timestamp", "\"2026-02-30T10:15:00Z\"", "timestamp",
	 "timestamp must be an RFC 3339 time such as 2026-11-20T10:15:00Z"},
	/* platform */
	{minimal_doc, "platform", "\"Linux\"", "platform", "platform must be an object"},
	{full_doc, "platform.os", "1", "platform.os", "platform.os must be a string"},
	{full_doc, "platform.os_version", "6.1", "platform.os_version",
	 "platform.os_version must be a string"},
	{full_doc, "platform.arch", "[]", "platform.arch", "platform.arch must be a string"},
	{full_doc, "platform.arch", "@S:257", "platform.arch",
	 "platform.arch must be at most 256 bytes"},
	/* frames */
	{full_doc, "frames", "{}", "frames", "frames must be an array"},
	{full_doc, "frames", "@F:257", "frames", "frames must hold at most 256 frames"},
	{full_doc, "frames.0", "\"main\"", "frames[0]", "frames[0] must be an object"},
	{full_doc, "frames.3.line", "\"12\"", "frames[3].line",
	 "frames[3].line must be an integer from 0 to 2147483647"},
	{full_doc, "frames.3.line", "-1", "frames[3].line",
	 "frames[3].line must be an integer from 0 to 2147483647"},
	{full_doc, "frames.3.line", "2147483648", "frames[3].line",
	 "frames[3].line must be an integer from 0 to 2147483647"},
	{full_doc, "frames.3.line", "12.0", "frames[3].line",
	 "frames[3].line must be an integer from 0 to 2147483647"},
	{full_doc, "frames.2.line", "true", "frames[2].line",
	 "frames[2].line must be an integer from 0 to 2147483647"},
	{full_doc, "frames.1.function", "5", "frames[1].function",
	 "frames[1].function must be a string"},
	{full_doc, "frames.2.file", "[]", "frames[2].file", "frames[2].file must be a string"},
	{full_doc, "frames.0.module", "{}", "frames[0].module",
	 "frames[0].module must be a string"},
	{full_doc, "frames.0.address", "4198870", "frames[0].address",
	 "frames[0].address must be a string"},
	/* fingerprint */
	{full_doc, "fingerprint", "\"abc\"", "fingerprint",
	 "fingerprint must be an array of 1 to 16 strings"},
	{full_doc, "fingerprint", "[]", "fingerprint",
	 "fingerprint must be an array of 1 to 16 strings"},
	{full_doc, "fingerprint", "@A:17", "fingerprint",
	 "fingerprint must be an array of 1 to 16 strings"},
	{full_doc, "fingerprint.1", "2", "fingerprint[1]", "fingerprint[1] must be a string"},
	{full_doc, "fingerprint.2", "\"\"", "fingerprint[2]", "fingerprint[2] must not be empty"},
	{full_doc, "fingerprint.0", "@S:257", "fingerprint[0]",
	 "fingerprint[0] must be at most 256 bytes"},
	/* tags */
	{full_doc, "tags", "[]", "tags", "tags must be an object"},
	{full_doc, "tags", "@T:65", "tags", "tags must hold at most 64 tags"},
	{full_doc, "tags.gpu", "1", "tags.gpu", "tags.gpu must be a string"},
	{full_doc, "tags.gpu", "null", "tags.gpu", "tags.gpu must be a string"},
	{full_doc, "tags.gpu", "@S:257", "tags.gpu", "tags.gpu must be at most 256 bytes"},
	{full_doc, "tags", "{\"\":\"v\"}", "tags", "tags must have names of 1 to 64 bytes"},
	{full_doc, "tags", "@K:65", "tags", "tags must have names of 1 to 64 bytes"},
	/* every string, known or not, against max_field */
	{full_doc, "extra.nested.2", "@S:16385", "extra.nested[2]",
	 "extra.nested[2] must be at most 16384 bytes"},
	{full_doc, "description", "@S:16385", "description",
	 "description must be at most 16384 bytes"},
	{full_doc, "frames.1.file", "@S:16385", "frames[1].file",
	 "frames[1].file must be at most 16384 bytes"},
	{full_doc, "exception.value", "@S:16385", "exception.value",
	 "exception.value must be at most 16384 bytes"},
	{full_doc, "extra", "@K:16385", "extra", "extra has a member name longer than 16384 bytes"},
};

static void test_refusals(void **state)
{
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const refusal *t = &refusals[i];
		report_error err;
		report r;
		int rc;

		print_message("refusal %zu: %s = %s\n", i, t->path, t->value ? t->value : "(none)");
		rc = parse_changed(&r, t->base, t->path, t->value, &limits, &err);
		assert_int_equal(rc, -1);
		assert_int_equal(err.status, 422);
		assert_string_equal(err.code, "invalid_report");
		assert_string_equal(err.field, t->field);
		assert_string_equal(err.message, t->message);
		/* a refusal leaves nothing to free */
		assert_null(r.root);
		assert_null(r.title_owned);
	}
}

typedef struct accepted {
	const char *base;
	const char *path;
	const char *value;
} accepted;

/* Values at the edge of each rule, and unknown members, all accepted. */
static const accepted acceptances[] = {
	{minimal_doc, "build.revision", "@S:256"},
	{minimal_doc, "build.version", "@S:256"},
	{minimal_doc, "tester.install_id", "@S:128"},
	{minimal_doc, "tester.install_id", "\" !~ \""},
	{minimal_doc, "title", "@S:1024"},
	{minimal_doc, "severity", "@S:32"},
	{minimal_doc, "severity", "\"\""},
	{minimal_doc, "description", "\"\""},
	{minimal_doc, "description", "@S:16384"},
	{full_doc, "frames", "@F:256"},
	{full_doc, "frames", "[]"},
	{full_doc, "frames.0", "{}"},
	{full_doc, "frames.0.line", "2147483647"},
	{full_doc, "tags", "@T:64"},
	{full_doc, "tags", "@K:64"},
	{full_doc, "tags", "{}"},
	{full_doc, "fingerprint", "@A:16"},
	{full_doc, "fingerprint.0", "@S:256"},
	{full_doc, "platform", "{\"cpu\":{\"cores\":8}}"},
	{full_doc, "exception", "{\"type\":\"E\",\"module\":3}"},
	{full_doc, "title", NULL},
	{full_doc, "build.revision", NULL},
	{full_doc, "build.version", NULL},
	{full_doc, "extra", "@K:16384"},
	{full_doc, "kind", "\"feedback\""},
	{minimal_doc, "contexts", "{\"gpu\":[1,2.5,true,null,\"x\"]}"},
};

static void test_acceptances(void **state)
{
	for (size_t i = 0; i < sizeof(acceptances) / sizeof(acceptances[0]); i++) {
		const accepted *t = &acceptances[i];
		report_error err;
		report r;

		print_message("accept %zu: %s = %s\n", i, t->path, t->value ? t->value : "(none)");
		assert_int_equal(parse_changed(&r, t->base, t->path, t->value, &limits, &err), 0);
		assert_non_null(r.title);
		assert_hex64(r.fingerprint);
		report_free(&r);
	}
}

/* ---- malformed, hostile and oversized documents ---------------------------------------- */

/* Well-formed JSON holding a number no field can hold: the field is named, 422. */
static void test_number_out_of_range(void **state)
{
	static const struct {
		const char *doc;
		const char *field;
	} cases[] = {
		{"{\"a\":99999999999999999999999}", "a"},
		{"{\"frames\":[{\"line\":1},{\"file\":\"x.c\",\"line\":1e400}]}", "frames[1].line"},
		{"{\"x\":{\"y\":[1,2,-9223372036854775809]}}", "x.y[2]"},
	};
	report_error err;
	report r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_text(&r, cases[i].doc, &err), -1);
		assert_int_equal(err.status, 422);
		assert_string_equal(err.code, "invalid_report");
		assert_string_equal(err.field, cases[i].field);
		assert_non_null(strstr(err.message, "out of range"));
	}
}

static void test_malformed_json(void **state)
{
	static const char *const docs[] = {
		"",
		" ",
		"{",
		"{\"uuid\":}",
		"{\"uuid\":\"x\",}",
		"{'uuid':1}",
		"{\"a\":1}garbage",
		"{\"a\":1}{\"b\":2}",
		"{\"a\":tru}",
		"{\"a\":01}",
		"{\"a\":NaN}",
		"{\"a\":\"unterminated}",
		"{\"a\":\"\\x41\"}",
		"\xef\xbb\xbf{}",
		/* a syntax error wins over a number out of range anywhere */
		"{\"a\":1e999,}",
		"[1e999",
		"{\"a\":99999999999999999999999,\"b\":}",
		"{\"a\":\"\\u0000\",\"b\":tru}",
		"{\"a\":1,\"a\":2,}",
	};
	report_error err;
	report r;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		print_message("malformed %zu\n", i);
		assert_int_equal(parse_text(&r, docs[i], &err), -1);
		assert_int_equal(err.status, 400);
		assert_string_equal(err.code, "invalid_json");
		assert_string_equal(err.field, "");
		assert_non_null(strstr(err.message, "line "));
		assert_non_null(strstr(err.message, ", column "));
		assert_true(valid_utf8(err.message));
		assert_null(r.root);
	}

	/* the position is the parser's: line 2, sixth character */
	assert_int_equal(parse_text(&r, "{\n\"a\": }", &err), -1);
	assert_string_equal(err.message, "line 2, column 6: a value was expected");
	assert_int_equal(parse_text(&r, "{\"a\":1e999,}", &err), -1);
	assert_string_equal(err.message, "line 1, column 12: a string key was expected");
	/* an invalid literal is placed where it starts, as an invalid number is */
	assert_int_equal(parse_text(&r, "nope", &err), -1);
	assert_string_equal(err.message, "line 1, column 1: invalid literal");
	assert_int_equal(parse_text(&r, "{\"a\": trye}", &err), -1);
	assert_string_equal(err.message, "line 1, column 7: invalid literal");
	/* a document that is not an object names what it is */
	assert_int_equal(parse_text(&r, "[]", &err), -1);
	assert_string_equal(err.message, "the report must be an object, not an array");

	/* a duplicate key is a 400 that names the key and where it is */
	assert_int_equal(parse_text(&r, "{\"a\":1,\"a\":2}", &err), -1);
	assert_int_equal(err.status, 400);
	assert_string_equal(err.code, "invalid_json");
	assert_string_equal(err.message, "line 1, column 10: duplicate key \"a\"");
	assert_string_equal(err.field, "a");
	assert_int_equal(parse_text(&r, "{\"x\":{\"b\":1,\n\"b\":2}}", &err), -1);
	assert_int_equal(err.status, 400);
	assert_string_equal(err.field, "x.b");
	assert_non_null(strstr(err.message, "line 2"));
	assert_non_null(strstr(err.message, "duplicate key \"b\""));
}

static void test_not_an_object(void **state)
{
	static const char *const docs[] = {"[]",  "[1,2]", "[{\"uuid\":\"" UUID "\"}]",
					   "42",  " 1 ",   "\"report\"",
					   "null", "true"};
	report_error err;
	report r;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		print_message("not an object %zu\n", i);
		assert_int_equal(parse_text(&r, docs[i], &err), -1);
		assert_int_equal(err.status, 422);
		assert_string_equal(err.code, "invalid_report");
		assert_string_equal(err.field, "");
		assert_non_null(strstr(err.message, "must be an object"));
	}
}

/* Bytes that are not UTF-8, and NUL however it is spelled, never reach a C string. */
static void test_invalid_utf8_and_nul(void **state)
{
	static const char *const titles[] = {
		"\"bad \xff byte\"",
		"\"overlong \xc0\xaf slash\"",
		"\"encoded surrogate \xed\xa0\x80\"",
		"\"cut \xe2\x82\"",
		"\"beyond U+10FFFF \xf4\x90\x80\x80\"",
		"\"lone \\ud800 surrogate\"",
		"\"lone \\udc00 low\"",
		"\"raw\tcontrol\"",
	};
	char doc[512];
	report_error err;
	report r;

	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		int n = snprintf(doc, sizeof(doc),
				 "{\"uuid\":\"" UUID "\",\"kind\":\"bug\",\"title\":%s,"
				 "\"build\":{\"version\":\"1\"},\"tester\":{\"install_id\":\"x\"}}",
				 titles[i]);

		print_message("title %zu\n", i);
		assert_int_equal(report_parse(&r, doc, (size_t)n, &limits, &err), -1);
		assert_int_equal(err.status, 400);
		assert_string_equal(err.code, "invalid_json");
		assert_true(valid_utf8(err.message));
		for (const char *p = err.message; *p; p++)
			assert_true((unsigned char)*p >= 0x20);
	}

	/* NUL in a member name, escaped or raw; a raw NUL between members */
	static const char key_nul[] = "{\"a\\u0000b\":1}";
	static const char raw_nul[] = "{\"a\":1,\0\"b\":2}";
	static const char raw_nul_str[] = "{\"a\":\"x\0y\"}";

	/* \u0000 is well-formed JSON that no field may hold: 422 naming the field */
	{
		static const char title_nul[] =
			"{\"uuid\":\"" UUID "\",\"kind\":\"bug\",\"title\":\"nul \\u0000 inside\","
			"\"build\":{\"version\":\"1\"},\"tester\":{\"install_id\":\"x\"}}";

		assert_int_equal(report_parse(&r, title_nul, sizeof(title_nul) - 1, &limits, &err),
				 -1);
	}
	assert_int_equal(err.status, 422);
	assert_string_equal(err.code, "invalid_report");
	assert_string_equal(err.field, "title");
	assert_non_null(strstr(err.message, "must not contain NUL"));
	assert_null(strstr(err.message, "JSON_"));
	assert_int_equal(report_parse(&r, key_nul, sizeof(key_nul) - 1, &limits, &err), -1);
	assert_int_equal(err.status, 422);
	assert_non_null(strstr(err.message, "must not contain NUL"));
	assert_null(strstr(err.message, "JSON_"));
	assert_int_equal(report_parse(&r, raw_nul, sizeof(raw_nul) - 1, &limits, &err), -1);
	assert_int_equal(err.status, 400);
	assert_int_equal(report_parse(&r, raw_nul_str, sizeof(raw_nul_str) - 1, &limits, &err), -1);
	assert_int_equal(err.status, 400);

	/* escaped non-ASCII characters are fine */
	assert_int_equal(parse_changed(&r, minimal_doc, "title", "\"caf\\u00e9 \\ud83d\\ude00\"",
				       &limits, &err),
			 0);
	assert_string_equal(r.title, "caf\xc3\xa9 \xf0\x9f\x98\x80");
	report_free(&r);
}

static void test_too_large(void **state)
{
	report_limits small = limits;
	size_t len = strlen(minimal_doc);
	char *doc = malloc(len + 64);
	report_error err;
	report r;

	assert_non_null(doc);
	/* pad with white space to exactly max_json: accepted; one byte more: refused */
	memcpy(doc, minimal_doc, len);
	memset(doc + len, ' ', 64);
	small.max_json = len + 10;
	assert_int_equal(report_parse(&r, doc, len + 10, &small, &err), 0);
	report_free(&r);
	assert_int_equal(report_parse(&r, doc, len + 11, &small, &err), -1);
	assert_int_equal(err.status, 413);
	assert_string_equal(err.code, "too_large");
	assert_string_equal(err.field, "");
	snprintf(doc, len + 64, "the report is larger than %zu bytes", len + 10);
	assert_string_equal(err.message, doc);
	/* the size is checked before a byte is parsed */
	assert_int_equal(report_parse(&r, "{{{{", 4, &(report_limits){.max_json = 3}, &err), -1);
	assert_int_equal(err.status, 413);
	free(doc);
}

/* `depth` nested arrays as the value of "x" in the minimal document. */
static char *nested_doc(size_t depth, char open, char close)
{
	size_t base = strlen(minimal_doc), n = 0;
	char *doc = malloc(base + 8 * depth + 16);

	assert_non_null(doc);
	memcpy(doc, minimal_doc, base - 1); /* without the closing brace */
	n = base - 1;
	memcpy(doc + n, ",\"x\":", 5);
	n += 5;
	for (size_t i = 0; i < depth; i++) {
		if (open == '{') {
			memcpy(doc + n, "{\"a\":", 5);
			n += 5;
		} else {
			doc[n++] = open;
		}
	}
	doc[n++] = '1';
	for (size_t i = 0; i < depth; i++)
		doc[n++] = close;
	doc[n++] = '}';
	doc[n] = '\0';
	return doc;
}

static void test_deep_nesting(void **state)
{
	report_error err;
	report r;
	char *doc, *flat;

	/* 10,000 levels, bare and inside an unknown field: refused, no crash */
	flat = malloc(20001);
	assert_non_null(flat);
	memset(flat, '[', 10000);
	memset(flat + 10000, ']', 10000);
	flat[20000] = '\0';
	assert_int_equal(parse_text(&r, flat, &err), -1);
	assert_int_equal(err.status, 400);
	assert_string_equal(err.code, "invalid_json");
	assert_string_equal(err.message, "line 1, column 65: nested deeper than 64 levels");
	memset(flat, '{', 10000);
	assert_int_equal(parse_text(&r, flat, &err), -1);
	assert_int_equal(err.status, 400);
	free(flat);

	doc = nested_doc(10000, '[', ']');
	assert_int_equal(parse_text(&r, doc, &err), -1);
	assert_int_equal(err.status, 400);
	assert_non_null(strstr(err.message, "nested deeper than 64 levels"));
	free(doc);
	doc = nested_doc(10000, '{', '}');
	assert_int_equal(parse_text(&r, doc, &err), -1);
	assert_int_equal(err.status, 400);
	free(doc);

	/* the root is level 1: 63 more levels are kept, 64 are not */
	doc = nested_doc(63, '[', ']');
	assert_int_equal(parse_text(&r, doc, &err), 0);
	assert_non_null(json_object_get(r.root, "x"));
	report_free(&r);
	free(doc);
	doc = nested_doc(64, '[', ']');
	assert_int_equal(parse_text(&r, doc, &err), -1);
	assert_int_equal(err.status, 400);
	free(doc);

	/* brackets inside strings, after escaped quotes and backslashes, do not count */
	{
		char text[256];

		snprintf(text, sizeof(text), "\"\\\\\\\"%0100d\"", 0);
		for (char *q = text + 5; *q == '0'; q++)
			*q = '[';
		assert_int_equal(parse_changed(&r, minimal_doc, "description", text, &limits,
					       &err),
				 0);
		assert_int_equal(strlen(r.description), 102);
		report_free(&r);
	}
}

/* The message and field of a refusal are valid UTF-8 even when cut. */
static void test_error_text_is_safe(void **state)
{
	char key[400], value[402];
	report_limits wide = limits;
	report_error err;
	json_error_t jerr;
	json_t *root;
	report r;
	char *text;
	size_t n = 0;

	/* a path of 391 bytes, made of 2-byte characters, cut to fit `field` */
	key[n++] = 'k';
	while (n < 389) {
		key[n++] = '\xc3';
		key[n++] = '\xa9';
	}
	key[n] = '\0';
	memset(value, 'v', 401);
	value[401] = '\0';
	root = json_loads(minimal_doc, 0, &jerr);
	json_object_set_new(root, "x", json_pack("{s:s}", key, value));
	text = json_dumps(root, 0);
	wide.max_field = 400;
	assert_int_equal(parse_text(&r, text, &err), 0); /* within the usual limit */
	report_free(&r);
	assert_int_equal(report_parse(&r, text, strlen(text), &wide, &err), -1);
	assert_int_equal(err.status, 422);
	assert_true(valid_utf8(err.field));
	assert_true(valid_utf8(err.message));
	assert_int_equal(strncmp(err.field, "x.k\xc3\xa9\xc3\xa9", 7), 0);
	assert_true(strlen(err.field) >= sizeof(err.field) - 2);
	assert_int_equal(strncmp(err.message, err.field, strlen(err.field)), 0);
	assert_string_equal(err.message + strlen(err.field), " must be at most 400 bytes");
	free(text);
	json_decref(root);
}

/* ---- derived titles ---------------------------------------------------------------------- */

typedef struct derived {
	const char *exception;
	const char *title;
} derived;

static const derived derivations[] = {
	{"{\"type\":\"SIGSEGV\",\"value\":\"invalid read at 0x0\"}",
	 "SIGSEGV: invalid read at 0x0"},
	{"{\"type\":\"SIGABRT\"}", "SIGABRT"},
	{"{\"type\":\"SIGABRT\",\"value\":null}", "SIGABRT"},
	{"{\"type\":\"SIGABRT\",\"value\":\"\"}", "SIGABRT"},
	{"{\"type\":\"std::out_of_range\",\"value\":\"vector::_M_range_check\\nmore\\nlines\"}",
	 "std::out_of_range: vector::_M_range_check"},
	{"{\"type\":\"E\",\"value\":\"\\r\\nonly later lines\"}", "E"},
	{"{\"type\":\"E\",\"value\":\"caf\\u00e9\",\"module\":\"kept\"}", "E: caf\xc3\xa9"},
};

static void test_derived_title(void **state)
{
	json_error_t jerr;
	report_error err;
	report r;

	for (size_t i = 0; i < sizeof(derivations) / sizeof(derivations[0]); i++) {
		/* full_doc without its title, with this exception */
		json_t *root = json_loads(full_doc, 0, &jerr);
		char *text;

		json_object_del(root, "title");
		json_object_set_new(root, "exception",
				    json_loads(derivations[i].exception, 0, &jerr));
		text = json_dumps(root, 0);
		assert_int_equal(parse_text(&r, text, &err), 0);
		assert_string_equal(r.title, derivations[i].title);
		assert_ptr_equal(r.title, r.title_owned);
		/* the document stays as sent */
		assert_null(json_object_get(r.root, "title"));
		report_free(&r);
		free(text);
		json_decref(root);
	}
}

static void test_sent_title_wins(void **state)
{
	report_error err;
	report r;

	assert_int_equal(parse_text(&r, full_doc, &err), 0);
	assert_string_equal(r.title, "Crash when opening a PNG with an empty palette");
	assert_null(r.title_owned);
	report_free(&r);
}

/* A long exception value makes a title of at most 1024 bytes, cut between characters. */
static void test_derived_title_cut(void **state)
{
	char value[1400];
	json_error_t jerr;
	report_error err;
	json_t *root;
	report r;
	char *text;
	size_t n = 0;

	while (n + 2 < sizeof(value)) {
		value[n++] = '\xc3';
		value[n++] = '\xa9';
	}
	value[n] = '\0';
	root = json_loads(minimal_doc, 0, &jerr);
	json_object_del(root, "title");
	json_object_set_new(root, "exception",
			    json_pack("{s:s,s:s}", "type", "E", "value", value));
	text = json_dumps(root, 0);
	assert_int_equal(parse_text(&r, text, &err), 0);
	assert_int_equal(strlen(r.title), 1023);
	assert_int_equal(strncmp(r.title, "E: \xc3\xa9", 5), 0);
	assert_true(valid_utf8(r.title));
	report_free(&r);
	free(text);
	json_decref(root);
}

/* ---- fingerprints ------------------------------------------------------------------------ */

typedef struct crash {
	const char *type;             /* NULL: no exception */
	const char *functions[8];     /* innermost first; "" for a frame without one */
	int line_base;
	const char *file;
} crash;

/* Parse a crash built from `c` and copy its fingerprint into fp. */
static void crash_fp(const crash *c, char fp[65])
{
	json_error_t jerr;
	json_t *root = json_loads(minimal_doc, 0, &jerr), *frames = json_array();
	report_error err;
	report r;
	char *text, addr[32];

	json_object_set_new(root, "kind", json_string("crash"));
	if (c->type)
		json_object_set_new(root, "exception", json_pack("{s:s}", "type", c->type));
	for (int i = 0; i < 8 && c->functions[i]; i++) {
		json_t *f = json_pack("{s:i,s:s}", "line", c->line_base + i, "file",
				      c->file ? c->file : "a.c");

		snprintf(addr, sizeof(addr), "0x%x", 0x401000 + c->line_base * 16 + i);
		json_object_set_new(f, "address", json_string(addr));
		if (c->functions[i][0])
			json_object_set_new(f, "function", json_string(c->functions[i]));
		json_array_append_new(frames, f);
	}
	json_object_set_new(root, "frames", frames);
	text = json_dumps(root, 0);
	assert_int_equal(parse_text(&r, text, &err), 0);
	memcpy(fp, r.fingerprint, 65);
	report_free(&r);
	free(text);
	json_decref(root);
}

static void test_fingerprint_stack(void **state)
{
	char a[65], b[65];

	/* the same stack at other addresses, lines, files: one group */
	crash_fp(&(crash){"SIGSEGV", {"png_read_palette", "png_read", "main"}, 120, "src/png.c"},
		 a);
	crash_fp(&(crash){"SIGSEGV", {"png_read_palette", "png_read", "main"}, 7, "png.c"}, b);
	assert_string_equal(a, b);

	/* offsets, parameter lists and modules in the name do not count */
	crash_fp(&(crash){"SIGSEGV",
			  {"png_read_palette+0x1a", "png_read(png_struct*, int) (in libpng.so.16)",
			   "main + 26"},
			  1, NULL},
		 b);
	assert_string_equal(a, b);

	/* frames without a function are skipped */
	crash_fp(&(crash){"SIGSEGV", {"", "png_read_palette", "", "png_read", "main"}, 1, NULL}, b);
	assert_string_equal(a, b);

	/* a different top frame, type or order: another group */
	crash_fp(&(crash){"SIGSEGV", {"png_read_header", "png_read", "main"}, 120, NULL}, b);
	assert_string_not_equal(a, b);
	crash_fp(&(crash){"SIGBUS", {"png_read_palette", "png_read", "main"}, 120, NULL}, b);
	assert_string_not_equal(a, b);
	crash_fp(&(crash){"SIGSEGV", {"png_read", "png_read_palette", "main"}, 120, NULL}, b);
	assert_string_not_equal(a, b);
	crash_fp(&(crash){NULL, {"png_read_palette", "png_read", "main"}, 120, NULL}, b);
	assert_string_not_equal(a, b);

	/* only the top five frames with functions count */
	crash_fp(&(crash){"E", {"f1", "f2", "f3", "f4", "f5", "f6"}, 1, NULL}, a);
	crash_fp(&(crash){"E", {"f1", "f2", "f3", "f4", "f5", "other"}, 1, NULL}, b);
	assert_string_equal(a, b);
	crash_fp(&(crash){"E", {"f1", "f2", "f3", "f4", "f5"}, 1, NULL}, b);
	assert_string_equal(a, b);
	crash_fp(&(crash){"E", {"f1", "f2", "f3", "f4", "x5"}, 1, NULL}, b);
	assert_string_not_equal(a, b);
	crash_fp(&(crash){"E", {"f1", "", "", "f2", "f3", "f4", "x5"}, 1, NULL}, b);
	assert_string_not_equal(a, b);

	/* the part boundaries count: ("a","bc") is not ("ab","c") */
	crash_fp(&(crash){"E", {"a", "bc"}, 1, NULL}, a);
	crash_fp(&(crash){"E", {"ab", "c"}, 1, NULL}, b);
	assert_string_not_equal(a, b);
	crash_fp(&(crash){"Ea", {"bc"}, 1, NULL}, b);
	assert_string_not_equal(a, b);
}

typedef struct name_pair {
	const char *a;
	const char *b;
	int same;
} name_pair;

static const name_pair names[] = {
	{"png_read+0x1a", "png_read", 1},
	{"png_read + 0x1A", "png_read+0x2b", 1},
	{"png_read+26", "png_read", 1},
	{"foo(int, char*)", "foo", 1},
	{"foo(std::function<void (int)>)", "foo()", 1},
	{"ns::Widget::draw(Canvas&) const", "ns::Widget::draw", 1},
	{"std::vector<int, std::allocator<int> >::push_back(int const&)",
	 "std::vector<long>::push_back", 1},
	{"(anonymous namespace)::helper(int)", "helper", 1},
	{"app::(anonymous namespace)::helper", "app::helper", 1},
	{"`anonymous namespace'::helper", "helper", 1},
	{"draw (in libfoo.so)", "draw", 1},
	{"draw+0x10 (in libfoo.so.1)", "draw (in libbar.so)", 1},
	{"  draw \t", "draw", 1},
	{"core::panicking::panic::h0123456789abcdef", "core::panicking::panic", 1},
	{"0x4011d6", "0x4011e0", 1},
	{"Foo::operator<(Foo const&)", "Foo::operator<", 1},
	{"Foo::operator()(int)", "Foo::operator()", 1},
	/* genuinely different functions stay apart */
	{"png_read", "png_write", 0},
	{"ns1::draw", "ns2::draw", 0},
	{"Foo::operator<", "Foo::operator>", 0},
	{"Foo::operator()", "Foo::operator[]", 0},
	{"Foo::operator<<", "Foo::operator<", 0},
	{"draw2", "draw3", 0},
	{"helper_0x10", "helper_0x20", 0},
};

static void test_fingerprint_normalise(void **state)
{
	char a[65], b[65];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		print_message("names %zu: '%s' '%s'\n", i, names[i].a, names[i].b);
		crash_fp(&(crash){"E", {names[i].a}, 1, NULL}, a);
		crash_fp(&(crash){"E", {names[i].b}, 1, NULL}, b);
		if (names[i].same)
			assert_string_equal(a, b);
		else
			assert_string_not_equal(a, b);
	}

	/* names that are nothing but noise do not make a stack: the title decides */
	crash_fp(&(crash){NULL, {"??", "0x4011d6", "<unknown>"}, 1, NULL}, a);
	crash_fp(&(crash){NULL, {""}, 1, NULL}, b);
	assert_string_equal(a, b);
	crash_fp(&(crash){NULL, {"main"}, 1, NULL}, b);
	assert_string_not_equal(a, b);
}

/* The fingerprint of the minimal document with `path` set to `value`. */
static void changed_fp(const char *base, const char *path, const char *value, char fp[65])
{
	report_error err;
	report r;

	assert_int_equal(parse_changed(&r, base, path, value, &limits, &err), 0);
	memcpy(fp, r.fingerprint, 65);
	report_free(&r);
}

static void test_fingerprint_custom(void **state)
{
	char a[65], b[65];

	/* the client's fingerprint wins over frames and exception */
	changed_fp(full_doc, "frames", "[{\"function\":\"elsewhere\"}]", a);
	changed_fp(full_doc, "exception.type", "\"SIGILL\"", b);
	assert_string_equal(a, b);
	changed_fp(full_doc, "fingerprint", NULL, b);
	assert_string_not_equal(a, b);
	/* and over the title */
	changed_fp(minimal_doc, "fingerprint", "[\"g\"]", a);
	changed_fp(full_doc, "fingerprint", "[\"g\"]", b);
	assert_string_equal(a, b);

	/* parts are kept apart, and nothing is normalised in them */
	changed_fp(minimal_doc, "fingerprint", "[\"a\",\"bc\"]", a);
	changed_fp(minimal_doc, "fingerprint", "[\"ab\",\"c\"]", b);
	assert_string_not_equal(a, b);
	changed_fp(minimal_doc, "fingerprint", "[\"abc\"]", b);
	assert_string_not_equal(a, b);
	changed_fp(minimal_doc, "fingerprint", "[\"A\",\"bc\"]", b);
	assert_string_not_equal(a, b);

	/* a custom key never meets a title key with the same text */
	changed_fp(minimal_doc, "fingerprint", "[\"bug\",\"save button does nothing\"]", a);
	changed_fp(minimal_doc, "fingerprint", NULL, b);
	assert_string_not_equal(a, b);
}

/* The fingerprint of full_doc with exception.type `type` (NULL: as it is), frames[0].line
 * `line` (0: as it is) and `fingerprint` (JSON). */
static void full_with(const char *type, int line, const char *fingerprint, char fp[65])
{
	json_error_t jerr;
	json_t *root = json_loads(full_doc, 0, &jerr);
	report_error err;
	report r;
	char *text;

	assert_non_null(root);
	if (type)
		json_object_set_new(json_object_get(root, "exception"), "type", json_string(type));
	if (line)
		json_object_set_new(json_array_get(json_object_get(root, "frames"), 0), "line",
				    json_integer(line));
	json_object_set_new(root, "fingerprint", json_loads(fingerprint, 0, &jerr));
	text = json_dumps(root, 0);
	assert_int_equal(parse_text(&r, text, &err), 0);
	memcpy(fp, r.fingerprint, 65);
	report_free(&r);
	free(text);
	json_decref(root);
}

/* Sentry's "{{ default }}": the default key stands in the custom one. */
static void test_fingerprint_default(void **state)
{
	static const char *const spellings[] = {"{{default}}", "{{  default }}", "{{ DEFAULT }}",
						"{{Default  }}"};
	static const char *const literal[] = {"{{ default", "{ default }", "{{ defaults }}",
					      "{{ transaction }}", "{{ default }} ", "default",
					      "{{ de fault }}", "{{\tdefault}}"};
	char a[65], b[65], c[65], fp[256];

	/* alone it is the default grouping, by stack and by title */
	changed_fp(full_doc, "fingerprint", NULL, a);
	changed_fp(full_doc, "fingerprint", "[\"{{ default }}\"]", b);
	assert_string_equal(a, b);
	changed_fp(minimal_doc, "fingerprint", NULL, a);
	changed_fp(minimal_doc, "fingerprint", "[\"{{ default }}\"]", b);
	assert_string_equal(a, b);
	changed_fp(minimal_doc, "fingerprint", "[\"{{default}}\", \"{{ default }}\"]", b);
	assert_string_equal(a, b);

	/* with another string it splits the default group by it */
	changed_fp(full_doc, "fingerprint", "[\"{{ default }}\", \"db\"]", a);
	changed_fp(full_doc, "fingerprint", NULL, b);
	assert_string_not_equal(a, b);
	changed_fp(full_doc, "fingerprint", "[\"db\"]", b);
	assert_string_not_equal(a, b);
	changed_fp(full_doc, "fingerprint", "[\"{{ default }}\", \"cache\"]", b);
	assert_string_not_equal(a, b);
	changed_fp(full_doc, "fingerprint", "[\"db\", \"{{ default }}\"]", b);
	assert_string_not_equal(a, b);
	/* the default key is computed as ever: same stack, same group; another stack, another */
	full_with(NULL, 999, "[\"{{ default }}\", \"db\"]", b);
	assert_string_equal(a, b);
	full_with("SIGILL", 0, "[\"{{ default }}\", \"db\"]", b);
	assert_string_not_equal(a, b);
	full_with("SIGILL", 0, "[\"db\"]", b);
	full_with(NULL, 0, "[\"db\"]", c);
	assert_string_equal(b, c); /* where a plain custom key does not look at the stack */

	/* spacing and case inside the braces do not matter */
	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		snprintf(fp, sizeof(fp), "[\"%s\", \"db\"]", spellings[i]);
		changed_fp(full_doc, "fingerprint", fp, b);
		assert_string_equal(a, b);
		assert_true(fingerprint_is_default(spellings[i]));
	}
	/* anything else is a string like any other */
	changed_fp(minimal_doc, "fingerprint", NULL, a);
	for (size_t i = 0; i < sizeof(literal) / sizeof(literal[0]); i++) {
		assert_false(fingerprint_is_default(literal[i]));
		json_t *one = json_pack("[s]", literal[i]);
		char *arr = json_dumps(one, 0);

		changed_fp(minimal_doc, "fingerprint", arr, b);
		assert_string_not_equal(a, b);
		free(arr);
		json_decref(one);
	}
	assert_false(fingerprint_is_default(NULL));
	assert_true(fingerprint_is_default("{{ default }}"));
}

static void test_fingerprint_title(void **state)
{
	static const char *const same[] = {
		"\"Timeout after 31s\"",     "\"timeout after 45s\"",
		"\"  TIMEOUT\\tafter 7s \"", "\"Timeout after 1234567890123s\"",
		"\"timeout\\nafter\\r\\n9s\"",
	};
	char a[65], b[65];

	changed_fp(minimal_doc, "title", same[0], a);
	for (size_t i = 1; i < sizeof(same) / sizeof(same[0]); i++) {
		changed_fp(minimal_doc, "title", same[i], b);
		assert_string_equal(a, b);
	}
	changed_fp(minimal_doc, "title", "\"Timeout before 31s\"", b);
	assert_string_not_equal(a, b);
	changed_fp(minimal_doc, "title", "\"Timeoutafter 31s\"", b);
	assert_string_not_equal(a, b);
	changed_fp(minimal_doc, "title", "\"Timeout after 31 s\"", b);
	assert_string_not_equal(a, b);

	/* the kind counts */
	changed_fp(minimal_doc, "kind", "\"feedback\"", b);
	changed_fp(minimal_doc, "kind", "\"bug\"", a);
	assert_string_not_equal(a, b);

	/* hex literals fold like numbers */
	changed_fp(minimal_doc, "title", "\"bad pointer 0xdeadbeef\"", a);
	changed_fp(minimal_doc, "title", "\"Bad pointer 0x7FFD12\"", b);
	assert_string_equal(a, b);

	/* nothing but the title and kind: revisions and testers do not split a group */
	changed_fp(minimal_doc, "build.version", "\"2.0\"", a);
	changed_fp(minimal_doc, "tester.install_id", "\"someone-else\"", b);
	assert_string_equal(a, b);

	/* a pinned value: changing the key splits every existing group */
	changed_fp(minimal_doc, "severity", "\"minor\"", a);
	print_message("minimal fingerprint %s\n", a);
	assert_string_equal(a, "4ba720d1e253cf25fc77fec92484821dee04abef2d87a4ac9a062bb59074c001");
}

/* report_fingerprint() on a report put together by hand agrees with report_parse(). */
static void test_fingerprint_direct(void **state)
{
	report_error err;
	report r, hand;
	char hex[65];

	assert_int_equal(parse_text(&r, minimal_doc, &err), 0);
	memset(&hand, 0, sizeof(hand));
	hand.kind = "bug";
	hand.title = "save   button does NOTHING";
	report_fingerprint(&hand, hex);
	assert_string_equal(hex, r.fingerprint);
	report_free(&r);
}

/* ---- times ------------------------------------------------------------------------------- */

typedef struct time_case {
	const char *text;
	int64_t secs;
} time_case;

static const time_case good_times[] = {
	{"1970-01-01T00:00:00Z", 0},
	{"2026-11-20T10:15:00Z", 1795169700},
	{"2026-11-20T12:15:00+02:00", 1795169700},
	{"2026-11-20T05:15:00-05:00", 1795169700},
	{"2026-11-20T15:45:00+05:30", 1795169700},
	{"2026-11-20T10:15:00.123456789Z", 1795169700},
	{"2026-11-20T10:15:00.5+00:00", 1795169700},
	{"2026-11-20t10:15:00z", 1795169700},
	{"2026-11-20T10:15:00-00:00", 1795169700},
	{"2024-02-29T00:00:00Z", 1709164800},
	{"2000-02-29T23:59:59Z", 951868799},
	{"1969-12-31T23:59:59Z", -1},
	{"1990-12-31T23:59:60Z", 662688000},
	{"2026-01-01T00:00:00Z", 1767225600},
	{"9999-12-31T23:59:59Z", 253402300799},
	{"0000-01-01T00:00:00Z", -62167219200},
};

static const char *const bad_times[] = {
	"",
	"2026",
	"2026-11-20",
	"2026-11-20T10:15:00",
	"2026-11-20T10:15Z",
	"2026-11-20 10:15:00Z",
	"2026-11-20T10:15:00 Z",
	"2026/11/20T10:15:00Z",
	"2026-11-20T10-15-00Z",
	"2026-1-20T10:15:00Z",
	"20261-1-20T10:15:00Z",
	"+2026-11-20T10:15:00Z",
	"-2026-11-20T10:15:00Z",
	"2026-13-01T00:00:00Z",
	"2026-00-10T00:00:00Z",
	"2026-11-00T00:00:00Z",
	"2026-11-31T00:00:00Z",
	"2026-04-31T00:00:00Z",
	"2026-02-29T00:00:00Z",
	"1900-02-29T00:00:00Z",
	"2026-11-20T24:00:00Z",
	"2026-11-20T10:60:00Z",
	"2026-11-20T10:15:61Z",
	"2026-11-20T10:15:00+24:00",
	"2026-11-20T10:15:00+02:60",
	"2026-11-20T10:15:00+0200",
	"2026-11-20T10:15:00+02",
	"2026-11-20T10:15:00+02:00:00",
	"2026-11-20T10:15:00.Z",
	"2026-11-20T10:15:00,5Z",
	"2026-11-20T10:15:00Zjunk",
	"2026-11-20T10:15:00Z ",
	" 2026-11-20T10:15:00Z",
	"2026-11-2OT10:15:00Z",
	"2026-11-20T1 :15:00Z",
	"2026-11-20T10:15:00ZZ",
	"\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96-11-20T10:15:00Z",
};

static void test_times(void **state)
{
	int64_t t;

	for (size_t i = 0; i < sizeof(good_times) / sizeof(good_times[0]); i++) {
		print_message("good time %s\n", good_times[i].text);
		t = 42;
		assert_int_equal(rfc3339_parse(good_times[i].text, &t), 0);
		assert_int_equal(t, good_times[i].secs);
	}
	for (size_t i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
		print_message("bad time '%s'\n", bad_times[i]);
		t = 42;
		assert_int_equal(rfc3339_parse(bad_times[i], &t), -1);
		assert_int_equal(t, 42);
	}
	assert_int_equal(rfc3339_parse(NULL, &t), -1);
}

static void test_report_timestamp(void **state)
{
	report_error err;
	report r;

	assert_int_equal(parse_changed(&r, minimal_doc, "timestamp",
				       "\"2026-11-20T12:15:00+02:00\"", &limits, &err),
			 0);
	assert_int_equal(r.timestamp, 1795169700);
	report_free(&r);
	assert_int_equal(parse_changed(&r, minimal_doc, "timestamp", "\"2026-11-20T10:15:00\"",
				       &limits, &err),
			 -1);
	assert_int_equal(err.status, 422);
	assert_string_equal(err.field, "timestamp");
}

/* ---- out of memory ----------------------------------------------------------------------- */

static long alloc_budget = -1; /* allocations left before they fail; -1: unlimited */

static void *budget_malloc(size_t n)
{
	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	return malloc(n);
}

/*
 * Every allocation of the parser failing in turn: success, or a clean refusal
 * with nothing to free (ASan reports any leak). Out of memory is a 500 where
 * it can be told apart; the parser reports some of its own failures as
 * syntax errors, hence the 400s.
 */
static void test_out_of_memory(void **state)
{
	static const char doc[] =
		"{\"uuid\":\"5B0E7C3A-8F0E-4A53-9A52-2C4F8E0B6A11\",\"kind\":\"crash\","
		"\"exception\":{\"type\":\"SIGSEGV\",\"value\":\"x\"},"
		"\"build\":{\"version\":\"1\"},\"tester\":{\"install_id\":\"x\"},"
		"\"frames\":[{\"function\":\"f\"}],\"extra\":[1]}";
	report_error err;
	report r;
	long ooms = 0;
	int rc = -1;

	json_set_alloc_funcs(budget_malloc, free);
	for (long budget = 0; rc != 0 && budget < 1000; budget++) {
		alloc_budget = budget;
		rc = parse_text(&r, doc, &err);
		if (rc < 0) {
			assert_true(err.status == 500 || err.status == 400);
			if (err.status == 500) {
				assert_string_equal(err.code, "internal_error");
				assert_string_equal(err.message, "out of memory");
				ooms++;
			}
			assert_null(r.root);
		}
	}
	alloc_budget = -1;
	json_set_alloc_funcs(malloc, free);
	assert_int_equal(rc, 0);
	assert_true(ooms > 0);
	assert_string_equal(r.uuid, UUID);
	assert_string_equal(r.title, "SIGSEGV: x");
	report_free(&r);

	/* the last allocation: the canonical uuid written back into the document */
	{
		long total;

		json_set_alloc_funcs(budget_malloc, free);
		alloc_budget = 100000;
		assert_int_equal(parse_text(&r, doc, &err), 0);
		total = 100000 - alloc_budget;
		report_free(&r);
		alloc_budget = total - 1;
		rc = parse_text(&r, doc, &err);
		alloc_budget = -1;
		json_set_alloc_funcs(malloc, free);
		assert_int_equal(rc, -1);
		assert_int_equal(err.status, 500);
		assert_string_equal(err.message, "out of memory");
	}
}

static void test_free_null(void **state)
{
	report r;

	report_free(NULL);
	memset(&r, 0, sizeof(r));
	report_free(&r);
	assert_null(r.root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_uuid_canonical),
		cmocka_unit_test(test_nulls_are_absent),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_acceptances),
		cmocka_unit_test(test_malformed_json),
		cmocka_unit_test(test_number_out_of_range),
		cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_invalid_utf8_and_nul),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_error_text_is_safe),
		cmocka_unit_test(test_derived_title),
		cmocka_unit_test(test_sent_title_wins),
		cmocka_unit_test(test_derived_title_cut),
		cmocka_unit_test(test_fingerprint_stack),
		cmocka_unit_test(test_fingerprint_normalise),
		cmocka_unit_test(test_fingerprint_custom),
		cmocka_unit_test(test_fingerprint_default),
		cmocka_unit_test(test_fingerprint_title),
		cmocka_unit_test(test_fingerprint_direct),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_report_timestamp),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
