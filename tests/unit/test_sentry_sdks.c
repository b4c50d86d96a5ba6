/* test_sentry_sdks.c - events as the JavaScript, Go, Ruby and native Sentry SDKs send them, mapped to reports that group as libprosum's do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/report.h"
#include "sentry/envelope.h"
#include "sentry/event.h"

static const report_limits limits = {
	.max_json = 256 * 1024, .max_frames = 256, .max_tags = 64, .max_field = 16384};

/*
 * captureMessage of @sentry/browser 11 (trimmed): attachStacktrace is on by default, so the
 * message carries an exception with no type, the message as value, the capture call's stack
 * and a synthetic, handled mechanism. %s: the message.
 */
static const char js_message_fmt[] =
	"{\"event_id\":\"f35a8ab729f049fcb3fd6f443bc051f6\",\"level\":\"warning\",\"platform\":\"javascript\","
	"\"message\":\"%s\",\"release\":\"app@1.0.0+af2635df73c0\",\"environment\":\"beta\","
	"\"exception\":{\"values\":[{\"value\":\"%s\",\"stacktrace\":{\"frames\":["
	"{\"filename\":\"http://127.0.0.1:46405/js/app.js\",\"function\":\"eval\",\"in_app\":true,\"lineno\":370,\"colno\":30},"
	"{\"filename\":\"http://127.0.0.1:46405/js/app.js\",\"function\":\"reportAll\",\"in_app\":true,\"lineno\":31,\"colno\":9}]},"
	"\"mechanism\":{\"type\":\"generic\",\"handled\":true,\"synthetic\":true}}]},"
	"\"sdk\":{\"name\":\"sentry.javascript.browser\",\"version\":\"11.12.0\"}}";

/* A crash of sentry-native's inproc backend (its make_signal_event): a signal's type, a
 * synthetic but unhandled mechanism, frames with addresses only, outermost first. */
static const char native_crash[] =
	"{\"event_id\":\"4f7e1c1e-7c66-4c3b-9a5e-3a3c2b1d0e0f\",\"level\":\"fatal\",\"platform\":\"native\","
	"\"release\":\"viewer@2.1.0+0123456789ab\",\"exception\":{\"values\":[{\"type\":\"SIGSEGV\","
	"\"value\":\"Segfault\",\"mechanism\":{\"type\":\"signalhandler\",\"synthetic\":true,"
	"\"handled\":false,\"meta\":{\"signal\":{\"name\":\"SIGSEGV\",\"number\":11}}},"
	"\"stacktrace\":{\"frames\":[{\"instruction_addr\":\"0x401000\"},{\"instruction_addr\":\"0x401200\"},"
	"{\"instruction_addr\":\"0x4011d6\"}]}}]}}";

/* An uncaught `throw "oops"` in a page (@sentry/browser's global handler): no type, a
 * message, but not handled: the app crashed. */
static const char js_uncaught_string[] =
	"{\"event_id\":\"0a1b2c3d4e5f60718293a4b5c6d7e8f9\",\"level\":\"error\",\"message\":\"Uncaught oops\","
	"\"exception\":{\"values\":[{\"value\":\"Uncaught oops\",\"stacktrace\":{\"frames\":["
	"{\"filename\":\"http://127.0.0.1:8000/app.js\",\"function\":\"onClick\",\"lineno\":9}]},"
	"\"mechanism\":{\"type\":\"auto.browser.global_handlers.onerror\",\"handled\":false}}]}}";

/* An Error with a cause, as the JavaScript SDKs chain it: the cause first, the error raised last. */
static const char js_chain[] =
	"{\"event_id\":\"1a1b2c3d4e5f60718293a4b5c6d7e8f9\",\"level\":\"error\",\"exception\":{\"values\":["
	"{\"type\":\"Error\",\"value\":\"bad palette\",\"mechanism\":{\"type\":\"chained\",\"source\":\"cause\","
	"\"exception_id\":1,\"parent_id\":0},\"stacktrace\":{\"frames\":[{\"function\":\"readPalette\",\"lineno\":3}]}},"
	"{\"type\":\"Error\",\"value\":\"cannot open holiday.png\",\"mechanism\":{\"type\":\"generic\","
	"\"handled\":true,\"exception_id\":0},\"stacktrace\":{\"frames\":[{\"function\":\"main\",\"lineno\":20},"
	"{\"function\":\"openImage\",\"lineno\":12}]}}]}}";

static json_t *map_ok(const char *text)
{
	json_t *ev = json_loads(text, 0, NULL), *doc = NULL;
	char id[SENTRY_EVENT_ID_LEN + 1], err[256], field[64];

	assert_non_null(ev);
	assert_int_equal(sentry_event_map(ev, 256, &doc, id, err, sizeof(err), field, sizeof(field)), 0);
	json_decref(ev);
	assert_non_null(doc);
	return doc;
}

/* The document as the server takes it; the caller frees r. */
static void parse_ok(json_t *doc, report *r)
{
	report_error err;
	char *text = json_dumps(doc, JSON_COMPACT);

	assert_non_null(text);
	assert_int_equal(report_parse(r, text, strlen(text), &limits, &err), 0);
	free(text);
}

