/* dispatcher.c - the webhook sender thread: outbox events to deliveries, deliveries to receivers. */
#include "notify/dispatcher.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "net/loop.h"
#include "notify/webhook.h"
#include "store/store_outbox.h"
#include "store/store_webhooks.h"

#define CHANNEL "webhooks"
#define EVENTS_PER_JOB 100
#define DUE_PER_ROUND 16
#define POLL_MS 500 /* how soon a new outbox event is seen */

struct dispatcher {
	store *st;
	loop *loop;
	pthread_t thread;
	atomic_int stop;
	int allow_private;
	char *public_url; /* owned: the base of the links in bodies */
	int64_t base_ms;
	loop_task stop_task;
};

int64_t dispatcher_backoff_ms(int64_t base_ms, int64_t attempt)
{
	int64_t d = base_ms;

	while (--attempt > 0 && d < DISPATCHER_MAX_WAIT_MS)
		d *= 2;
	return d < DISPATCHER_MAX_WAIT_MS ? d : DISPATCHER_MAX_WAIT_MS;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t random64(void)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint64_t)wall_ms() * 2654435761u;
	return r;
}

/* ---- store jobs, waited for on the thread's own loop ---- */

typedef struct djob djob;
struct djob {
	store_job job; /* first */
	dispatcher *d;
	int done;
	int (*fn)(djob *j, store_db *db);
	void *ctx;
};

static int djob_run(store_job *job, store_db *db)
{
	djob *j = (djob *)job;

	return j->fn(j, db);
}

static void djob_done(loop_task *t)
{
	djob *j = (djob *)t;

	j->done = 1;
	loop_stop(j->d->loop);
}

/* Run fn on a store thread (write: in the writer's transaction) and wait for it. */
static int run_job(dispatcher *d, int write, int (*fn)(djob *j, store_db *db), void *ctx)
{
	djob j;
	int rc;

	memset(&j, 0, sizeof(j));
	j.job.run = djob_run;
	j.job.task.fn = djob_done;
	j.job.owner = d->loop;
	j.job.write = write;
	j.d = d;
	j.fn = fn;
	j.ctx = ctx;
	rc = store_submit(d->st, &j.job);
	if (rc != STORE_OK)
		return rc;
	while (!j.done)
		loop_run(d->loop);
	return j.job.result;
}

/* ---- outbox events to deliveries ---- */

typedef struct fan_ctx {
	int64_t now_ms, last;
	int n, made;
	store_db *db;
} fan_ctx;

static int fan_row(void *p, const store_outbox_row *row)
{
	fan_ctx *f = p;
	int made = 0, rc = store_webhook_fanout(f->db, row, f->now_ms, &made);

	f->last = row->id;
	f->n++;
	f->made += made;
	return rc;
}

/* The events after the cursor into deliveries, and the cursor moved, in one transaction. */
static int fan_job(djob *j, store_db *db)
{
	fan_ctx *f = j->ctx;
	int rc = store_outbox_cursor(db, CHANNEL, &f->last);

	f->db = db;
	if (rc == STORE_OK)
		rc = store_outbox_each(db, f->last, EVENTS_PER_JOB, fan_row, f);
	if (rc == STORE_OK && f->n > 0)
		rc = store_outbox_cursor_set(db, CHANNEL, f->last);
	return rc;
}

/* ---- due deliveries ---- */

typedef struct due {
	int64_t id, webhook_id, event_id, attempts, created_at;
	char *url, *secret, *body;
} due;

typedef struct due_ctx {
	due items[DUE_PER_ROUND];
	int n;
	int64_t now_ms;
	const char *public_url;
} due_ctx;

static int due_row(void *p, const store_due_row *row)
{
	due_ctx *c = p;
	due *it = &c->items[c->n];

	/* NULL when the event's data is no JSON object: recorded as failed, never sent. */
	it->body = webhook_body(row->format, row->event_id, row->type, row->project,
				row->event_time, row->data, c->public_url);
	it->url = strdup(row->url);
	it->secret = strdup(row->secret);
	if (!it->url || !it->secret) {
		free(it->body);
		free(it->url);
		free(it->secret);
		return STORE_ERROR;
	}
	it->id = row->id;
	it->webhook_id = row->webhook_id;
	it->event_id = row->event_id;
	it->attempts = row->attempts;
	it->created_at = row->created_at;
	c->n++;
	return 0;
}

static int due_job(djob *j, store_db *db)
{
	due_ctx *c = j->ctx;

	return store_webhook_due(db, c->now_ms, DUE_PER_ROUND, due_row, c);
}

typedef struct next_ctx {
	int64_t at;
} next_ctx;

static int next_job(djob *j, store_db *db)
{
	return store_webhook_next_due(db, &((next_ctx *)j->ctx)->at);
}

/* ---- one attempt's outcome ---- */

typedef struct outcome {
	const due *it;
	const webhook_result *res;
	const char *state;
	int64_t next_at, at_ms;
	int disable;
} outcome;

static int outcome_job(djob *j, store_db *db)
{
	outcome *o = j->ctx;
	int rc = store_webhook_attempted(db, o->it->id, o->state, o->next_at, o->at_ms,
					 o->res->status, o->res->duration_ms,
					 o->res->error[0] ? o->res->error : NULL);

	if (rc == STORE_OK && o->disable)
		rc = store_webhook_disable(db, o->it->webhook_id,
					   "the receiver answered 410 Gone: enable it again "
					   "once it takes deliveries");
	return rc;
}

