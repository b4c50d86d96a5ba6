/* prom.c - the metrics in the Prometheus text exposition format 0.0.4, and GET /metrics. */
#include "metrics/metrics.h"
#include "metrics/metrics_int.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "api/auth.h"
#include "api/router.h"
#include "net/conn.h"
#include "net/server.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define PROM_MAX_ANSWER (8 * 1024 * 1024)

static const char *const status_classes[5] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

static uint64_t get(const mcount *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static void family(buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped (the format's only rule). */
static void label_value(buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			buf_puts(b, "\\n");
		else
			buf_append(b, v, 1);
	}
}

/* `labels` is "" or 'a="x",b="y"' (already escaped); `scale` turns the unit into the
 * exposed one (1e-6 for microseconds to seconds, 1 for counts). */
static void histogram(buf *b, const char *name, const char *labels, const mhist *h,
		      const uint64_t *bounds, int nb, double scale)
{
	uint64_t cum = 0;
	int i;
	const char *sep = labels[0] ? "," : "";

	for (i = 0; i < nb; i++) {
		cum += get(&h->bucket[i]);
		buf_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep,
			   (double)bounds[i] * scale, (unsigned long long)cum);
	}
	cum += get(&h->bucket[nb]);
	buf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
		   (unsigned long long)cum);
	buf_printf(b, "%s_sum%s%s%s %.6f\n", name, labels[0] ? "{" : "", labels,
		   labels[0] ? "}" : "", (double)get(&h->sum) * scale);
	buf_printf(b, "%s_count%s%s%s %llu\n", name, labels[0] ? "{" : "", labels,
		   labels[0] ? "}" : "", (unsigned long long)get(&h->count));
}

static void route_labels(buf *lb, int r)
{
	const char *method = "", *pattern = "";

	buf_reset(lb);
	if (r == METRICS_ROUTE_WEB) {
		method = "GET";
		pattern = "web";
	} else if (r == METRICS_ROUTE_OTHER || router_route_info(r, &method, &pattern) < 0) {
		method = "any";
		pattern = "other";
	}
	buf_puts(lb, "method=\"");
	label_value(lb, method);
	buf_puts(lb, "\",route=\"");
	label_value(lb, pattern);
	buf_puts(lb, "\"");
}

static void render_requests(buf *b)
{
	buf lb;
	int r, k;

	buf_init(&lb, 1024);
	family(b, "prosum_http_requests_total", "counter",
	       "Requests answered, by route (the router's pattern) and status class.");
	for (r = 0; r < METRICS_MAX_ROUTES; r++) {
		if (get(&metrics_g.duration[r].count) == 0)
			continue;
		route_labels(&lb, r);
		for (k = 0; k < 5; k++)
			if (get(&metrics_g.requests[r][k]))
				buf_printf(b, "prosum_http_requests_total{%s,status=\"%s\"} %llu\n",
					   lb.p, status_classes[k],
					   (unsigned long long)get(&metrics_g.requests[r][k]));
	}
	family(b, "prosum_http_request_duration_seconds", "histogram",
	       "Time from a request's first byte to the end of its answer, by route.");
	for (r = 0; r < METRICS_MAX_ROUTES; r++) {
		if (get(&metrics_g.duration[r].count) == 0)
			continue;
		route_labels(&lb, r);
		histogram(b, "prosum_http_request_duration_seconds", lb.p, &metrics_g.duration[r],
			  metrics_time_bounds, METRICS_TIME_NB, 1e-6);
	}
	buf_free(&lb);
}

static void render_project(buf *b, int refused, const mproject *p, const char *name)
{
	int i;

	if (!refused) {
		buf_puts(b, "prosum_reports_ingested_total{project=\"");
		label_value(b, name);
		buf_printf(b, "\"} %llu\n", (unsigned long long)get(&p->ingested));
		return;
	}
	for (i = 0; i < MR_NREASONS; i++) {
		if (!get(&p->refused[i]))
			continue;
		buf_puts(b, "prosum_reports_refused_total{project=\"");
		label_value(b, name);
		buf_printf(b, "\",reason=\"%s\"} %llu\n", metrics_reasons[i],
			   (unsigned long long)get(&p->refused[i]));
	}
}

