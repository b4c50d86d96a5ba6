/* loop.c - a small epoll event loop: file descriptors, a periodic tick, tasks posted from other threads. */
#include "net/loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define LOOP_EVENTS 128

struct loop {
	int epfd;
	loop_watch wake; /* eventfd: tasks were posted */
	pthread_mutex_t lock;
	loop_task *head, *tail; /* posted, not yet run; guarded by lock */
	int stop;
	int64_t now;
	int tick_ms;
	int64_t next_tick;
	void (*tick)(loop *l, void *data);
	void *tick_data;
	int64_t timer_at; /* 0: no timer */
	void (*timer)(loop *l, void *data);
	void *timer_data;
	void (*before_sleep)(loop *l, void *data);
	void *before_sleep_data;
};

int64_t loop_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void run_posted(loop *l)
{
	loop_task *t, *next;

	pthread_mutex_lock(&l->lock);
	t = l->head;
	l->head = l->tail = NULL;
	pthread_mutex_unlock(&l->lock);
	for (; t; t = next) {
		next = t->next; /* fn may free t */
		t->fn(t);
	}
}

static void on_wake(loop *l, loop_watch *w, uint32_t events)
{
	uint64_t n;

	(void)events;
	while (read(w->fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
		;
	run_posted(l);
}

int loop_new(loop **out)
{
	loop *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (!l)
		return -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->wake.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	l->wake.fn = on_wake;
	pthread_mutex_init(&l->lock, NULL);
	l->now = loop_clock_ms();
	if (l->epfd < 0 || l->wake.fd < 0 || loop_add(l, &l->wake, EPOLLIN) < 0) {
		loop_free(l);
		return -1;
	}
	*out = l;
	return 0;
}

void loop_free(loop *l)
{
	if (!l)
		return;
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->wake.fd >= 0)
		close(l->wake.fd);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

int loop_add(loop *l, loop_watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

int loop_mod(loop *l, loop_watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

int loop_del(loop *l, loop_watch *w)
{
	return epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

void loop_post(loop *l, loop_task *t)
{
	uint64_t one = 1;
	int was_empty;

	t->next = NULL;
	pthread_mutex_lock(&l->lock);
	was_empty = l->head == NULL;
	if (l->tail)
		l->tail->next = t;
	else
		l->head = t;
	l->tail = t;
	pthread_mutex_unlock(&l->lock);
	/* One wake-up per batch is enough: the loop drains the whole list. */
	if (was_empty && write(l->wake.fd, &one, sizeof(one)) < 0) {
		/* EAGAIN means the counter is already non-zero: the loop will wake. */
	}
}

void loop_set_tick(loop *l, int interval_ms, void (*fn)(loop *l, void *data), void *data)
{
	l->tick_ms = interval_ms;
	l->tick = fn;
	l->tick_data = data;
	l->next_tick = loop_clock_ms() + interval_ms;
}

void loop_set_timer(loop *l, int64_t at, void (*fn)(loop *l, void *data), void *data)
{
	l->timer_at = at;
	l->timer = fn;
	l->timer_data = data;
}

void loop_drain(loop *l)
{
	run_posted(l);
}

void loop_set_before_sleep(loop *l, void (*fn)(loop *l, void *data), void *data)
{
	l->before_sleep = fn;
	l->before_sleep_data = data;
}

void loop_stop(loop *l)
{
	l->stop = 1;
}

int64_t loop_now(const loop *l)
{
	return l->now;
}

int loop_run(loop *l)
{
	struct epoll_event ev[LOOP_EVENTS];
	int i, n, timeout;

	l->stop = 0;
	while (!l->stop) {
		if (l->before_sleep)
			l->before_sleep(l, l->before_sleep_data);
		timeout = -1;
		if (l->tick || l->timer_at) {
			int64_t at = l->tick ? l->next_tick : l->timer_at, left;

			if (l->timer_at && l->timer_at < at)
				at = l->timer_at;
			left = at - loop_clock_ms();
			timeout = left < 0 ? 0 : (int)left;
		}
		n = epoll_wait(l->epfd, ev, LOOP_EVENTS, timeout);
		if (n < 0 && errno != EINTR)
			return -1;
		l->now = loop_clock_ms();
		for (i = 0; i < n; i++) {
			loop_watch *w = ev[i].data.ptr;
			w->fn(l, w, ev[i].events);
		}
		if (l->timer_at && l->now >= l->timer_at) {
			l->timer_at = 0; /* one-shot: fn may arm it again */
			l->timer(l, l->timer_data);
		}
		if (l->tick && l->now >= l->next_tick) {
			l->next_tick = l->now + l->tick_ms;
			l->tick(l, l->tick_data);
		}
	}
	return 0;
}