/* What to make of an answer: delivered, retried (when), or failed for good. */
static void judge(dispatcher *d, const due *it, const webhook_result *res, outcome *o)
{
	int64_t now = wall_ms(), wait, attempt = it->attempts + 1;

	o->it = it;
	o->res = res;
	o->at_ms = now;
	o->next_at = now;
	o->disable = 0;
	if (res->status >= 200 && res->status <= 299) {
		o->state = "delivered";
		return;
	}
	if (res->status == 410) {
		o->state = "failed";
		o->disable = 1;
		return;
	}
	wait = dispatcher_backoff_ms(d->base_ms, attempt);
	wait += (int64_t)(random64() % (uint64_t)(wait > 0 ? wait : 1)); /* full jitter on top */
	if (res->retry_after_ms > wait)
		wait = res->retry_after_ms < DISPATCHER_GIVE_UP_MS ? res->retry_after_ms
								    : DISPATCHER_GIVE_UP_MS;
	o->next_at = now + wait;
	o->state = o->next_at - it->created_at > DISPATCHER_GIVE_UP_MS ? "failed" : "pending";
}

static void send_one(dispatcher *d, due *it)
{
	webhook_result res;
	outcome o;
	char id[40];
	int rc;

	snprintf(id, sizeof(id), "evt_%" PRId64, it->event_id);
	if (!it->body) {
		memset(&res, 0, sizeof(res));
		res.status = -1;
		snprintf(res.error, sizeof(res.error), "the event cannot be put in a body");
		judge(d, it, &res, &o);
		o.state = "failed";
		run_job(d, 1, outcome_job, &o);
		return;
	}
	webhook_send(it->url, it->secret, id, (int64_t)time(NULL), it->body, d->allow_private,
		     &d->stop, &res);
	if (res.aborted)
		return; /* stopping: it stays pending, sent after the restart */
	judge(d, it, &res, &o);
	rc = run_job(d, 1, outcome_job, &o);
	if (rc != STORE_OK && rc != STORE_STOPPED)
		fprintf(stderr, "prosumd: webhooks: cannot record delivery %" PRId64 " (%d)\n",
			it->id, rc);
}

static void on_timer(loop *l, void *data)
{
	(void)data;
	loop_stop(l);
}

static void on_stop_task(loop_task *t)
{
	dispatcher *d = (dispatcher *)((char *)t - offsetof(dispatcher, stop_task));

	loop_stop(d->loop);
}

static void *dispatcher_main(void *p)
{
	dispatcher *d = p;

	while (!atomic_load(&d->stop)) {
		fan_ctx f = {0};
		due_ctx c;
		next_ctx nx = {0};
		int i, rc, busy = 0;
		int64_t wait = POLL_MS;

		f.now_ms = wall_ms();
		rc = run_job(d, 1, fan_job, &f);
		if (rc == STORE_STOPPED)
			break;
		busy = rc == STORE_OK && f.n == EVENTS_PER_JOB;
		memset(&c, 0, sizeof(c));
		c.now_ms = wall_ms();
		c.public_url = d->public_url;
		rc = run_job(d, 0, due_job, &c);
		for (i = 0; i < c.n; i++) {
			if (!atomic_load(&d->stop))
				send_one(d, &c.items[i]);
			free(c.items[i].url);
			free(c.items[i].secret);
			free(c.items[i].body);
		}
		busy |= c.n == DUE_PER_ROUND;
		if (busy || atomic_load(&d->stop))
			continue;
		if (run_job(d, 0, next_job, &nx) == STORE_OK && nx.at > 0) {
			int64_t left = nx.at - wall_ms();

			wait = left < 0 ? 0 : left < wait ? left : wait;
		}
		if (wait <= 0)
			continue;
		loop_set_timer(d->loop, loop_clock_ms() + wait, on_timer, d);
		if (!atomic_load(&d->stop))
			loop_run(d->loop);
		loop_set_timer(d->loop, 0, on_timer, d);
	}
	return NULL;
}

int dispatcher_start(dispatcher **out, store *st, int allow_private, const char *public_url)
{
	dispatcher *d = calloc(1, sizeof(*d));
	const char *v = getenv("PROSUM_TEST_WEBHOOK_BASE_MS");
	sigset_t all, old;
	int rc;

	*out = NULL;
	if (!d || !(d->public_url = strdup(public_url)) || loop_new(&d->loop) < 0) {
		if (d)
			free(d->public_url);
		free(d);
		fprintf(stderr, "prosumd: webhooks: out of memory\n");
		return -1;
	}
	d->st = st;
	d->allow_private = allow_private;
	d->base_ms = DISPATCHER_BASE_MS;
	d->stop_task.fn = on_stop_task;
	if (v && v[0]) {
		char *end;
		long long ms = strtoll(v, &end, 10);

		if (*end == '\0' && ms >= 1 && ms <= DISPATCHER_BASE_MS) {
			d->base_ms = ms;
			fprintf(stderr, "prosumd: PROSUM_TEST_WEBHOOK_BASE_MS: webhook retries start "
					"after %lld ms (for tests only)\n",
				ms);
		}
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* The thread takes no signals: the main thread waits for them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&d->thread, NULL, dispatcher_main, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		loop_free(d->loop);
		free(d->public_url);
		free(d);
		fprintf(stderr, "prosumd: webhooks: cannot start the sender thread\n");
		return -1;
	}
	*out = d;
	return 0;
}

void dispatcher_stop(dispatcher *d)
{
	if (!d)
		return;
	atomic_store(&d->stop, 1);
	loop_post(d->loop, &d->stop_task);
	pthread_join(d->thread, NULL);
	loop_drain(d->loop);
	loop_free(d->loop);
	free(d->public_url);
	free(d);
}
