/* metrics.h - the server's counters, gauges and histograms (lock-free atomics), rendered for Prometheus. */
#ifndef PROSUM_METRICS_H
#define PROSUM_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/*
 * One set of metrics per process, in static storage: every update is one or
 * a few relaxed atomic additions, from any thread, with no lock; a scrape reads
 * them (each value on its own, not a snapshot of all at one instant, which
 * Prometheus does not need). docs/operations.md "Metrics" names each one.
 */

/* Route indexes: the router's table (0 .. router count - 1), then these. */
#define METRICS_MAX_ROUTES 96
#define METRICS_ROUTE_WEB (METRICS_MAX_ROUTES - 2)   /* the web app's pages and assets */
#define METRICS_ROUTE_OTHER (METRICS_MAX_ROUTES - 1) /* no route: 404, OPTIONS, refused early */

enum metrics_limit { METRICS_LIMIT_IP, METRICS_LIMIT_KEY, METRICS_LIMIT_SIGNIN, METRICS_LIMIT_BOARD,
		     METRICS_NLIMITS };
enum metrics_tls { METRICS_TLS_DONE, METRICS_TLS_RESUMED, METRICS_TLS_FAILED };

/* A request answered: its route index, status and time from its first byte to the end of
 * the answer. */
void metrics_request(int route, int status, uint64_t usec);
/*
 * A request to an ingest endpoint (reports, Sentry store and envelope) answered: 2xx is
 * a report ingested, anything else refused for `reason` (the answer's error code, or
 * "queue_full"). `project` (len bytes) is the path's project segment, `by_id` when it is
 * a Sentry DSN's numeric id: counted under the project's name only once that project is
 * known (metrics_project_known()); an attacker's invented names never become labels.
 */
void metrics_ingest(const char *project, size_t len, int by_id, int status, const char *reason);
/* The store confirmed that project `name` exists (with numeric id `id`, 0 when not known):
 * it gets labels of its own. At most METRICS_MAX_PROJECTS; later ones count as "(unknown)". */
#define METRICS_MAX_PROJECTS 256
void metrics_project_known(const char *name, int64_t id);
void metrics_rate_limited(enum metrics_limit which);
void metrics_tls(enum metrics_tls what);
/* The writer committed (or failed to commit) a batch of `jobs`: the time of the COMMIT
 * statement and of the whole batch. */
void metrics_batch(int jobs, uint64_t commit_usec, uint64_t batch_usec, int ok);
/* One fsync (database or WAL file, an attachment) took usec. */
void metrics_fsync(uint64_t usec);
/* After a commit: the WAL holds `pages` pages of `page_size` bytes. */
void metrics_wal(int pages, int page_size);
/* A checkpoint copied `pages` pages back into the database (a negative rc: it failed). */
void metrics_checkpoint(int pages, int rc);
/* A repository sync ran for usec; ok 0 when it failed. */
void metrics_git_sync(uint64_t usec, int ok);
/* A store job was refused: the write queue was full. */
void metrics_store_busy(void);

/* What only the caller of metrics_render() can read: gauges of the server and its store. */
typedef struct metrics_gauges {
	long open_connections;
	long write_queue_depth;
	long write_queue_max;
	long readers_busy;
	long readers;
	long read_queue_depth;
} metrics_gauges;

/* The Prometheus text exposition format 0.0.4 of every metric into out. 0 or a BUF_ code. */
int metrics_render(buf *out, const metrics_gauges *g);

/* GET /metrics (net/prom.c): the rendering, to `Authorization: Bearer TOKEN` of serve
 * --metrics-token only (401 otherwise); without that option the route answers 404. */
struct request;
void metrics_serve(struct request *rq);

/* Microseconds on the monotonic clock. */
uint64_t metrics_now_us(void);

#endif
