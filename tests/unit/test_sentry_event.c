/* test_sentry_event.c - Sentry SDK events (as the Python SDK sends them) mapped to report documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/report.h"
#include "sentry/event.h"

static const report_limits limits = {
	.max_json = 256 * 1024, .max_frames = 256, .max_tags = 64, .max_field = 16384};

/* An exception event as sentry-python 1.9 records it (trimmed): a chain of two, the raised last. */
static const char exception_event[] =
	"{\"event_id\":\"9EC79C33-EC99-42AB-8353-589FCB2E04DC\",\"level\":\"error\","
	"\"platform\":\"python\",\"timestamp\":\"2026-12-05T20:00:00.123456Z\","
	"\"release\":\"app@1.4.0+abc1234\",\"dist\":\"7\",\"environment\":\"beta\","
	"\"server_name\":\"box\",\"tags\":[[\"gpu\",\"intel\"],[\"n\",3]],"
	"\"user\":{\"id\":\"u-42\",\"email\":\"ada@example.org\"},"
	"\"contexts\":{\"os\":{\"name\":\"Linux\",\"version\":\"6.1\"},\"device\":{\"arch\":\"x86_64\"},"
	"\"runtime\":{\"name\":\"CPython\",\"version\":\"3.11.2\"}},"
	"\"breadcrumbs\":{\"values\":[{\"category\":\"http\",\"data\":{\"Authorization\":\"Bearer x\"}}]},"
	"\"request\":{\"headers\":[[\"Cookie\",\"sid=1\"],[\"Accept\",\"*/*\"]]},"
	"\"extra\":{\"db_password\":\"hunter2\",\"ok\":\"yes\",\"nested\":{\"API_KEY\":{\"a\":1}}},"
	"\"modules\":{\"oauthlib\":\"3.2.2\",\"requests-session\":\"1.0\",\"odd\":{\"token\":\"t\"}},"
	"\"exception\":{\"values\":["
	"{\"type\":\"KeyError\",\"value\":\"'x'\",\"module\":null},"
	"{\"type\":\"ValueError\",\"value\":\"bad palette\",\"mechanism\":{\"type\":\"excepthook\"},"
	"\"stacktrace\":{\"frames\":["
	"{\"function\":\"<module>\",\"module\":\"__main__\",\"filename\":\"app.py\",\"abs_path\":\"/src/app.py\",\"lineno\":30,\"in_app\":true},"
	"{\"function\":\"open_image\",\"module\":\"viewer.image\",\"abs_path\":\"/src/viewer/image.py\",\"lineno\":48,\"in_app\":true},"
	"{\"function\":\"read_palette\",\"package\":\"libpng.so\",\"filename\":\"png.c\",\"lineno\":120,\"in_app\":false,\"instruction_addr\":\"0x4011d6\"}"
	"]}}]}}";

static json_t *map_ok(const char *text, char id[SENTRY_EVENT_ID_LEN + 1])
{
	json_t *ev = json_loads(text, 0, NULL), *doc = NULL;
	char err[256], field[64];

	assert_non_null(ev);
	assert_int_equal(sentry_event_map(ev, 256, &doc, id, err, sizeof(err), field, sizeof(field)), 0);
	json_decref(ev);
	assert_non_null(doc);
	return doc;
}

static const char *sget(json_t *doc, const char *path)
{
	char buf[128], *p, *save;
	json_t *v = doc;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf; p; p = save) {
		save = strchr(p, '.');
		if (save)
			*save++ = '\0';
		v = json_object_get(v, p);
	}
	return json_string_value(v);
}

