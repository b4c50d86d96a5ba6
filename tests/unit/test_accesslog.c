/* test_accesslog.c - what the access log shows of a request's path and query: secrets redacted, bytes escaped, length cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "net/accesslog.h"

static const char *shown(const char *path, const char *query, int json)
{
	static char out[4096];
	http_slice p = {path, strlen(path)}, q = {query, strlen(query)};

	out[0] = '\0';
	accesslog_target(out, sizeof(out), 0, p, q, json);
	return out;
}

static void test_redacted_query_values(void **state)
{
	static const struct {
		const char *query, *want;
	} cases[] = {
	    {"sentry_key=abc&sentry_version=7", "sentry_key=REDACTED&sentry_version=7"},
	    {"token=t&page=2", "token=REDACTED&page=2"},
	    {"key=k", "key=REDACTED"},
	    {"API_KEY=k&q=crash", "API_KEY=REDACTED&q=crash"},
	    {"password=p", "password=REDACTED"},
	    {"access_token=x", "access_token=REDACTED"},
	    {"session=s&cookie=c&sig=g&code=c&secret=s&auth=a",
	     "session=REDACTED&cookie=REDACTED&sig=REDACTED&code=REDACTED&secret=REDACTED&auth=REDACTED"},
	    /* The handlers decode names: an escaped one is never trusted to be harmless. */
	    {"sentry%5Fkey=abc", "sentry%5Fkey=REDACTED"},
	    {"a+b=c", "a+b=REDACTED"},
	    {"q=crash&limit=50", "q=crash&limit=50"},
	    {"token", "token"},
	    {"&&token=x&", "&&token=REDACTED&"},
	    {"token==x", "token=REDACTED"},
	};
	size_t i;
	char want[512];

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "/api/v1/projects/demo/reports?%s", cases[i].want);
		assert_string_equal(shown("/api/v1/projects/demo/reports", cases[i].query, 0), want);
	}
}

static void test_key_in_path(void **state)
{
	(void)state;
	assert_string_equal(shown("/api/v1/projects/demo/keys/0123456789abcdef", "", 0),
			    "/api/v1/projects/demo/keys/REDACTED");
	assert_string_equal(shown("/api/v1/projects/demo/keys", "", 0), "/api/v1/projects/demo/keys");
	assert_string_equal(shown("/api/v1/projects/keys/reports", "", 0),
			    "/api/v1/projects/keys/REDACTED");
}

static void test_escaping(void **state)
{
	(void)state;
	assert_string_equal(shown("/a\"b\\c", "x=\"", 0), "/a\\x22b\\x5Cc?x=\\x22");
	assert_string_equal(shown("/a\"b\\c", "x=\"", 1), "/a\\\"b\\\\c?x=\\\"");
}

static void test_cut(void **state)
{
	char path[2000], query[3000];
	const char *out;

	(void)state;
	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	out = shown(path, "token=x", 0);
	assert_int_equal(strlen(out), 512 + 3);
	assert_string_equal(out + 512, "...");
	/* A secret after the cut is not shown at all; one before it is redacted. */
	memset(query, 'a', sizeof(query) - 1);
	memcpy(query, "token=", 6);
	query[sizeof(query) - 1] = '\0';
	out = shown("/x", query, 0);
	assert_string_equal(out, "/x?token=REDACTED...");
}

static void test_project_and_ingest(void **state)
{
	static const struct {
		const char *method, *path, *project;
		int by_id, ingest;
	} cases[] = {
	    {"POST", "/api/v1/projects/demo/reports", "demo", 0, 1},
	    {"GET", "/api/v1/projects/demo/reports", "demo", 0, 0},
	    {"POST", "/api/v1/projects/demo/reports/R-1", "demo", 0, 0},
	    {"POST", "/api/42/envelope/", "42", 1, 1},
	    {"POST", "/api/42/store/", "42", 1, 1},
	    {"GET", "/healthz", NULL, 0, 0},
	    {"POST", "/api/v1/projects//reports", NULL, 0, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		http_slice m = {cases[i].method, strlen(cases[i].method)};
		http_slice p = {cases[i].path, strlen(cases[i].path)}, proj;
		int by_id = -1, found = accesslog_project(p, &proj, &by_id);

		assert_int_equal(accesslog_is_ingest(m, p), cases[i].ingest);
		if (!cases[i].project) {
			assert_int_equal(found, 0);
			continue;
		}
		assert_int_equal(found, 1);
		assert_int_equal(by_id, cases[i].by_id);
		assert_int_equal(proj.len, strlen(cases[i].project));
		assert_memory_equal(proj.p, cases[i].project, proj.len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_redacted_query_values),
	    cmocka_unit_test(test_key_in_path),
	    cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_cut),
	    cmocka_unit_test(test_project_and_ingest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
