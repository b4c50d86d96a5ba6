/* test_ratelimit.c - token buckets and connection counts, and new limits set while in use (a reload). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/ratelimit.h"

/* How many of `n` requests at the same instant the bucket of `key` lets through. */
static int allowed(ratelimit *l, const char *key, int n, int64_t now)
{
	int i, ok = 0;

	for (i = 0; i < n; i++)
		ok += ratelimit_take(l, key, 1, now) == 0;
	return ok;
}

static void test_a_rate_set_later_applies(void **state)
{
	ratelimit *l;

	(void)state;
	assert_int_equal(ratelimit_new(&l, 0, 0, 0), 0);
	assert_int_equal(allowed(l, "a", 100, 1000), 100); /* no limit */
	ratelimit_set(l, 1, 4, 0);
	assert_int_equal(allowed(l, "a", 10, 2000), 4); /* a bucket of 4 */
	assert_true(ratelimit_take(l, "a", 1, 2000) >= 1); /* and how long to wait */
	assert_int_equal(allowed(l, "a", 10, 4000), 2);    /* refilled at 1/s */
	ratelimit_set(l, 0, 0, 0);
	assert_int_equal(allowed(l, "a", 100, 4000), 100); /* lifted */
	ratelimit_free(l);
}

static void test_a_connection_limit_set_later_counts_open_connections(void **state)
{
	ratelimit *l;
	int i;

	(void)state;
	assert_int_equal(ratelimit_new(&l, 0, 0, 0), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(ratelimit_conn_open(l, "a", 1), 0);
	/* The three connections opened while there was no limit count against it. */
	ratelimit_set(l, 0, 0, 2);
	assert_int_equal(ratelimit_conn_open(l, "a", 1), -1);
	assert_int_equal(ratelimit_conn_open(l, "b", 1), 0); /* another address */
	ratelimit_conn_close(l, "a", 1);
	assert_int_equal(ratelimit_conn_open(l, "a", 1), -1); /* still 2 */
	ratelimit_conn_close(l, "a", 1);
	assert_int_equal(ratelimit_conn_open(l, "a", 1), 0);
	/* Lifted and set again: the count stayed right meanwhile. */
	ratelimit_set(l, 0, 0, 0);
	assert_int_equal(ratelimit_conn_open(l, "a", 1), 0); /* 3 */
	ratelimit_set(l, 0, 0, 3);
	assert_int_equal(ratelimit_conn_open(l, "a", 1), -1);
	ratelimit_conn_close(l, "a", 1);
	assert_int_equal(ratelimit_conn_open(l, "a", 1), 0);
	ratelimit_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_rate_set_later_applies),
	    cmocka_unit_test(test_a_connection_limit_set_later_counts_open_connections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
