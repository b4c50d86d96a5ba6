/* suggestions.c - community suggestions and votes, the tester's own view, and who to thank. */
#include "api/suggestions.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/rfc3339.h"
#include "config.h"
#include "api/apijob.h"
#include "api/params.h"
#include "net/conn.h"
#include "api/render_reports.h"
#include "api/reply.h"
#include "api/render_releases.h"
#include "api/render_suggestions.h"
#include "api/tester.h"
#include "model/workflow.h"

#define TITLE_MAX 300
#define BODY_MAX 16384
#define INSTALL_MAX 128
#define NAME_MAX_LEN 128

typedef struct sugg_job {
	apijob api; /* first */
	json_t *doc;          /* the request body; owns the strings below */
	store_suggestion in;
	store_suggestion_change change;
	store_suggestion_filter filter;
	char uuid[37], install[INSTALL_MAX + 1], q[512], fstatus[32];
	const char *reply; /* a tester's reply on their report, in doc */
	int64_t num, since;
	int add;
	struct ratelimit *rate; /* votes, suggestions, comments per install */
	int hidden, pinned; /* PATCH: 0 or 1, -1 when not sent (store_board_moderate) */
} sugg_job;

static void sugg_release(apijob *j)
{
	sugg_job *sj = (sugg_job *)j;

	json_decref(sj->doc);
	apijob_dispose(j);
	free(sj);
}

/* A job for this request, or NULL after answering (no credentials, too fast, out of memory). */
static sugg_job *job_new(request *rq, int need, apijob_query query)
{
	sugg_job *sj;

	if (need == AUTH_INGEST && rq->creds.has_key && conn_rate_key(rq->conn, rq->creds.key) < 0)
		return NULL;
	/* Votes, suggestions and comments from testers (not the team's tokens) per address. */
	if (need == AUTH_INGEST && rq->creds.unsafe && !rq->creds.has_token &&
	    conn_rate_board(rq->conn) < 0)
		return NULL;
	sj = calloc(1, sizeof(*sj));
	if (!sj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return NULL;
	}
	if (apijob_init(&sj->api, rq, need, query, "no such suggestion in this project",
			sugg_release) < 0) {
		free(sj);
		return NULL;
	}
	sj->rate = rq->board_install;
	return sj;
}

/* A browser's session alone (no key, no token): a tester's session names its install itself. */
static int session_only(const request *rq)
{
	return !rq->creds.has_key && !rq->creds.has_token;
}

/* tester.install_id (required, but for a session: its own) and tester.name (credit, optional). */
static int tester(request *rq, sugg_job *sj, json_t *t, const char **install, const char **name)
{
	*install = *name = NULL;
	if (!t && session_only(rq))
		return 0;
	if (!json_is_object(t))
		return params_refuse(rq, 422, "invalid_request",
				     "is required: an object with install_id", "tester");
	if (params_opt_string(rq, t, "install_id", "tester.install_id", INSTALL_MAX, install) < 0)
		return -1;
	if ((*install || !session_only(rq)) && (!*install || !tester_install_ok(*install)))
		return params_refuse(rq, 422, "invalid_request",
				     "is required: 1-128 printable characters",
				     "tester.install_id");
	if (params_opt_string(rq, t, "name", "tester.name", NAME_MAX_LEN, name) < 0)
		return -1;
	if (*name && !**name)
		*name = NULL;
	(void)sj;
	return 0;
}

static int uuid_canon(const char *in, char out[37])
{
	size_t i;

	if (!in || strlen(in) != 36)
		return -1;
	for (i = 0; i < 36; i++) {
		char c = in[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return -1;
		} else if (!isxdigit((unsigned char)c)) {
			return -1;
		}
		out[i] = (char)tolower((unsigned char)c);
	}
	out[36] = '\0';
	return 0;
}

/* ---- submitting ---- */

/* In a query: the install a suggestion or vote comes from (`field` names it in refusals), within
 * its rate, credited with its session's name when none was sent. 0, or 1 when the query must
 * return *rc at once. */
static int voter(apijob *j, const char *field, int *rc)
{
	sugg_job *sj = (sugg_job *)j;

	if (tester_install(j, sj->in.install_id, field, &sj->in.install_id, rc))
		return 1;
	if (tester_rate(j, sj->rate, sj->in.install_id)) {
		*rc = STORE_OK;
		return 1;
	}
	if (!sj->in.tester_name && j->who.kind == AUTH_BY_TESTER && j->who.tester_name[0])
		sj->in.tester_name = j->who.tester_name;
	return 0;
}

