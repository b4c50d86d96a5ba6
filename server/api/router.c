/* router.c - method and path to handler, path parameters, the request a handler serves. */
#include "api/router.h"

#include <string.h>

#include "net/conn.h"
#include "api/admin_keys.h"
#include "api/admin_projects.h"
#include "api/admin_tokens.h"
#include "api/admin_webhooks.h"
#include "api/board.h"
#include "api/byevent.h"
#include "api/ingest.h"
#include "api/mail_api.h"
#include "api/news.h"
#include "api/pages.h"
#include "api/releases.h"
#include "api/suggestions.h"
#include "api/triage.h"
#include "web/static.h"
#include "api/session.h"
#include "api/tester.h"
#include "api/users.h"
#include "sentry/intake.h"
#include "api/intake_counts.h"
#include "api/health_answer.h"
#include "api/health_ingest.h"
#include "metrics/metrics.h"

typedef void (*route_fn)(request *rq);

typedef struct route {
	const char *method;
	const char *pattern; /* "{}" stands for one path segment, a parameter */
	route_fn fn;
} route;

static void healthz(request *rq)
{
	conn_reply(rq->conn, 200, "text/plain", "ok\n", 3, NULL);
}

static const route routes[] = {
	{"GET", "/healthz", healthz},
	{"GET", "/metrics", metrics_serve},
	{"POST", "/api/{}/store/", sentry_intake_store},
	{"POST", "/api/{}/envelope/", sentry_intake_envelope},
	{"POST", "/api/v1/projects/{}/reports", ingest_report},
	{"GET", "/api/v1/projects/{}/reports", triage_report_list},
	{"GET", "/api/v1/projects/{}/reports/by-event/{}", byevent_get},
	{"GET", "/api/v1/projects/{}/reports/{}", triage_report_get},
	{"PATCH", "/api/v1/projects/{}/reports/{}", triage_report_patch},
	{"GET", "/api/v1/projects/{}/reports/{}/attachments/{}", ingest_attachment_get},
	{"POST", "/api/v1/projects/{}/reports/{}/comments", suggestions_report_reply},
	{"GET", "/api/v1/projects/{}/groups", triage_group_list},
	{"GET", "/api/v1/projects/{}/groups/{}", triage_group_get},
	{"PATCH", "/api/v1/projects/{}/groups/{}", triage_group_patch},
	{"POST", "/api/v1/projects/{}/releases", releases_add},
	{"GET", "/api/v1/projects/{}/releases", releases_list},
	{"GET", "/api/v1/projects/{}/releases/{}", releases_get},
	{"GET", "/api/v1/projects/{}/releases/{}/notes", releases_notes},
	{"POST", "/api/v1/projects/{}/sync", releases_sync},
	{"POST", "/api/v1/projects/{}/suggestions", suggestions_add},
	{"GET", "/api/v1/projects/{}/suggestions", suggestions_list},
	{"GET", "/api/v1/projects/{}/suggestions/{}", suggestions_get},
	{"PATCH", "/api/v1/projects/{}/suggestions/{}", suggestions_patch},
	{"POST", "/api/v1/projects/{}/suggestions/{}/votes", suggestions_vote},
	{"DELETE", "/api/v1/projects/{}/suggestions/{}/votes", suggestions_unvote},
	{"GET", "/api/v1/projects/{}/mine", suggestions_mine},
	{"GET", "/api/v1/projects/{}/news", news_get},
	{"POST", "/api/v1/projects/{}/news/seen", news_seen},
	{"GET", "/api/v1/projects/{}/contributors", suggestions_contributors},
	{"GET", "/api/v1/projects", admin_projects_list},
	{"POST", "/api/v1/projects", admin_projects_add},
	{"GET", "/api/v1/projects/{}", admin_project_get},
	{"PATCH", "/api/v1/projects/{}", admin_project_patch},
	{"DELETE", "/api/v1/projects/{}", admin_project_delete},
	{"GET", "/api/v1/projects/{}/keys", admin_keys_list},
	{"POST", "/api/v1/projects/{}/keys", admin_keys_add},
	{"DELETE", "/api/v1/projects/{}/keys/{}", admin_keys_revoke},
	{"GET", "/api/v1/projects/{}/intake", intake_counts_get},
	{"GET", "/api/v1/projects/{}/health", health_get},
	{"GET", "/api/v1/projects/{}/health/gates", health_gates_get},
	{"PUT", "/api/v1/projects/{}/health/gates", health_gates_put},
	{"POST", "/api/v1/projects/{}/sessions", health_session_post},
	{"POST", "/api/v1/projects/{}/ratings", health_rating_post},
	{"GET", "/api/v1/projects/{}/ratings", health_ratings_get},
	{"GET", "/api/v1/projects/{}/ratings/mine", health_rating_mine},
	{"GET", "/api/v1/projects/{}/cohorts", health_cohorts_get},
	{"PATCH", "/api/v1/projects/{}/cohorts", health_cohorts_patch},
	{"POST", "/api/v1/projects/{}/webhooks", admin_webhooks_add},
	{"GET", "/api/v1/projects/{}/webhooks", admin_webhooks_list},
	{"GET", "/api/v1/projects/{}/webhooks/{}", admin_webhook_get},
	{"PATCH", "/api/v1/projects/{}/webhooks/{}", admin_webhook_patch},
	{"DELETE", "/api/v1/projects/{}/webhooks/{}", admin_webhook_delete},
	{"POST", "/api/v1/projects/{}/webhooks/{}/test", admin_webhook_test},
	{"GET", "/api/v1/projects/{}/webhooks/{}/deliveries", admin_webhook_deliveries},
	{"POST", "/api/v1/projects/{}/webhooks/{}/deliveries/{}/redeliver", admin_webhook_redeliver},
	{"GET", "/api/v1/tokens", admin_tokens_list},
	{"POST", "/api/v1/tokens", admin_tokens_add},
	{"DELETE", "/api/v1/tokens/{}", admin_tokens_revoke},
	{"POST", "/api/v1/session", session_signin},
	{"GET", "/api/v1/session", session_get},
	{"DELETE", "/api/v1/session", session_signout},
	{"DELETE", "/api/v1/sessions", session_signout_all},
	{"POST", "/api/v1/password", session_set_password},
	{"GET", "/api/v1/users", users_list},
	{"POST", "/api/v1/users", users_add},
	{"PATCH", "/api/v1/users/{}", users_patch},
	{"POST", "/api/v1/users/{}/link", users_link},
	{"GET", "/api/v1/projects/{}/people", users_people},
	{"POST", "/api/v1/projects/{}/board-links", tester_board_link},
	{"POST", "/api/v1/board/session", tester_board_session},
	{"GET", "/api/v1/projects/{}/board", board_list},
	{"GET", "/api/v1/projects/{}/board/{}", board_get},
	{"GET", "/api/v1/projects/{}/shipped", board_shipped},
	{"GET", "/api/v1/projects/{}/fame", board_fame},
	{"GET", "/api/v1/projects/{}/testers/{}", board_profile},
	{"PATCH", "/api/v1/projects/{}/comments/{}", board_comment_patch},
	{"POST", "/api/v1/projects/{}/suggestions/{}/comments", board_comment_add},
	{"GET", "/api/v1/projects/{}/overview", pages_overview},
	{"GET", "/api/v1/projects/{}/groups/{}/stats", pages_group_stats},
	{"GET", "/api/v1/projects/{}/reports/{}/source", pages_report_source},
	{"GET", "/api/v1/account/mail", mail_api_account_get},
	{"PATCH", "/api/v1/account/mail", mail_api_account_patch},
	{"GET", "/api/v1/projects/{}/follows", mail_api_follows},
	{"PUT", "/api/v1/projects/{}/follows/{}", mail_api_follow},
	{"DELETE", "/api/v1/projects/{}/follows/{}", mail_api_unfollow},
	{"GET", "/api/v1/projects/{}/mail/tester", mail_api_tester_get},
	{"PUT", "/api/v1/projects/{}/mail/tester", mail_api_tester_put},
	{"DELETE", "/api/v1/projects/{}/mail/tester", mail_api_tester_delete},
	{"GET", "/api/v1/mail/unsubscribe", mail_api_unsubscribe_page},
	{"POST", "/api/v1/mail/unsubscribe", mail_api_unsubscribe},
};

