/* test_health_metrics.c - the arithmetic of release health and the judging of its gates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "model/health_gate_judge.h"
#include "model/health_metrics.h"

static void test_pct_and_round(void **state)
{
	(void)state;
	assert_true(health_pct(1, 0) < 0); /* no whole: null */
	assert_float_equal(health_pct(1, 4), 25.0, 1e-9);
	assert_float_equal(health_round3(99.66666), 99.667, 1e-9);
	assert_float_equal(health_round3(-0.0004), 0.0, 1e-9);
	assert_float_equal(health_round3(-1.2345), -1.235, 1e-9); /* halves away from zero */
}

static void test_rates_of_a_build(void **state)
{
	health_sum s;
	double m[HEALTH_M_N];

	(void)state;
	memset(&s, 0, sizeof(s));
	/* 200 sessions: 3 crashed, 2 abnormal, 9 errored of which 5 handled; 40 installs, 2 of
	 * which crashed. */
	s.started = 200;
	s.crashed = 3;
	s.abnormal = 2;
	s.errored = 10;
	s.installs = 40;
	s.crashed_installs = 2;
	health_metrics_of(&s, m);
	assert_float_equal(m[HEALTH_M_CFS], 98.5, 1e-9);
	assert_float_equal(m[HEALTH_M_CFI], 95.0, 1e-9);
	assert_int_equal(health_handled(&s), 5);
	assert_float_equal(m[HEALTH_M_ERR], 2.5, 1e-9);
	assert_float_equal(m[HEALTH_M_ABN], 1.0, 1e-9);
	assert_true(m[HEALTH_M_MED] < 0); /* no ended session */
	s.errored = 1;                    /* fewer errored than crashed and abnormal: none handled */
	assert_int_equal(health_handled(&s), 0);
	memset(&s, 0, sizeof(s));
	health_metrics_of(&s, m);
	assert_true(m[HEALTH_M_CFS] < 0 && m[HEALTH_M_CFI] < 0 && m[HEALTH_M_ERR] < 0 &&
		    m[HEALTH_M_ABN] < 0);
	assert_string_equal(health_metric_names[HEALTH_M_MED], "median_duration_s");
}

static void test_median_from_the_histogram(void **state)
{
	health_sum s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.buckets[0] = 3; /* under a second */
	assert_float_equal(health_median_s(&s), 0.5, 1e-9);
	s.buckets[1] = 1;
	s.buckets[9] = 4; /* [4, 4.76) s: the middle is 2^(8/4 + 1/8) */
	/* 8 sessions: the 4th (the middle) is in bucket 1, [1, 1.19) s */
	assert_float_equal(health_median_s(&s), 1.0905077326652577, 1e-9);
	s.buckets[9] = 5; /* 9 sessions: the 5th is in bucket 9 */
	assert_float_equal(health_median_s(&s), 4.0 * 1.0905077326652577, 1e-9);
	s.buckets[0] = 0;
	s.buckets[9] = 0; /* one session in bucket 1 */
	assert_float_equal(health_median_s(&s), 1.0905077326652577, 1e-9);
	s.buckets[80] = 2; /* the last bucket: 2^(79/4 + 1/8) s */
	assert_float_equal(health_median_s(&s), 961548.43, 0.01);
}

static void test_rating_distribution(void **state)
{
	health_sum s;
	double mean;
	int64_t n;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(health_rating(&s, &mean, &n), 0);
	assert_int_equal(n, 0);
	s.ratings[5] = 2;
	s.ratings[2] = 1;
	assert_int_equal(health_rating(&s, &mean, &n), 3);
	assert_int_equal(n, 3);
	assert_float_equal(mean, 4.0, 1e-9);
	s.ratings[1] = 3; /* (10 + 2 + 3) / 6 */
	health_rating(&s, &mean, &n);
	assert_float_equal(mean, 2.5, 1e-9);
}

static void test_change_against_the_previous_build(void **state)
{
	double mb[HEALTH_M_N] = {99.5, 90.0, -1, 0.25, 3.0};
	double mp[HEALTH_M_N] = {98.0, -1, 1.0, 0.5, 2.0};
	double d[HEALTH_M_N];
	int has[HEALTH_M_N];

	(void)state;
	health_change(mb, mp, d, has);
	assert_true(has[HEALTH_M_CFS]);
	assert_float_equal(d[HEALTH_M_CFS], 1.5, 1e-9);
	assert_false(has[HEALTH_M_CFI]); /* the previous build had no installs */
	assert_false(has[HEALTH_M_ERR]); /* this one has no sessions */
	assert_float_equal(d[HEALTH_M_ABN], -0.25, 1e-9);
	assert_float_equal(d[HEALTH_M_MED], 1.0, 1e-9);
}

static void test_gates(void **state)
{
	double m[HEALTH_M_N] = {99.4, 100.0, 0.5, -1, 2.0};

	(void)state;
	assert_int_equal(health_gate_metric("crash_free_sessions"), HEALTH_M_CFS);
	assert_int_equal(health_gate_metric("abnormal_rate"), HEALTH_M_ABN);
	assert_int_equal(health_gate_metric("median_duration_s"), -1); /* not gated */
	assert_int_equal(health_gate_metric("nope"), -1);
	assert_true(health_gate_holds(99.5, ">=", 99.5));
	assert_false(health_gate_holds(99.5, ">", 99.5));
	assert_true(health_gate_holds(0.5, "<=", 0.5));
	assert_false(health_gate_holds(0.5, "<", 0.5));
	/* crash-free sessions >= 99.5 % over >= 500 sessions */
	assert_int_equal(health_gate_judge(HEALTH_M_CFS, ">=", 99.5, 500, 600, m), HEALTH_GATE_FAIL);
	assert_int_equal(health_gate_judge(HEALTH_M_CFS, ">=", 99.0, 500, 600, m), HEALTH_GATE_PASS);
	assert_int_equal(health_gate_judge(HEALTH_M_CFS, ">=", 99.0, 500, 499, m),
			 HEALTH_GATE_INSUFFICIENT);
	assert_int_equal(health_gate_judge(HEALTH_M_CFS, ">=", 99.0, 0, 0, m),
			 HEALTH_GATE_INSUFFICIENT); /* no sessions */
	assert_int_equal(health_gate_judge(HEALTH_M_ABN, "<", 1.0, 0, 10, m),
			 HEALTH_GATE_INSUFFICIENT); /* no figure */
	assert_string_equal(health_gate_status_name(HEALTH_GATE_PASS), "pass");
	assert_string_equal(health_gate_status_name(HEALTH_GATE_FAIL), "fail");
	assert_string_equal(health_gate_status_name(HEALTH_GATE_INSUFFICIENT), "insufficient");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pct_and_round),
	    cmocka_unit_test(test_rates_of_a_build),
	    cmocka_unit_test(test_median_from_the_histogram),
	    cmocka_unit_test(test_rating_distribution),
	    cmocka_unit_test(test_change_against_the_previous_build),
	    cmocka_unit_test(test_gates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
