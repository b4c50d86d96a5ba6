/* test_ranking.c - the hall of fame's score and order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "model/ranking.h"

static void test_score_weighs_fixes_and_shipped_over_votes(void **state)
{
	(void)state;
	assert_int_equal(ranking_score(0, 0, 0), 0);
	assert_int_equal(ranking_score(1, 0, 0), 3);
	assert_int_equal(ranking_score(0, 1, 0), 3);
	assert_int_equal(ranking_score(0, 0, 1), 1);
	assert_int_equal(ranking_score(2, 1, 4), 13);
	assert_int_equal(ranking_score(-5, 1, -1), 3); /* nothing below none */
}

static void test_order_score_then_fixes_then_shipped_then_name(void **state)
{
	ranking_entry e[] = {
	    {"Bob", 0, 0, 1, 0},  /* 1 */
	    {"Ada", 0, 1, 0, 0},  /* 3, a shipped suggestion */
	    {"Rosa", 1, 0, 0, 0}, /* 3, a fixed report: before Ada */
	    {"Cyd", 0, 0, 3, 0},  /* 3, votes only: after both */
	    {"Abe", 0, 0, 1, 0},  /* 1, before Bob by name */
	    {"Max", 2, 2, 2, 0},  /* 14 */
	};
	const char *want[] = {"Max", "Rosa", "Ada", "Cyd", "Abe", "Bob"};
	size_t i;

	(void)state;
	ranking_sort(e, sizeof(e) / sizeof(e[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(e[i].name, want[i]);
	assert_int_equal(e[0].score, 14);
	assert_int_equal(e[5].score, 1);
	ranking_sort(NULL, 0); /* nothing to rank */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_score_weighs_fixes_and_shipped_over_votes),
	    cmocka_unit_test(test_order_score_then_fixes_then_shipped_then_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
