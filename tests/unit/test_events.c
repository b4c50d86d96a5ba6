/* test_events.c - the events' JSON: each type's fields, optional ones left out, the envelope
 * without the internal fields for anything that leaves the server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "model/events.h"

static void test_optional_fields_left_out(void **state)
{
	char *d = events_group_status_changed(3, "SIGSEGV", "triaged", NULL);

	(void)state;
	assert_string_equal(d, "{\"group\":\"G-3\",\"title\":\"SIGSEGV\",\"status\":\"triaged\"}");
	free(d);
	d = events_release_created("1.0.0", "abc", NULL);
	assert_string_equal(d, "{\"release\":\"1.0.0\",\"commit\":\"abc\"}");
	free(d);
}

static void test_envelope_public_strips_internal(void **state)
{
	char *d = events_report_comment(12, 3, 7, "Thanks", "alice", "install-1");
	char *inside = events_envelope(42, "report.comment", "demo", 0, d, 0);
	char *out = events_envelope(42, "report.comment", "demo", 0, d, 1);

	(void)state;
	assert_non_null(strstr(inside, "\"install_id\":\"install-1\""));
	assert_string_equal(out, "{\"id\":\"evt_42\",\"type\":\"report.comment\",\"project\":\"demo\","
				 "\"time\":\"1970-01-01T00:00:00Z\",\"data\":{\"report\":\"R-12\","
				 "\"group\":\"G-3\",\"comment\":{\"id\":7,\"body\":\"Thanks\","
				 "\"author\":\"alice\"}}}");
	assert_true(events_field_internal("author_install"));
	assert_false(events_field_internal("title"));
	free(d);
	free(inside);
	free(out);
	d = events_suggestion_shipped(4, "Dark mode", "1.4.0", "planned", "install-2");
	out = events_envelope(43, "suggestion.shipped", "demo", 0, d, 1);
	assert_null(strstr(out, "install-2"));
	assert_non_null(strstr(out, "\"release\":\"1.4.0\""));
	free(d);
	free(out);
	assert_null(events_envelope(1, "x", "demo", 0, "[1]", 1)); /* data must be an object */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_optional_fields_left_out),
	    cmocka_unit_test(test_envelope_public_strips_internal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