/* A parameter is a plain name or id (percent escapes are left for the handler to decode):
 * no dots alone, no slashes, nothing a path could abuse. */
static int param_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len > ROUTER_PARAM_MAX || (len <= 2 && p[0] == '.'))
		return 0;
	for (i = 0; i < len; i++) {
		char ch = p[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '%'))
			return 0;
	}
	return 1;
}

/* Match `path` against a pattern, filling params. 1 on a match. */
static int match(const char *pattern, http_slice path, char params[][ROUTER_PARAM_MAX + 1])
{
	const char *p = path.p, *end = path.p + path.len;
	int np = 0;

	while (*pattern) {
		if (pattern[0] == '{' && pattern[1] == '}') {
			const char *seg = p;

			while (p < end && *p != '/')
				p++;
			if (np == ROUTER_MAX_PARAMS || !param_ok(seg, (size_t)(p - seg)))
				return 0;
			memcpy(params[np], seg, (size_t)(p - seg));
			params[np][p - seg] = '\0';
			np++;
			pattern += 2;
			continue;
		}
		if (p == end || *p != *pattern)
			return 0;
		p++;
		pattern++;
	}
	return p == end;
}

_Static_assert(sizeof(routes) / sizeof(routes[0]) < METRICS_ROUTE_WEB,
	       "the metrics count routes by index: raise METRICS_MAX_ROUTES");