static void render_reports(buf *b)
{
	int i, refused;

	for (refused = 0; refused < 2; refused++) {
		if (!refused)
			family(b, "prosum_reports_ingested_total", "counter",
			       "Reports (and Sentry events and envelopes) accepted, by project.");
		else
			family(b, "prosum_reports_refused_total", "counter",
			       "Ingest requests refused, by project and reason (the answer's error "
			       "code).");
		for (i = 0; i < METRICS_MAX_PROJECTS; i++) {
			const mproject *p =
			    atomic_load_explicit(&metrics_g.projects[i], memory_order_acquire);

			if (!p)
				break;
			render_project(b, refused, p, p->name);
		}
		if (refused || get(&metrics_g.unknown.ingested))
			render_project(b, refused, &metrics_g.unknown, "(unknown)");
	}
}

static void gauge(buf *b, const char *name, const char *help, long long v)
{
	family(b, name, "gauge", help);
	buf_printf(b, "%s %lld\n", name, v);
}

static void counter(buf *b, const char *name, const char *help, const mcount *c)
{
	family(b, name, "counter", help);
	buf_printf(b, "%s %llu\n", name, (unsigned long long)get(c));
}

static long long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long size = 0, rss = 0;
	char line[128];

	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f)) {
		char *end;

		size = strtoull(line, &end, 10);
		rss = strtoull(end, NULL, 10);
	}
	fclose(f);
	(void)size;
	return (long long)rss * sysconf(_SC_PAGESIZE);
}

int metrics_render(buf *b, const metrics_gauges *g)
{
	static const char *const limits[METRICS_NLIMITS] = {"ip", "key", "signin", "board"};
	uint64_t done, resumed;
	int i;

	render_requests(b);
	render_reports(b);
	family(b, "prosum_rate_limited_total", "counter",
	       "Requests answered 429 by a rate limit, by limit.");
	for (i = 0; i < METRICS_NLIMITS; i++)
		buf_printf(b, "prosum_rate_limited_total{limit=\"%s\"} %llu\n", limits[i],
			   (unsigned long long)get(&metrics_g.rate_limited[i]));
	gauge(b, "prosum_open_connections", "Client connections open now.", g->open_connections);
	family(b, "prosum_tls_handshakes_total", "counter",
	       "TLS handshakes, by result: full, resumed (a session ticket), failed.");
	done = get(&metrics_g.tls[METRICS_TLS_DONE]);
	resumed = get(&metrics_g.tls[METRICS_TLS_RESUMED]);
	if (resumed > done)
		resumed = done; /* read apart: a resumption counted before its handshake ended */
	buf_printf(b, "prosum_tls_handshakes_total{result=\"full\"} %llu\n",
		   (unsigned long long)(done - resumed));
	buf_printf(b, "prosum_tls_handshakes_total{result=\"resumed\"} %llu\n",
		   (unsigned long long)resumed);
	buf_printf(b, "prosum_tls_handshakes_total{result=\"failed\"} %llu\n",
		   (unsigned long long)get(&metrics_g.tls[METRICS_TLS_FAILED]));
	gauge(b, "prosum_store_write_queue_depth", "Write jobs waiting for the writer.",
	      g->write_queue_depth);
	gauge(b, "prosum_store_write_queue_capacity",
	      "Write jobs the queue holds at most (serve --write-queue); past it 503.",
	      g->write_queue_max);
	counter(b, "prosum_store_busy_total", "Write jobs refused because the write queue was full.",
		&metrics_g.store_busy);
	gauge(b, "prosum_store_read_queue_depth", "Read jobs waiting for a reader thread.",
	      g->read_queue_depth);
	gauge(b, "prosum_store_readers", "Reader threads of the store.", g->readers);
	gauge(b, "prosum_store_readers_busy", "Reader threads running a job now.", g->readers_busy);
	family(b, "prosum_store_batch_jobs", "histogram", "Write jobs in one batch (one commit).");
	histogram(b, "prosum_store_batch_jobs", "", &metrics_g.batch_jobs, metrics_jobs_bounds,
		  METRICS_JOBS_NB, 1);
	family(b, "prosum_store_commit_seconds", "histogram",
	       "Time of a batch's COMMIT: writing the WAL and its fsync.");
	histogram(b, "prosum_store_commit_seconds", "", &metrics_g.commit, metrics_time_bounds,
		  METRICS_TIME_NB, 1e-6);
	family(b, "prosum_store_batch_seconds", "histogram",
	       "Time of a whole batch: its jobs and the commit.");
	histogram(b, "prosum_store_batch_seconds", "", &metrics_g.batch_time, metrics_time_bounds,
		  METRICS_TIME_NB, 1e-6);
	counter(b, "prosum_store_batch_failures_total",
		"Batches whose transaction could not begin or commit (nothing of them was stored).",
		&metrics_g.batch_failed);
	family(b, "prosum_store_fsync_seconds", "histogram",
	       "Time of each fsync of the database, its WAL and attachment files.");
	histogram(b, "prosum_store_fsync_seconds", "", &metrics_g.fsync, metrics_time_bounds,
		  METRICS_TIME_NB, 1e-6);
	gauge(b, "prosum_store_wal_bytes", "Size of the write-ahead log after the last commit.",
	      atomic_load_explicit(&metrics_g.wal_bytes, memory_order_relaxed));
	counter(b, "prosum_store_checkpoints_total", "Checkpoints run (WAL copied into the database).",
		&metrics_g.checkpoints);
	counter(b, "prosum_store_checkpoint_failures_total", "Checkpoints that failed.",
		&metrics_g.checkpoint_failed);
	counter(b, "prosum_store_checkpoint_pages_total", "Pages the checkpoints copied.",
		&metrics_g.checkpoint_pages);
	family(b, "prosum_git_sync_seconds", "histogram",
	       "Time of a repository sync (POST .../sync), on the writer.");
	histogram(b, "prosum_git_sync_seconds", "", &metrics_g.git_sync, metrics_time_bounds,
		  METRICS_TIME_NB, 1e-6);
	counter(b, "prosum_git_sync_failures_total", "Repository syncs that failed.",
		&metrics_g.git_sync_failed);
	gauge(b, "process_resident_memory_bytes", "Resident memory of prosumd.", rss_bytes());
	return b->len > 0 && b->p ? BUF_OK : BUF_NOMEM;
}