static void test_exception_event(void **state)
{
	char id[SENTRY_EVENT_ID_LEN + 1], *text;
	json_t *doc, *frames;
	report r;
	report_error err;

	(void)state;
	doc = map_ok(exception_event, id);
	assert_string_equal(id, "9ec79c33ec9942ab8353589fcb2e04dc");
	assert_string_equal(sget(doc, "uuid"), "9ec79c33-ec99-42ab-8353-589fcb2e04dc");
	assert_string_equal(sget(doc, "kind"), "crash");
	assert_string_equal(sget(doc, "exception.type"), "ValueError");
	assert_string_equal(sget(doc, "exception.value"), "bad palette");
	assert_string_equal(sget(doc, "severity"), "error");
	assert_string_equal(sget(doc, "build.version"), "1.4.0");
	assert_string_equal(sget(doc, "build.revision"), "abc1234");
	assert_string_equal(sget(doc, "build.channel"), "beta");
	assert_string_equal(sget(doc, "build.dist"), "7");
	assert_string_equal(sget(doc, "tester.install_id"), "u-42");
	assert_string_equal(sget(doc, "platform.os"), "Linux");
	assert_string_equal(sget(doc, "platform.os_version"), "6.1");
	assert_string_equal(sget(doc, "platform.arch"), "x86_64");
	assert_string_equal(sget(doc, "tags.gpu"), "intel");
	assert_string_equal(sget(doc, "tags.n"), "3");
	/* innermost first */
	frames = json_object_get(doc, "frames");
	assert_int_equal(json_array_size(frames), 3);
	assert_string_equal(sget(json_array_get(frames, 0), "function"), "read_palette");
	assert_string_equal(sget(json_array_get(frames, 0), "file"), "png.c");
	assert_string_equal(sget(json_array_get(frames, 0), "module"), "libpng.so");
	assert_string_equal(sget(json_array_get(frames, 0), "address"), "0x4011d6");
	assert_true(json_is_false(json_object_get(json_array_get(frames, 0), "in_app")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(frames, 0), "line")), 120);
	assert_string_equal(sget(json_array_get(frames, 1), "file"), "/src/viewer/image.py");
	assert_string_equal(sget(json_array_get(frames, 1), "module"), "viewer.image");
	assert_string_equal(sget(json_array_get(frames, 2), "function"), "<module>");
	/* kept, scrubbed */
	assert_string_equal(sget(doc, "contexts.runtime.name"), "CPython");
	assert_string_equal(sget(doc, "extra.db_password"), "[Filtered]");
	assert_string_equal(sget(doc, "extra.nested.API_KEY"), "[Filtered]");
	assert_string_equal(sget(doc, "extra.ok"), "yes");
	/* modules are package names and versions: kept as sent, but what hides inside is not */
	assert_string_equal(sget(doc, "modules.oauthlib"), "3.2.2");
	assert_string_equal(sget(doc, "modules.requests-session"), "1.0");
	assert_string_equal(sget(doc, "modules.odd.token"), "[Filtered]");
	assert_string_equal(json_string_value(json_array_get(json_array_get(
				    json_object_get(json_object_get(doc, "request"), "headers"), 0), 1)),
			    "[Filtered]");
	assert_string_equal(
		sget(json_array_get(json_object_get(json_object_get(doc, "breadcrumbs"), "values"), 0),
		     "data.Authorization"),
		"[Filtered]");
	/* and the server takes it as a report, titled from the exception */
	text = json_dumps(doc, JSON_COMPACT);
	assert_int_equal(report_parse(&r, text, strlen(text), &limits, &err), 0);
	assert_string_equal(r.title, "ValueError: bad palette");
	assert_int_equal(r.nframes, 3);
	report_free(&r);
	free(text);
	json_decref(doc);
}

static void test_message_event(void **state)
{
	static const char *const events[] = {
		"{\"event_id\":\"0123456789abcdef0123456789abcdef\",\"message\":\"disk nearly full\\nmore\","
		"\"level\":\"warning\",\"release\":\"0123abcd\"}",
		"{\"event_id\":\"0123456789abcdef0123456789abcdef\",\"logentry\":{\"message\":\"x %s\","
		"\"formatted\":\"disk nearly full\"},\"release\":\"0123abcd\"}",
		"{\"event_id\":\"0123456789abcdef0123456789abcdef\",\"logentry\":{\"message\":\"disk nearly full\"},"
		"\"release\":\"0123abcd\"}",
	};
	char id[SENTRY_EVENT_ID_LEN + 1], *text;
	report r;
	report_error err;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		json_t *doc = map_ok(events[i], id);

		assert_string_equal(sget(doc, "kind"), "bug");
		assert_string_equal(sget(doc, "title"), "disk nearly full");
		assert_string_equal(sget(doc, "build.revision"), "0123abcd");
		assert_null(sget(doc, "build.version"));
		assert_string_equal(sget(doc, "tester.install_id"), "sentry");
		text = json_dumps(doc, JSON_COMPACT);
		assert_int_equal(report_parse(&r, text, strlen(text), &limits, &err), 0);
		report_free(&r);
		free(text);
		json_decref(doc);
	}
}

/* `fingerprint` goes into the document when the report format takes it; else none. */
static void test_fingerprint(void **state)
{
	static const char head[] = "{\"event_id\":\"0123456789abcdef0123456789abcdef\","
				   "\"message\":\"m\",\"fingerprint\":";
	static const char *const dropped[] = {"[]", "\"db\"", "[\"\"]", "[\"db\",3]",
					      "[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\","
					      "\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]"};
	char id[SENTRY_EVENT_ID_LEN + 1], text[512], *out;
	json_t *doc, *fp;
	report r;
	report_error err;
	size_t i;

	(void)state;
	snprintf(text, sizeof(text), "%s[\"{{ default }}\",\"db\"]}", head);
	doc = map_ok(text, id);
	fp = json_object_get(doc, "fingerprint");
	assert_int_equal(json_array_size(fp), 2);
	assert_string_equal(json_string_value(json_array_get(fp, 0)), "{{ default }}");
	assert_string_equal(json_string_value(json_array_get(fp, 1)), "db");
	out = json_dumps(doc, JSON_COMPACT);
	assert_int_equal(report_parse(&r, out, strlen(out), &limits, &err), 0);
	report_free(&r);
	free(out);
	json_decref(doc);
	for (i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++) {
		snprintf(text, sizeof(text), "%s%s}", head, dropped[i]);
		doc = map_ok(text, id);
		assert_null(json_object_get(doc, "fingerprint"));
		json_decref(doc);
	}
}

static void test_refused(void **state)
{
	static const char *const bad[] = {"[]", "{}", "{\"event_id\":\"xyz\"}",
					  "{\"event_id\":\"0123456789abcdef0123456789abcdef00\"}"};
	char id[SENTRY_EVENT_ID_LEN + 1], err[256], field[64];
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		json_t *ev = json_loads(bad[i], 0, NULL), *doc = NULL;

		assert_int_equal(sentry_event_map(ev, 256, &doc, id, err, sizeof(err), field,
						  sizeof(field)),
				 -1);
		assert_null(doc);
		assert_true(err[0]);
		json_decref(ev);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exception_event),
		cmocka_unit_test(test_message_event),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
