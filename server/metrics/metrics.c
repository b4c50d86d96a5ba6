/* metrics.c - the server's counters, gauges and histograms (lock-free atomics), rendered for Prometheus. */
#include "metrics/metrics.h"
#include "metrics/metrics_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

metrics_store metrics_g;

const uint64_t metrics_time_bounds[MH_MAX_BUCKETS] = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
    5000000, 10000000,
};
const uint64_t metrics_jobs_bounds[MH_MAX_BUCKETS] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

/* The last one takes every code not listed before it. */
const char *const metrics_reasons[MR_NREASONS] = {
    "bad_request",  "unauthorized",   "forbidden",         "not_found",
    "too_large",    "unsupported_media_type", "invalid_request", "rate_limited",
    "queue_full",   "unavailable",    "insufficient_storage", "internal_error",
    "invalid_report", /* 422 of a report document (model/report.c) */
    "other",
};

static void add(mcount *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static void observe(mhist *h, const uint64_t *bounds, int nb, uint64_t v)
{
	int i;

	for (i = 0; i < nb && v > bounds[i]; i++)
		;
	add(&h->bucket[i], 1);
	add(&h->count, 1);
	add(&h->sum, v);
}

uint64_t metrics_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void metrics_request(int route, int status, uint64_t usec)
{
	int cls = status / 100 - 1;

	if (route < 0 || route >= METRICS_MAX_ROUTES)
		route = METRICS_ROUTE_OTHER;
	if (cls < 0 || cls > 4)
		cls = 4;
	add(&metrics_g.requests[route][cls], 1);
	observe(&metrics_g.duration[route], metrics_time_bounds, METRICS_TIME_NB, usec);
}

static mproject *find_project(const char *name, size_t len, int by_id)
{
	int i;
	long long id = 0;

	if (by_id) {
		for (i = 0; i < (int)len; i++) {
			if (name[i] < '0' || name[i] > '9' || id > 1000000000000LL)
				return NULL;
			id = id * 10 + (name[i] - '0');
		}
	}
	for (i = 0; i < METRICS_MAX_PROJECTS; i++) {
		mproject *p = atomic_load_explicit(&metrics_g.projects[i], memory_order_acquire);

		if (!p)
			return NULL;
		if (by_id ? atomic_load_explicit(&p->id, memory_order_relaxed) == id && id > 0
			  : strlen(p->name) == len && memcmp(p->name, name, len) == 0)
			return p;
	}
	return NULL;
}

void metrics_project_known(const char *name, int64_t id)
{
	size_t len = strlen(name);
	mproject *p, *expect;
	int i;

	if (len == 0 || len >= sizeof(p->name))
		return;
	/* Slots fill in order and are never emptied: a lookup stops at the first empty one. */
	for (i = 0; i < METRICS_MAX_PROJECTS; i++) {
		p = atomic_load_explicit(&metrics_g.projects[i], memory_order_acquire);
		if (!p) {
			mproject *fresh = calloc(1, sizeof(*fresh));

			if (!fresh)
				return;
			memcpy(fresh->name, name, len);
			atomic_store(&fresh->id, id);
			expect = NULL;
			if (atomic_compare_exchange_strong(&metrics_g.projects[i], &expect, fresh))
				return;
			free(fresh); /* another thread took the slot: look at what it holds */
			p = expect;
		}
		if (strcmp(p->name, name) == 0) {
			if (id > 0)
				atomic_store(&p->id, id);
			return;
		}
	}
}

static int reason_index(const char *reason)
{
	int i;

	for (i = 0; i < MR_NREASONS - 1; i++)
		if (reason && strcmp(reason, metrics_reasons[i]) == 0)
			return i;
	return MR_NREASONS - 1;
}

void metrics_ingest(const char *project, size_t len, int by_id, int status, const char *reason)
{
	mproject *p = find_project(project, len, by_id);
	int i;

	if (!p)
		p = &metrics_g.unknown;
	if (status / 100 == 2) {
		add(&p->ingested, 1);
		return;
	}
	i = reason_index(reason);
	add(&p->refused[i], 1);
}

void metrics_rate_limited(enum metrics_limit which)
{
	add(&metrics_g.rate_limited[which], 1);
}

void metrics_tls(enum metrics_tls what)
{
	add(&metrics_g.tls[what], 1);
}

void metrics_batch(int jobs, uint64_t commit_usec, uint64_t batch_usec, int ok)
{
	observe(&metrics_g.batch_jobs, metrics_jobs_bounds, METRICS_JOBS_NB, (uint64_t)jobs);
	observe(&metrics_g.commit, metrics_time_bounds, METRICS_TIME_NB, commit_usec);
	observe(&metrics_g.batch_time, metrics_time_bounds, METRICS_TIME_NB, batch_usec);
	if (!ok)
		add(&metrics_g.batch_failed, 1);
}

void metrics_fsync(uint64_t usec)
{
	observe(&metrics_g.fsync, metrics_time_bounds, METRICS_TIME_NB, usec);
}

void metrics_wal(int pages, int page_size)
{
	atomic_store_explicit(&metrics_g.wal_bytes, (long long)pages * page_size,
			      memory_order_relaxed);
}

void metrics_checkpoint(int pages, int rc)
{
	add(&metrics_g.checkpoints, 1);
	if (rc < 0)
		add(&metrics_g.checkpoint_failed, 1);
	else if (pages > 0)
		add(&metrics_g.checkpoint_pages, (uint64_t)pages);
}

void metrics_git_sync(uint64_t usec, int ok)
{
	observe(&metrics_g.git_sync, metrics_time_bounds, METRICS_TIME_NB, usec);
	if (!ok)
		add(&metrics_g.git_sync_failed, 1);
}

void metrics_store_busy(void)
{
	add(&metrics_g.store_busy, 1);
}