/* Two strings equal, in time that depends on neither: their keyed hashes are compared. */
static int token_eq(const uint8_t *secret, const char *a, size_t alen, const char *b)
{
	uint8_t ha[32], hb[32];
	unsigned diff = 0;
	int i;

	auth_hash_token(secret, a, alen, ha);
	auth_hash_token(secret, b, strlen(b), hb);
	for (i = 0; i < 32; i++)
		diff |= (unsigned)(ha[i] ^ hb[i]);
	return diff == 0;
}

void metrics_serve(struct request *rq)
{
	const char *want = rq->srv->cfg->metrics_token;
	const http_header *h = http_find_header(rq->http, "Authorization");
	metrics_gauges g;
	store_stats ss;
	buf b;

	if (!want || !*want) {
		conn_reply_error(rq->conn, 404, "not_found", "no such endpoint", NULL);
		return;
	}
	if (!h || h->value.len < 7 || strncasecmp(h->value.p, "Bearer ", 7) != 0 ||
	    !token_eq(rq->secret, h->value.p + 7, h->value.len - 7, want)) {
		conn_reply_error_retry(rq->conn, 401, "unauthorized",
				       "send Authorization: Bearer and the token of serve --metrics-token",
				       NULL, 0);
		return;
	}
	memset(&g, 0, sizeof(g));
	store_get_stats(rq->store, &ss);
	g.open_connections = atomic_load(&rq->srv->nconns);
	g.write_queue_depth = ss.write_queue;
	g.write_queue_max = ss.write_queue_max;
	g.read_queue_depth = ss.read_queue;
	g.readers = ss.readers;
	g.readers_busy = ss.readers_busy;
	buf_init(&b, PROM_MAX_ANSWER);
	if (metrics_render(&b, &g) != BUF_OK) {
		buf_free(&b);
		conn_reply_error(rq->conn, 500, "internal_error", "the metrics could not be rendered",
				 NULL);
		return;
	}
	conn_reply(rq->conn, 200, PROM_CONTENT_TYPE, b.p, b.len, "Cache-Control: no-store\r\n");
	buf_free(&b);
}
