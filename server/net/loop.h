/* loop.h - a small epoll event loop: file descriptors, a periodic tick, tasks posted from other threads. */
#ifndef PROSUM_LOOP_H
#define PROSUM_LOOP_H

#include <stdint.h>
#include <sys/epoll.h>

typedef struct loop loop;

/*
 * What a registered fd calls back. The watch is owned by the caller (usually
 * embedded in a connection) and must stay alive until loop_del().
 */
typedef struct loop_watch loop_watch;
typedef void (*loop_fd_fn)(loop *l, loop_watch *w, uint32_t events);
struct loop_watch {
	int fd;
	loop_fd_fn fn;
	void *data;
};

/*
 * Work handed to a loop from any thread; `fn` runs on the loop's thread, in
 * posting order. The task is owned by the poster and must live until `fn` ran.
 */
typedef struct loop_task loop_task;
struct loop_task {
	void (*fn)(loop_task *t);
	loop_task *next;
};

/* Make a loop. 0, or -1 with errno. Free with loop_free() once it stopped. */
int loop_new(loop **out);
void loop_free(loop *l);

/* Register, change or remove interest in an fd. 0 or -1 with errno. Loop thread only. */
int loop_add(loop *l, loop_watch *w, uint32_t events);
int loop_mod(loop *l, loop_watch *w, uint32_t events);
int loop_del(loop *l, loop_watch *w);

/* Thread-safe: queue `t` and wake the loop. */
void loop_post(loop *l, loop_task *t);

/* Call fn(l, data) about every interval_ms, on the loop thread. */
void loop_set_tick(loop *l, int interval_ms, void (*fn)(loop *l, void *data), void *data);

/*
 * Call fn(l, data) once, on the loop thread, when the monotonic clock
 * (loop_clock_ms()) reaches `at`; `at` 0 disarms. One timer per loop: setting
 * it again replaces it. Cheap enough to re-arm before every wait.
 */
void loop_set_timer(loop *l, int64_t at, void (*fn)(loop *l, void *data), void *data);

/*
 * Call fn(l, data) before each wait for events: the place to free what the
 * callbacks of this round closed, since an event for it may still follow.
 */
void loop_set_before_sleep(loop *l, void (*fn)(loop *l, void *data), void *data);

/* Run the tasks posted so far, on the calling thread; for after the loop stopped
 * (work that is not tied to a connection, finished during shutdown). */
void loop_drain(loop *l);

/* Run until loop_stop() is called from the loop's thread. 0, or -1 when epoll fails. */
int loop_run(loop *l);
void loop_stop(loop *l);

/* Monotonic milliseconds, refreshed at each wake-up. */
int64_t loop_now(const loop *l);
int64_t loop_clock_ms(void);

#endif
