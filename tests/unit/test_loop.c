/* test_loop.c - the event loop's timer: it wakes the loop on time, never early, once per arming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/loop.h"

typedef struct fired {
	int count;
	int64_t at; /* loop_clock_ms() when it last fired */
	int stop;   /* stop the loop when it fires */
} fired;

static void on_timer(loop *l, void *data)
{
	fired *f = data;

	f->count++;
	f->at = loop_clock_ms();
	if (f->stop)
		loop_stop(l);
}

static void on_tick_stop(loop *l, void *data)
{
	int *ticks = data;

	(*ticks)++;
	loop_stop(l);
}

/*
 * Nothing else wakes the loop (its tick is 30 s away): the timer must. It may
 * fire late on a loaded machine, so the bound above is generous; it is far
 * below the tick, which is what a loop without a working timer would wait for.
 */
static void test_timer_wakes_the_loop(void **state)
{
	loop *l;
	fired f = {.stop = 1};
	int ticks = 0;
	int64_t at;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	loop_set_tick(l, 30000, on_tick_stop, &ticks);
	at = loop_clock_ms() + 150;
	loop_set_timer(l, at, on_timer, &f);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(f.count, 1);
	assert_int_equal(ticks, 0);
	assert_true(f.at >= at);        /* never early */
	assert_true(f.at < at + 10000); /* not left to the tick */
	loop_free(l);
}

/* It fires once per arming; arming again replaces the time; 0 disarms. */
static void test_timer_once_replaced_disarmed(void **state)
{
	loop *l;
	fired f = {0}, g = {0};
	int ticks = 0;
	int64_t t0, at;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	t0 = loop_clock_ms();
	/* The tick ends each run, 400 ms on: time for a wrongly repeating timer to repeat. */
	loop_set_tick(l, 400, on_tick_stop, &ticks);
	loop_set_timer(l, t0 + 50, on_timer, &f);
	at = t0 + 120;
	loop_set_timer(l, at, on_timer, &f); /* replaces the first */
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(f.count, 1);
	assert_true(f.at >= at);

	loop_set_tick(l, 400, on_tick_stop, &ticks);
	loop_set_timer(l, loop_clock_ms() + 50, on_timer, &g);
	loop_set_timer(l, 0, on_timer, &g); /* disarmed */
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(g.count, 0);
	assert_int_equal(ticks, 2);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timer_wakes_the_loop),
	    cmocka_unit_test(test_timer_once_replaced_disarmed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