int router_route_info(int i, const char **method, const char **pattern)
{
	if (i < 0 || (size_t)i >= sizeof(routes) / sizeof(routes[0]))
		return -1;
	*method = routes[i].method;
	*pattern = routes[i].pattern;
	return 0;
}

/* What the server as a whole answers (OPTIONS *). */
#define ALLOW_ALL "Allow: GET, HEAD, POST, PATCH, DELETE, OPTIONS\r\n"

void router_dispatch(request *rq)
{
	size_t i, n = sizeof(routes) / sizeof(routes[0]);
	int head = http_slice_eq(rq->http->method, "HEAD");
	int options = http_slice_eq(rq->http->method, "OPTIONS");
	json_t *err;
	buf allow, body;

	if (options && http_slice_eq(rq->http->path, "*")) {
		conn_reply(rq->conn, 204, NULL, "", 0, ALLOW_ALL);
		return;
	}
	if (options && http_sentry_path(rq->http->path)) {
		/* A browser SDK's preflight: the CORS answer, whatever routes exist. */
		conn_reply(rq->conn, 204, NULL, "", 0,
			   "Allow: POST, OPTIONS\r\n" HTTP_CORS_SENTRY_PREFLIGHT);
		return;
	}
	buf_init(&allow, 256);
	for (i = 0; i < n; i++) {
		if (!match(routes[i].pattern, rq->http->path, rq->params))
			continue;
		/* Every GET route answers HEAD too: the same headers, no content. */
		if (http_slice_eq(rq->http->method, routes[i].method) ||
		    (head && strcmp(routes[i].method, "GET") == 0)) {
			buf_free(&allow);
			rq->route = (int)i;
			routes[i].fn(rq);
			return;
		}
		buf_printf(&allow, "%s%s%s", allow.len ? ", " : "Allow: ", routes[i].method,
			   strcmp(routes[i].method, "GET") == 0 ? ", HEAD" : "");
	}
	if (allow.len == 0) {
		buf_free(&allow);
		/* Every other page is the web app's (its own router reads the path). */
		if (web_static_owns(rq->http)) {
			rq->route = METRICS_ROUTE_WEB;
			web_static_serve(rq);
			return;
		}
		conn_reply_error(rq->conn, 404, "not_found", "no such endpoint", NULL);
		return;
	}
	buf_puts(&allow, ", OPTIONS\r\n");
	if (options) {
		/* The methods of this endpoint (no CORS headers: no browser client yet). */
		conn_reply(rq->conn, 204, NULL, "", 0, allow.p);
		buf_free(&allow);
		return;
	}
	buf_init(&body, 4096);
	err = http_error_body("method_not_allowed", "method not allowed on this endpoint", NULL);
	http_dump_json(&body, err);
	json_decref(err);
	conn_reply(rq->conn, 405, "application/json", body.p, body.len, allow.p);
	buf_free(&body);
	buf_free(&allow);
}
