/* metrics_int.h - the metrics' storage, shared by metrics.c (updates) and prom.c (rendering) only. */
#ifndef PROSUM_METRICS_INT_H
#define PROSUM_METRICS_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include "metrics/metrics.h"

typedef atomic_uint_fast64_t mcount;

/* A histogram: counts per bucket (not cumulative; the rendering adds them up), the count and
 * the sum in microseconds (or units, for sizes). Bounds are per family, in the same unit. */
#define MH_MAX_BUCKETS 14
typedef struct mhist {
	mcount bucket[MH_MAX_BUCKETS + 1]; /* the last: over the highest bound (+Inf) */
	mcount count;
	mcount sum;
} mhist;

/* Refusal reasons: the error codes an ingest request can be answered with, and the rest. */
#define MR_NREASONS 14
extern const char *const metrics_reasons[MR_NREASONS];

typedef struct mproject {
	char name[65];
	atomic_llong id;
	mcount ingested;
	mcount refused[MR_NREASONS];
} mproject;

typedef struct metrics_store {
	mcount requests[METRICS_MAX_ROUTES][5]; /* by status class 1xx..5xx */
	mhist duration[METRICS_MAX_ROUTES];
	_Atomic(mproject *) projects[METRICS_MAX_PROJECTS];
	mproject unknown; /* "(unknown)": never confirmed, or past METRICS_MAX_PROJECTS */
	mcount rate_limited[METRICS_NLIMITS];
	mcount tls[3];
	mhist batch_jobs;
	mhist commit;
	mhist batch_time;
	mcount batch_failed;
	mhist fsync;
	atomic_llong wal_bytes;
	mcount checkpoints;
	mcount checkpoint_failed;
	mcount checkpoint_pages;
	mhist git_sync;
	mcount git_sync_failed;
	mcount store_busy;
} metrics_store;

extern metrics_store metrics_g;

/* Bucket bounds, in the histogram's unit, ascending; n of them. */
extern const uint64_t metrics_time_bounds[MH_MAX_BUCKETS];  /* microseconds */
extern const uint64_t metrics_jobs_bounds[MH_MAX_BUCKETS];  /* jobs in a batch */
#define METRICS_TIME_NB 14
#define METRICS_JOBS_NB 11

#endif