static int add_query(apijob *j, store_db *db, int64_t project_id)
{
	sugg_job *sj = (sugg_job *)j;
	int64_t num;
	int rc;

	if (voter(j, "tester.install_id", &rc))
		return rc;
	rc = store_suggestion_add(db, project_id, &sj->in, (int64_t)time(NULL), &num,
				  &sj->api.created);
	if (rc != STORE_OK)
		return rc;
	sj->api.answer = json_pack("{s:o}", "id", reply_id('S', num));
	return STORE_OK;
}

void suggestions_add(request *rq)
{
	sugg_job *sj = job_new(rq, AUTH_INGEST, add_query);
	store_suggestion *in;

	if (!sj)
		return;
	in = &sj->in;
	if (params_json_object(rq, &sj->doc) < 0)
		goto refused;
	if (uuid_canon(json_string_value(json_object_get(sj->doc, "uuid")), sj->uuid) < 0) {
		params_refuse(rq, 422, "invalid_request", "is required: a UUID", "uuid");
		goto refused;
	}
	in->uuid = sj->uuid;
	if (params_opt_string(rq, sj->doc, "title", "title", TITLE_MAX, &in->title) < 0 ||
	    params_opt_string(rq, sj->doc, "body", "body", BODY_MAX, &in->body) < 0)
		goto refused;
	if (!in->title || !*in->title) {
		params_refuse(rq, 422, "invalid_request", "is required", "title");
		goto refused;
	}
	if (tester(rq, sj, json_object_get(sj->doc, "tester"), &in->install_id, &in->tester_name) <
	    0)
		goto refused;
	apijob_submit(&sj->api, 1);
	return;
refused:
	sugg_release(&sj->api);
}

static int vote_query(apijob *j, store_db *db, int64_t project_id)
{
	sugg_job *sj = (sugg_job *)j;
	int64_t votes;
	int had = 0;
	int rc;

	if (voter(j, "install_id", &rc))
		return rc;
	rc = store_vote_exists(db, project_id, sj->num, sj->in.install_id, &had);
	if (rc == STORE_OK)
		rc = store_vote(db, project_id, sj->num, sj->in.install_id, sj->in.tester_name,
				sj->add, (int64_t)time(NULL), &votes);
	if (rc != STORE_OK)
		return rc;
	/* counted: this call changed the tally (a new vote, or a withdrawn one). */
	sj->api.answer =
	    json_pack("{s:I,s:b}", "votes", (json_int_t)votes, "counted", sj->add ? !had : had);
	return STORE_OK;
}

static void vote(request *rq, int add)
{
	sugg_job *sj = job_new(rq, AUTH_INGEST, vote_query);
	const http_header *h;

	if (!sj)
		return;
	sj->add = add;
	if (reply_parse_id(rq->params[1], 'S', &sj->num) < 0)
		sj->num = 0; /* authorised first, then 404 */
	h = http_find_header(rq->http, "x-prosum-install");
	if (!add && h && rq->body_len == 0) {
		/* A withdrawal may name the install in the header alone. */
		if (h->value.len > INSTALL_MAX)
			goto bad_install;
		memcpy(sj->install, h->value.p, h->value.len);
		sj->install[h->value.len] = '\0';
		if (!tester_install_ok(sj->install))
			goto bad_install;
		sj->in.install_id = sj->install;
		apijob_submit(&sj->api, 1);
		return;
	}
	if (session_only(rq) && rq->body_len == 0) {
		/* A tester's session: the install is the session's. */
		apijob_submit(&sj->api, 1);
		return;
	}
	if (params_json_object(rq, &sj->doc) < 0)
		goto refused;
	if (params_opt_string(rq, sj->doc, "install_id", "install_id", INSTALL_MAX,
			      &sj->in.install_id) < 0 ||
	    params_opt_string(rq, sj->doc, "name", "name", NAME_MAX_LEN, &sj->in.tester_name) < 0)
		goto refused;
	if ((sj->in.install_id || !session_only(rq)) &&
	    (!sj->in.install_id || !tester_install_ok(sj->in.install_id)))
		goto bad_install;
	if (sj->in.tester_name && !*sj->in.tester_name)
		sj->in.tester_name = NULL;
	apijob_submit(&sj->api, 1);
	return;
bad_install:
	params_refuse(rq, 422, "invalid_request", "is required: 1-128 printable characters",
		      "install_id");
refused:
	sugg_release(&sj->api);
}

void suggestions_vote(request *rq)
{
	vote(rq, 1);
}

void suggestions_unvote(request *rq)
{
	vote(rq, 0);
}

/* ---- the team's side ---- */

static int list_query(apijob *j, store_db *db, int64_t project_id)
{
	sugg_job *sj = (sugg_job *)j;
	json_t *items;
	int64_t next;
	int rc = render_suggestion_list(db, project_id, &sj->filter, &items, &next);

	if (rc != STORE_OK)
		return rc;
	sj->api.answer = reply_list(items, next);
	return STORE_OK;
}

