/* conn_log.c - a request's access-log line and metrics, once its answer is written or cut short. */
#include "net/conn.h"
#include "net/conn_int.h"

#include "api/router.h"
#include "metrics/metrics.h"
#include "net/accesslog.h"
#include "oplog.h"

/* The answer to a request is written (or the connection died under it): its metrics and
 * its access-log line, then the fields are ready for the next request. */
void conn_request_done(conn *c)
{
	server *srv = c->io->srv;
	uint64_t usec = c->t_start ? metrics_now_us() - c->t_start : 0;
	http_slice none = {"", 0};
	accesslog_entry e;
	const char *method, *pattern = NULL;
	int st;

	e.method = e.path = e.query = none;
	e.minor_version = 1;
	if (c->head_len > 0 && c->head_at != c->in.p &&
	    http_parse_head(&c->req, c->in.p, c->head_len, &srv->hlim, &st) != (ssize_t)c->head_len)
		c->head_len = 0; /* cannot be: the same bytes parsed before */
	if (c->head_len > 0) {
		c->head_at = c->in.p;
		e.method = c->req.method;
		e.path = c->req.path;
		e.query = c->req.query;
		e.minor_version = c->req.minor_version;
	}
	metrics_request(c->rq.route, c->status, usec);
	if (c->head_len > 0 && accesslog_is_ingest(e.method, e.path)) {
		http_slice project;
		int by_id;

		if (accesslog_project(e.path, &project, &by_id))
			metrics_ingest(project.p, project.len, by_id, c->status, c->reason);
	}
	if (oplog_on(OPLOG_INFO)) {
		if (router_route_info(c->rq.route, &method, &pattern) < 0)
			pattern = c->rq.route == METRICS_ROUTE_WEB ? "web" : NULL;
		e.client = c->addr;
		e.status = c->status;
		e.bytes = c->sent;
		e.usec = usec;
		e.route = pattern;
		e.id = c->rid ? c->rid : accesslog_next_id();
		accesslog_write(&e);
	}
	c->status = 0;
	c->t_start = 0;
	c->sent = 0;
	c->rid = 0;
	c->reason[0] = '\0';
	c->rq.route = METRICS_ROUTE_OTHER;
}
