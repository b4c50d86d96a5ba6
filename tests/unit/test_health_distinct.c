/* test_health_distinct.c - installs counted once per scope, and their first crash, over many rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "model/health_distinct.h"

/* Add a row; "n" when new, "c" when it is the install's first crash there, "nc" both, "-". */
static const char *add(health_distinct *d, const void *scope, const char *did, int crashed)
{
	static char out[4];
	int is_new = -1, now_crashed = -1;

	assert_int_equal(health_distinct_add(d, scope, did, crashed, &is_new, &now_crashed), 0);
	snprintf(out, sizeof(out), "%s%s%s", is_new ? "n" : "", now_crashed ? "c" : "",
		 is_new || now_crashed ? "" : "-");
	return out;
}

/* An install in two rows of one scope (two channels) is one install; in another scope it is new
 * again; its crash counts once per scope, whichever row brings it. */
static void test_once_per_scope(void **state)
{
	health_distinct *d = health_distinct_new();
	static const char windows[] = "Windows", linux_[] = "Linux";

	(void)state;
	assert_non_null(d);
	assert_string_equal(add(d, windows, "w1", 0), "n");
	assert_string_equal(add(d, windows, "w1", 1), "c");
	assert_string_equal(add(d, windows, "w1", 1), "-");
	assert_string_equal(add(d, windows, "w1", 0), "-");
	assert_string_equal(add(d, windows, "w2", 1), "nc");
	assert_string_equal(add(d, linux_, "w1", 0), "n");
	assert_string_equal(add(d, linux_, "", 0), "n");
	assert_string_equal(add(d, linux_, "", 0), "-");
	health_distinct_free(d);
	health_distinct_free(NULL);
}

/* Many installs in a few scopes (the set grows many times): each counted once, by hand. */
static void test_many(void **state)
{
	health_distinct *d = health_distinct_new();
	static const char scopes[3][2] = {"a", "b", "c"};
	char did[64];
	int i, s, is_new, now_crashed, installs = 0, crashed = 0;

	(void)state;
	assert_non_null(d);
	for (i = 0; i < 20000; i++) {
		/* install i % 5000 in scope i % 3: 20000 rows, 15000 (scope, install) pairs */
		snprintf(did, sizeof(did), "install-%05d-with-a-longer-id-than-most", i % 5000);
		s = i % 3;
		assert_int_equal(
		    health_distinct_add(d, scopes[s], did, i % 7 == 0, &is_new, &now_crashed), 0);
		installs += is_new;
		crashed += now_crashed;
	}
	assert_int_equal(installs, 15000);
	/* i and i + 15000 are the same pair; crashed when either is a multiple of 7. */
	{
		int want = 0;

		for (i = 0; i < 15000; i++)
			want += i % 7 == 0 || (i + 15000 < 20000 && (i + 15000) % 7 == 0);
		assert_int_equal(crashed, want);
	}
	health_distinct_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_once_per_scope),
	    cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
