/* router.h - method and path to handler, path parameters, the request a handler serves. */
#ifndef PROSUM_ROUTER_H
#define PROSUM_ROUTER_H

#include <stddef.h>

#include "api/auth.h"
#include "http/http.h"

struct conn;
struct server;
struct store;
struct report_limits;
struct io_thread;
struct ratelimit;

#define ROUTER_MAX_PARAMS 3
#define ROUTER_PARAM_MAX 400 /* an attachment name, percent-encoded */

/*
 * The request a handler serves. It lives inside its connection and is valid
 * until the handler answers (conn_reply*), synchronously or from a store task.
 */
typedef struct request {
	struct conn *conn;
	struct io_thread *io;
	struct server *srv;      /* the whole server: for the router and the network layer; handlers
				  * use the narrow fields below */
	struct store *store;     /* where the handler's store jobs go */
	const char *attach_dir;  /* DATA/attachments */
	const struct report_limits *rlim; /* what a report document may hold */
	const uint8_t *secret;   /* the installation's secret (PROSUM_SECRET_LEN bytes) */
	unsigned pbkdf2_iterations; /* work factor of new passwords */
	const char *public_url;  /* serve --public-url, or NULL: links name the Host then */
	struct ratelimit *board_install; /* votes, suggestions, comments per install (thread-safe) */
	struct ratelimit *board_links;   /* board sign-in links per install */
	const http_request *http;
	const char *body;        /* decoded body (chunked and gzip undone); not NUL-terminated */
	size_t body_len;
	char params[ROUTER_MAX_PARAMS][ROUTER_PARAM_MAX + 1]; /* {} segments of the path, in order */
	int route;               /* the route's index (router_route_info()), for the metrics */
	auth_creds creds;
} request;

/* Find the route of rq->http and call its handler (GET routes answer HEAD too), or
 * answer 404/405 or OPTIONS (204 with Allow; "OPTIONS *" for the whole server) itself. */
void router_dispatch(request *rq);
/* Route i's method and pattern ("/api/v1/projects/{}/reports"): 0, or -1 past the last.
 * Indexes below METRICS_ROUTE_WEB; rq->route is set to one of them, or to
 * METRICS_ROUTE_WEB for the web app's pages, by router_dispatch(). */
int router_route_info(int i, const char **method, const char **pattern);

#endif
