/* test_cors.c - the Sentry ingest paths and the back-off headers their 429 answers carry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "http/http.h"

static int is_sentry(const char *s)
{
	http_slice p = {s, strlen(s)};

	return http_sentry_path(p);
}

static void test_paths(void **state)
{
	(void)state;
	assert_true(is_sentry("/api/1/envelope/"));
	assert_true(is_sentry("/api/42/store/"));
	assert_true(is_sentry("/api/0012345/envelope/"));
	assert_false(is_sentry("/api/envelope/"));
	assert_false(is_sentry("/api//store/"));
	assert_false(is_sentry("/api/1a/store/"));
	assert_false(is_sentry("/api/1/envelope"));
	assert_false(is_sentry("/api/1/store"));
	assert_false(is_sentry("/api/1/envelope/x"));
	assert_false(is_sentry("/api/1/Envelope/"));
	assert_false(is_sentry("/api/v1/reports"));
	assert_false(is_sentry("/api/v1/session"));
	assert_false(is_sentry("/api/1234567890123456789/store/")); /* 19 digits: no project id */
	assert_false(is_sentry(""));
	assert_false(is_sentry("/x/api/1/store/"));
}

static void test_retry_headers(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(http_sentry_retry_headers(out, sizeof(out), 60), 0);
	assert_string_equal(out, "Retry-After: 60\r\nX-Sentry-Rate-Limits: 60::organization\r\n");
	/* a wait of nothing still asks for a second: 0 would mean "no limit" */
	assert_int_equal(http_sentry_retry_headers(out, sizeof(out), 0), 0);
	assert_string_equal(out, "Retry-After: 1\r\nX-Sentry-Rate-Limits: 1::organization\r\n");
	assert_int_equal(http_sentry_retry_headers(out, 20, 60), -1);
	/* the constants are header lines, the allowed headers those the SDKs send */
	assert_non_null(strstr(HTTP_CORS_SENTRY_HEADERS, "Access-Control-Allow-Origin: *\r\n"));
	assert_non_null(strstr(HTTP_CORS_SENTRY_HEADERS,
			       "Access-Control-Expose-Headers: x-sentry-error, x-sentry-rate-limits, "
			       "retry-after\r\n"));
	assert_non_null(strstr(HTTP_CORS_SENTRY_PREFLIGHT, "x-sentry-auth"));
	assert_non_null(strstr(HTTP_CORS_SENTRY_PREFLIGHT, "sentry-trace, baggage\r\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_retry_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