void suggestions_list(request *rq)
{
	sugg_job *sj = job_new(rq, AUTH_DEVELOPER, list_query);
	char sort[16];
	int rc;

	if (!sj)
		return;
	if (params_suggestion_filter(rq, sj->fstatus, sizeof(sj->fstatus), &sj->filter.status,
				     sj->q, sizeof(sj->q), &sj->filter.q) < 0)
		goto refused;
	rc = http_query_param(rq->http->query, "sort", sort, sizeof(sort));
	if (rc >= 0 && strcmp(sort, "newest") == 0)
		sj->filter.newest = 1;
	else if (rc != -1 && !(rc >= 0 && strcmp(sort, "votes") == 0)) {
		params_refuse(rq, 422, "invalid_parameter", "must be votes or newest", "sort");
		goto refused;
	}
	if (params_page(rq, &sj->filter.limit, &sj->filter.offset) < 0)
		goto refused;
	apijob_submit(&sj->api, 0);
	return;
refused:
	sugg_release(&sj->api);
}

static int get_query(apijob *j, store_db *db, int64_t project_id)
{
	sugg_job *sj = (sugg_job *)j;

	return render_suggestion_get(db, project_id, sj->num, &j->answer);
}

void suggestions_get(request *rq)
{
	sugg_job *sj = job_new(rq, AUTH_DEVELOPER, get_query);

	if (!sj)
		return;
	if (reply_parse_id(rq->params[1], 'S', &sj->num) < 0)
		sj->num = 0;
	apijob_submit(&sj->api, 0);
}

static int patch_query(apijob *j, store_db *db, int64_t project_id)
{
	sugg_job *sj = (sugg_job *)j;
	int rc = store_suggestion_patch(db, project_id, sj->num, &sj->change, sj->api.actor,
					(int64_t)time(NULL), sj->api.reason, sizeof(sj->api.reason));

	if (rc == STORE_INVALID)
		sj->api.field = sj->change.duplicate_of ? "duplicate_of" : "shipped_in";
	if (rc == STORE_CONFLICT && strncmp(sj->api.reason, "S-", 2) == 0)
		sj->api.field = "shipped_in"; /* git decided where it shipped */
	if (rc == STORE_OK && (sj->hidden >= 0 || sj->pinned >= 0))
		rc = store_board_moderate(db, project_id, sj->num, sj->hidden, sj->pinned,
					  sj->api.actor, (int64_t)time(NULL));
	if (rc != STORE_OK)
		return rc;
	return render_suggestion_get(db, project_id, sj->num, &sj->api.answer);
}

void suggestions_patch(request *rq)
{
	/* A developer moderates: status, duplicate_of, comment, hidden, pinned; where a
	 * suggestion shipped is the release manager's (below). */
	sugg_job *sj = job_new(rq, AUTH_DEVELOPER, patch_query);
	store_suggestion_change *c;
	const char *key;
	json_t *v;

	if (!sj)
		return;
	c = &sj->change;
	sj->hidden = sj->pinned = -1;
	if (reply_parse_id(rq->params[1], 'S', &sj->num) < 0)
		sj->num = 0;
	if (params_json_object(rq, &sj->doc) < 0)
		goto refused;
	json_object_foreach(sj->doc, key, v)
	{
		if (strcmp(key, "status") == 0) {
			if (!json_is_string(v) ||
			    !workflow_suggestion_valid(json_string_value(v))) {
				char msg[160];
				snprintf(msg, sizeof(msg), "must be one of %s",
					 workflow_suggestion_list());
				params_refuse(rq, 422, "invalid_request", msg, key);
				goto refused;
			}
			c->status = json_string_value(v);
		} else if (strcmp(key, "duplicate_of") == 0) {
			if (!json_is_string(v) ||
			    reply_parse_id(json_string_value(v), 'S', &c->duplicate_of) < 0) {
				params_refuse(rq, 422, "invalid_request",
					      "must be a suggestion id such as S-3", key);
				goto refused;
			}
		} else if (strcmp(key, "shipped_in") == 0) {
			if (params_opt_string(rq, sj->doc, key, key, 100, &c->shipped_in) < 0)
				goto refused;
			sj->api.need = AUTH_RELEASE;
		} else if (strcmp(key, "comment") == 0) {
			if (params_opt_string(rq, sj->doc, key, key, BODY_MAX, &c->comment) < 0)
				goto refused;
			if (!c->comment || !*c->comment) {
				params_refuse(rq, 422, "invalid_request",
					      "must be text of 1 to 16384 bytes", key);
				goto refused;
			}
		} else if (strcmp(key, "hidden") == 0 || strcmp(key, "pinned") == 0) {
			if (!json_is_boolean(v)) {
				params_refuse(rq, 422, "invalid_request", "must be true or false",
					      key);
				goto refused;
			}
			*(key[0] == 'h' ? &sj->hidden : &sj->pinned) = json_is_true(v);
			continue;
		} else {
			params_refuse(
			    rq, 422, "invalid_request",
			    "unknown field; known: status, duplicate_of, shipped_in, comment, "
			    "hidden, pinned",
			    key);
			goto refused;
		}
	}
	apijob_submit(&sj->api, 1);
	return;
refused:
	sugg_release(&sj->api);
}