static const char *sget(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A JavaScript message is a bug titled by its text, its capture stack kept aside: two messages
 * from the same call are two groups, the same message twice one group (as libprosum's bugs). */
static void test_js_message_with_stack(void **state)
{
	char text[4096];
	json_t *a, *b, *c;
	report ra, rb, rc;

	(void)state;
	snprintf(text, sizeof(text), js_message_fmt, "disk nearly full", "disk nearly full");
	a = map_ok(text);
	assert_string_equal(sget(a, "kind"), "bug");
	assert_string_equal(sget(a, "title"), "disk nearly full");
	assert_string_equal(sget(a, "severity"), "warning");
	assert_null(json_object_get(a, "exception"));
	assert_null(json_object_get(a, "frames"));
	assert_int_equal(json_array_size(json_object_get(json_object_get(a, "stacktrace"), "frames")), 2);
	assert_string_equal(sget(json_object_get(a, "build"), "revision"), "af2635df73c0");
	parse_ok(a, &ra);
	assert_string_equal(ra.kind, "bug");
	assert_string_equal(ra.title, "disk nearly full");

	snprintf(text, sizeof(text), js_message_fmt, "network down", "network down");
	b = map_ok(text);
	parse_ok(b, &rb);
	assert_string_not_equal(ra.fingerprint, rb.fingerprint);

	snprintf(text, sizeof(text), js_message_fmt, "disk nearly full", "disk nearly full");
	c = map_ok(text);
	parse_ok(c, &rc);
	assert_string_equal(ra.fingerprint, rc.fingerprint);

	report_free(&ra);
	report_free(&rb);
	report_free(&rc);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

/* sentry-native's signal crash stays a crash, though its mechanism says synthetic. */
static void test_native_signal_crash(void **state)
{
	json_t *doc, *frames;
	report r;

	(void)state;
	doc = map_ok(native_crash);
	assert_string_equal(sget(doc, "kind"), "crash");
	assert_string_equal(sget(json_object_get(doc, "exception"), "type"), "SIGSEGV");
	assert_string_equal(sget(doc, "severity"), "fatal");
	frames = json_object_get(doc, "frames");
	assert_int_equal(json_array_size(frames), 3);
	assert_string_equal(sget(json_array_get(frames, 0), "address"), "0x4011d6");
	assert_string_equal(sget(json_array_get(frames, 2), "address"), "0x401000");
	assert_string_equal(sget(json_object_get(doc, "build"), "version"), "2.1.0");
	assert_string_equal(sget(json_object_get(doc, "build"), "revision"), "0123456789ab");
	parse_ok(doc, &r);
	assert_string_equal(r.title, "SIGSEGV: Segfault");
	report_free(&r);
	json_decref(doc);
}

/* A string thrown and not caught is a crash (the type defaults to Error), not a message. */
static void test_js_uncaught_string(void **state)
{
	json_t *doc;

	(void)state;
	doc = map_ok(js_uncaught_string);
	assert_string_equal(sget(doc, "kind"), "crash");
	assert_string_equal(sget(json_object_get(doc, "exception"), "type"), "Error");
	assert_string_equal(sget(json_object_get(doc, "exception"), "value"), "Uncaught oops");
	assert_string_equal(sget(json_array_get(json_object_get(doc, "frames"), 0), "function"), "onClick");
	json_decref(doc);
}

/* Of a chain, the error raised (the last) gives the type, value and frames. */
static void test_js_chain(void **state)
{
	json_t *doc, *frames;

	(void)state;
	doc = map_ok(js_chain);
	assert_string_equal(sget(json_object_get(doc, "exception"), "value"), "cannot open holiday.png");
	frames = json_object_get(doc, "frames");
	assert_int_equal(json_array_size(frames), 2);
	assert_string_equal(sget(json_array_get(frames, 0), "function"), "openImage");
	assert_string_equal(sget(json_array_get(frames, 1), "function"), "main");
	json_decref(doc);
}

/* The release names SDK users give, and the version and revision each becomes. */
static void test_release_forms(void **state)
{
	static const struct {
		const char *release, *version, *revision;
	} cases[] = {
		{"viewer@1.4.0+3f2c9a1b7e0d", "1.4.0", "3f2c9a1b7e0d"},
		{"3f2c9a1b7e0d", NULL, "3f2c9a1b7e0d"},
		{"viewer@v1.4.0-3-g3f2c9a1", "v1.4.0-3-g3f2c9a1", "v1.4.0-3-g3f2c9a1"},
		{"v1.4.0-12-g3f2c9a1b-dirty", "v1.4.0-12-g3f2c9a1b-dirty", "v1.4.0-12-g3f2c9a1b-dirty"},
		{"viewer@1.4.0", "1.4.0", NULL},
		{"viewer@v2.0-gold", "v2.0-gold", NULL},        /* a tag, not a describe */
		{"viewer@v2.0-3-gold", "v2.0-3-gold", NULL},    /* "old" is not hex */
		{"viewer@-3-gabcdef1", "-3-gabcdef1", NULL},    /* no tag name before the count */
		{"viewer@1.4.0+notahash", "1.4.0+notahash", NULL},
	};
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc, *build;

		snprintf(text, sizeof(text),
			 "{\"event_id\":\"0123456789abcdef0123456789abcdef\",\"message\":\"m\","
			 "\"release\":\"%s\"}",
			 cases[i].release);
		doc = map_ok(text);
		build = json_object_get(doc, "build");
		if (cases[i].version)
			assert_string_equal(sget(build, "version"), cases[i].version);
		else
			assert_null(sget(build, "version"));
		if (cases[i].revision)
			assert_string_equal(sget(build, "revision"), cases[i].revision);
		else
			assert_null(sget(build, "revision"));
		json_decref(doc);
	}
}

/* The JavaScript SDKs (before 9) add user.ip_address "{{auto}}" with sendDefaultPii: not an
 * install; a real user.id still is. */
static void test_auto_ip_is_no_tester(void **state)
{
	json_t *doc;

	(void)state;
	doc = map_ok("{\"event_id\":\"0123456789abcdef0123456789abcdef\",\"message\":\"m\","
		     "\"user\":{\"ip_address\":\"{{auto}}\"}}");
	assert_string_equal(sget(json_object_get(doc, "tester"), "install_id"), "sentry");
	json_decref(doc);
	doc = map_ok("{\"event_id\":\"0123456789abcdef0123456789abcdef\",\"message\":\"m\","
		     "\"user\":{\"id\":\"install-7\",\"ip_address\":\"{{auto}}\"}}");
	assert_string_equal(sget(json_object_get(doc, "tester"), "install_id"), "install-7");
	json_decref(doc);
}

/* A file of the envelope corpus (recorded from the real SDKs: tests/fuzz/corpus/envelope/sdk-*),
 * malloc'ed, its length in *len. */
static char *corpus_file(const char *name, size_t *len)
{
	char path[512];
	FILE *fp;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", PROSUM_ENVELOPE_CORPUS, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/*
 * Envelopes as @sentry/browser and @sentry/node 11.12 and sentry-ruby 5.3 sent them (an
 * exception raised through paletteInner < paletteMiddle < paletteOuter, then a message, release
 * viewer@1.4.0+3f2c9a1b7e0d): parsed, their event mapped, the document taken by the server.
 */
static void test_recorded_envelopes(void **state)
{
	static const struct {
		const char *file, *kind, *title, *top;
	} cases[] = {
		{"sdk-browser-exception", "crash", "Error: bad palette in holiday.png", "paletteInner"},
		{"sdk-browser-message", "bug", "disk nearly full", NULL},
		{"sdk-node-exception", "crash", "Error: bad palette in holiday.png", "paletteInner"},
		{"sdk-node-message", "bug", "disk nearly full", NULL},
		{"sdk-ruby-exception", "crash", "ArgumentError: bad palette in holiday.png", "palette_inner"},
		{"sdk-ruby-message", "bug", "disk nearly full", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sentry_envelope env;
		char err[256], field[64], id[SENTRY_EVENT_ID_LEN + 1], *buf;
		size_t len, j;
		json_t *ev = NULL, *doc = NULL;
		report r;

		buf = corpus_file(cases[i].file, &len);
		assert_int_equal(sentry_envelope_parse(&env, buf, len, 1024 * 1024, err, sizeof(err)), 0);
		for (j = 0; j < env.nitems && !ev; j++)
			if (strcmp(env.items[j].type, "event") == 0)
				ev = json_loadb(env.items[j].payload, env.items[j].len, 0, NULL);
		assert_non_null(ev);
		assert_int_equal(sentry_event_map(ev, 256, &doc, id, err, sizeof(err), field,
						  sizeof(field)),
				 0);
		assert_string_equal(id, json_string_value(json_object_get(env.headers, "event_id")));
		assert_string_equal(sget(doc, "kind"), cases[i].kind);
		assert_string_equal(sget(json_object_get(doc, "build"), "revision"), "3f2c9a1b7e0d");
		assert_string_equal(sget(json_object_get(doc, "build"), "channel"), "beta");
		if (cases[i].top)
			assert_string_equal(sget(json_array_get(json_object_get(doc, "frames"), 0),
						 "function"),
					    cases[i].top);
		else
			assert_null(json_object_get(doc, "frames"));
		parse_ok(doc, &r);
		assert_string_equal(r.title, cases[i].title);
		report_free(&r);
		json_decref(doc);
		json_decref(ev);
		sentry_envelope_free(&env);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_js_message_with_stack),
		cmocka_unit_test(test_native_signal_crash),
		cmocka_unit_test(test_js_uncaught_string),
		cmocka_unit_test(test_js_chain),
		cmocka_unit_test(test_release_forms),
		cmocka_unit_test(test_recorded_envelopes),
		cmocka_unit_test(test_auto_ip_is_no_tester),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