/* ---- the tester's own view ---- */

/* In a query: the install X-Prosum-Install named (or the session's own), as tester_install(). */
static int header_install(apijob *j, const char **install, int *rc)
{
	sugg_job *sj = (sugg_job *)j;

	return tester_install(j, sj->install[0] ? sj->install : NULL, "X-Prosum-Install", install,
			      rc);
}

static int mine_query(apijob *j, store_db *db, int64_t project_id)
{
	sugg_job *sj = (sugg_job *)j;
	const char *install;
	int rc;

	if (header_install(j, &install, &rc))
		return rc;
	return render_mine(db, project_id, install, sj->since, &j->answer);
}

/* The tester's install from X-Prosum-Install into sj->install; -1 after answering 422. */
static int install_header(request *rq, sugg_job *sj)
{
	const http_header *h = http_find_header(rq->http, "x-prosum-install");

	if (!h && session_only(rq))
		return 0; /* a tester's session: its own install, else refused after sign-in */
	if (!h || h->value.len == 0 || h->value.len > INSTALL_MAX)
		return params_refuse(rq, 422, "invalid_request",
				     "send X-Prosum-Install: the install's id", "X-Prosum-Install");
	memcpy(sj->install, h->value.p, h->value.len);
	sj->install[h->value.len] = '\0';
	if (!tester_install_ok(sj->install))
		return params_refuse(rq, 422, "invalid_request", "1-128 printable characters",
				     "X-Prosum-Install");
	return 0;
}

void suggestions_mine(request *rq)
{
	sugg_job *sj = job_new(rq, AUTH_INGEST, mine_query);
	char since[64];
	int rc;

	if (!sj)
		return;
	if (install_header(rq, sj) < 0)
		goto refused;
	rc = http_query_param(rq->http->query, "since", since, sizeof(since));
	if (rc == -2 || (rc >= 0 && rfc3339_parse(since, &sj->since) < 0)) {
		params_refuse(rq, 422, "invalid_parameter",
			      "must be a time such as 2026-11-20T10:15:00Z", "since");
		goto refused;
	}
	apijob_submit(&sj->api, 0);
	return;
refused:
	sugg_release(&sj->api);
}

static int reply_query(apijob *j, store_db *db, int64_t project_id)
{
	sugg_job *sj = (sugg_job *)j;
	const char *install;
	int rc;

	if (header_install(j, &install, &rc))
		return rc;
	if (tester_rate(j, sj->rate, install))
		return STORE_OK;
	rc = render_report_reply(db, project_id, sj->num, install, sj->reply, (int64_t)time(NULL),
				 &j->answer);
	if (rc == STORE_FORBIDDEN) {
		/* Answered as a refusal: only the install that sent a report replies on it. */
		j->status = 403;
		j->why = "this report was sent from another install";
		return STORE_OK;
	}
	j->created = rc == STORE_OK;
	return rc;
}

void suggestions_report_reply(request *rq)
{
	sugg_job *sj = job_new(rq, AUTH_INGEST, reply_query);

	if (!sj)
		return;
	sj->api.notfound = "no such report in this project";
	if (reply_parse_id(rq->params[1], 'R', &sj->num) < 0)
		sj->num = 0; /* authorised first, then 404 */
	if (install_header(rq, sj) < 0 || params_json_object(rq, &sj->doc) < 0 ||
	    params_opt_string(rq, sj->doc, "body", "body", BODY_MAX, &sj->reply) < 0)
		goto refused;
	if (!sj->reply || !*sj->reply) {
		params_refuse(rq, 422, "invalid_request", "is required: text of 1 to 16384 bytes",
			      "body");
		goto refused;
	}
	apijob_submit(&sj->api, 1);
	return;
refused:
	sugg_release(&sj->api);
}

static int contributors_query(apijob *j, store_db *db, int64_t project_id)
{
	return render_contributors(db, project_id, &j->answer);
}

void suggestions_contributors(request *rq)
{
	sugg_job *sj = job_new(rq, AUTH_DEVELOPER, contributors_query);

	if (sj)
		apijob_submit(&sj->api, 0);
}
