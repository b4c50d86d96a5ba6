/* board.c - the community board: public reads for visitors, testers and the team, and moderation. */
#include "api/board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/apijob.h"
#include "api/params.h"
#include "api/reply.h"
#include "api/tester.h"
#include "config.h"
#include "model/workflow.h"
#include "net/conn.h"

#define BOARD_BODY_MAX 16384
#define BOARD_NAME_MAX 128
#define BOARD_INSTALL_MAX 128
#define BOARD_WEEK (7 * 24 * 3600)

typedef struct board_job {
	apijob api; /* first */
	json_t *doc;      /* the request body; owns the strings below */
	store_board_filter f;
	char status[32], q[512], install[BOARD_INSTALL_MAX + 1];
	const char *body;   /* a comment, in doc */
	const char *credit; /* a tester's name to credit, in doc */
	int64_t num;        /* S-n, or a comment's id */
	int hidden;
	json_t *merged;     /* borrowed from the answer while it is read */
	struct ratelimit *rate; /* testers' comments per install */
} board_job;

static int install_header(request *rq, board_job *bj, int required);

int board_is_team(const apijob *j)
{
	return j->who.role >= AUTH_DEVELOPER;
}

static void board_release(apijob *j)
{
	board_job *bj = (board_job *)j;

	json_decref(bj->doc);
	apijob_dispose(j);
	free(bj);
}

static board_job *job_new(request *rq, int need, apijob_query query, int visitor)
{
	board_job *bj;

	if (rq->creds.has_key && conn_rate_key(rq->conn, rq->creds.key) < 0)
		return NULL;
	/* Testers' comments (not the team's tokens) per address, as votes and suggestions. */
	if (need == AUTH_INGEST && rq->creds.unsafe && !rq->creds.has_token &&
	    conn_rate_board(rq->conn) < 0)
		return NULL;
	bj = calloc(1, sizeof(*bj));
	if (!bj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return NULL;
	}
	if ((visitor ? apijob_init_visitor(&bj->api, rq, query, "no such suggestion in this project",
					   board_release)
		     : apijob_init(&bj->api, rq, need, query, "no such suggestion in this project",
				   board_release)) < 0) {
		free(bj);
		return NULL;
	}
	bj->rate = rq->board_install;
	return bj;
}

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The board names a new suggestion as one under review. */
static const char *board_status(const char *s)
{
	return s && strcmp(s, "new") == 0 ? "under_review" : s;
}

static json_t *row_json(const store_board_row *r, int team)
{
	json_t *v = json_pack(
	    "{s:o,s:o,s:o,s:I,s:I,s:o,s:o,s:b,s:I,s:o}", "id", reply_id('S', r->num), "title",
	    text_or_null(r->title), "status", text_or_null(board_status(r->status)), "votes",
	    (json_int_t)r->votes, "votes_7d", (json_int_t)r->votes_7d, "shipped_in",
	    text_or_null(r->shipped_in), "created_at", reply_time(r->created_at), "pinned",
	    r->pinned, "comments", (json_int_t)r->comments, "duplicate_of",
	    r->duplicate_of ? reply_id('S', r->duplicate_of) : json_null());

	if (v && (team || r->hidden)) /* a tester reads their own hidden one, marked */
		json_object_set_new(v, "hidden", json_boolean(r->hidden));
	return v;
}

/* ---- GET /board ---- */

typedef struct list_ctx {
	json_t *items;
	int team;
} list_ctx;

static int list_row(void *ctx, const store_board_row *r)
{
	list_ctx *l = ctx;

	return json_array_append_new(l->items, row_json(r, l->team)) == 0 ? 0 : -1;
}

static int list_query(apijob *j, store_db *db, int64_t project_id)
{
	board_job *bj = (board_job *)j;
	list_ctx l = {json_array(), board_is_team(j)};
	int64_t next = 0;
	int rc;

	if (!l.items)
		return STORE_ERROR;
	bj->f.team = l.team;
	if (j->who.kind == AUTH_BY_TESTER) /* signed in by a board link: its session's */
		snprintf(bj->install, sizeof(bj->install), "%s", j->who.install_id);
	bj->f.install = (j->who.kind == AUTH_BY_KEY || j->who.kind == AUTH_BY_TESTER) &&
				bj->install[0]
			? bj->install
			: NULL;
	rc = store_board_list(db, project_id, &bj->f, list_row, &l, &next);
	if (rc != STORE_OK) {
		json_decref(l.items);
		return rc;
	}
	j->answer = reply_list(l.items, next);
	return j->answer ? STORE_OK : STORE_ERROR;
}

void board_list(request *rq)
{
	board_job *bj = job_new(rq, AUTH_INGEST, list_query, 1);
	char sort[16];
	int rc;

	if (!bj)
		return;
	bj->f.since = (int64_t)time(NULL) - BOARD_WEEK;
	if (rq->creds.has_key && install_header(rq, bj, 0) < 0)
		goto refused;
	if (params_suggestion_filter(rq, bj->status, sizeof(bj->status), &bj->f.status, bj->q,
				     sizeof(bj->q), &bj->f.q) < 0)
		goto refused;
	/* prefix=1: q is being typed; its last word matches the start of words */
	rc = http_query_param(rq->http->query, "prefix", sort, sizeof(sort));
	if (rc == -2 || (rc >= 0 && strcmp(sort, "0") != 0 && strcmp(sort, "1") != 0)) {
		params_refuse(rq, 422, "invalid_parameter", "must be 0 or 1", "prefix");
		goto refused;
	}
	bj->f.prefix = rc >= 0 && strcmp(sort, "1") == 0;
	rc = http_query_param(rq->http->query, "sort", sort, sizeof(sort));
	if (rc == -1 || (rc >= 0 && strcmp(sort, "votes") == 0))
		bj->f.sort = STORE_BOARD_VOTES;
	else if (rc >= 0 && strcmp(sort, "trending") == 0)
		bj->f.sort = STORE_BOARD_TRENDING;
	else if (rc >= 0 && strcmp(sort, "newest") == 0)
		bj->f.sort = STORE_BOARD_NEWEST;
	else {
		params_refuse(rq, 422, "invalid_parameter", "must be votes, trending or newest",
			      "sort");
		goto refused;
	}
	if (params_page(rq, &bj->f.limit, &bj->f.offset) < 0)
		goto refused;
	apijob_submit(&bj->api, 0);
	return;
refused:
	board_release(&bj->api);
}

/* ---- GET /board/{S-n} ---- */

static int get_row(void *ctx, const store_board_row *r)
{
	board_job *bj = ctx;
	int team = board_is_team(&bj->api);
	json_t *v = row_json(r, team);

	if (!v)
		return -1;
	json_object_set_new(v, "body", text_or_null(r->body));
	json_object_set_new(v, "author", text_or_null(r->author));
	if (bj->install[0])
		json_object_set_new(v, "voted", json_boolean(r->voted));
	bj->merged = json_array();
	json_object_set_new(v, "merged", bj->merged);
	bj->api.answer = v;
	return bj->merged ? 0 : -1;
}

static int get_merged(void *ctx, int64_t num)
{
	board_job *bj = ctx;

	return json_array_append_new(bj->merged, reply_id('S', num)) == 0 ? 0 : -1;
}

/* What a visitor or tester may read of the history: the status, where it shipped, what it
 * duplicates; who is "git" or "team". */
static int public_field(const char *f)
{
	return f && (strcmp(f, "status") == 0 || strcmp(f, "shipped_in") == 0 ||
		     strcmp(f, "duplicate_of") == 0);
}

/* The comments and the history of the item in j->answer, as `team` or not may read them. */
static int add_thread(apijob *j, const store_thread *t, int team)
{
	json_t *comments = json_array(), *history = json_array(), *c;
	const store_comment *cm;
	const store_history_entry *h;
	size_t i;

	json_object_set_new(j->answer, "comments", comments);
	json_object_set_new(j->answer, "history", history);
	if (!comments || !history)
		return STORE_ERROR;
	for (i = 0; i < t->ncomments; i++) {
		cm = &t->comments[i];
		if (cm->hidden && !team)
			continue;
		/* The team is "team" to everyone else; a tester signs with their credit. */
		c = json_pack("{s:I,s:o,s:s,s:o,s:o}", "id", (json_int_t)cm->id, "author",
			      text_or_null(team || cm->from_tester ? cm->author : "team"), "from",
			      cm->from_tester ? "tester" : "team", "body", text_or_null(cm->body),
			      "at", reply_time(cm->at));
		if (c && team)
			json_object_set_new(c, "hidden", json_boolean(cm->hidden));
		if (json_array_append_new(comments, c) < 0)
			return STORE_ERROR;
	}
	for (i = 0; i < t->nhistory; i++) {
		h = &t->history[i];
		if (!team && !public_field(h->field))
			continue;
		if (json_array_append_new(
			history,
			json_pack("{s:o,s:o,s:o,s:o,s:o}", "field", text_or_null(h->field), "old",
				  text_or_null(h->old_value), "new", text_or_null(h->new_value),
				  "actor",
				  team ? text_or_null(h->actor)
				       : json_string(h->actor && strcmp(h->actor, "git") == 0 ? "git"
											      : "team"),
				  "at", reply_time(h->at))) < 0)
			return STORE_ERROR;
	}
	return STORE_OK;
}

static int get_query(apijob *j, store_db *db, int64_t project_id)
{
	board_job *bj = (board_job *)j;
	store_arena a = {0};
	store_thread t;
	int rc;

	bj->f.team = board_is_team(j);
	if (j->who.kind != AUTH_BY_KEY)
		bj->install[0] = '\0'; /* the install is a tester's own to name */
	if (j->who.kind == AUTH_BY_TESTER) /* signed in by a board link: its session's */
		snprintf(bj->install, sizeof(bj->install), "%s", j->who.install_id);
	bj->f.install = bj->install[0] ? bj->install : NULL;
	rc = store_board_get(db, project_id, bj->num, &bj->f, bj->install[0] ? bj->install : NULL,
			     get_row, get_merged, bj);
	if (rc != STORE_OK)
		return rc;
	rc = store_thread_load(db, project_id, 'S', bj->num, &a, &t);
	if (rc == STORE_OK)
		rc = add_thread(j, &t, bj->f.team);
	store_arena_free(&a);
	return rc;
}

/* The optional X-Prosum-Install of a tester into bj->install. 0, or -1 after answering. */
static int install_header(request *rq, board_job *bj, int required)
{
	const http_header *h = http_find_header(rq->http, "x-prosum-install");
	size_t i;

	if (!h && !required)
		return 0;
	if (!h || h->value.len == 0 || h->value.len > BOARD_INSTALL_MAX)
		return params_refuse(rq, 422, "invalid_request",
				     "send X-Prosum-Install: the install's id", "X-Prosum-Install");
	for (i = 0; i < h->value.len; i++)
		if (h->value.p[i] <= 0x20 || h->value.p[i] >= 0x7f)
			return params_refuse(rq, 422, "invalid_request",
					     "1-128 printable characters", "X-Prosum-Install");
	memcpy(bj->install, h->value.p, h->value.len);
	bj->install[h->value.len] = '\0';
	return 0;
}

void board_get(request *rq)
{
	board_job *bj = job_new(rq, AUTH_INGEST, get_query, 1);

	if (!bj)
		return;
	bj->f.since = (int64_t)time(NULL) - BOARD_WEEK;
	if (reply_parse_id(rq->params[1], 'S', &bj->num) < 0)
		bj->num = 0; /* authorised first, then 404 */
	if (rq->creds.has_key && install_header(rq, bj, 0) < 0) {
		board_release(&bj->api);
		return;
	}
	apijob_submit(&bj->api, 0);
}

/* ---- moderation: PATCH /comments/{id} ---- */

static int comment_json(void *ctx, const store_board_comment *c)
{
	apijob *j = ctx;

	j->answer = json_pack("{s:I,s:o,s:o,s:s,s:o,s:o,s:b,s:o,s:o}", "id", (json_int_t)c->id,
			      "on", reply_id(c->type, c->num), "author", text_or_null(c->author),
			      "from", c->from_tester ? "tester" : "team", "body",
			      text_or_null(c->body), "at", reply_time(c->at), "hidden", c->hidden,
			      "hidden_by", text_or_null(c->hidden_by), "hidden_at",
			      reply_time(c->hidden_at));
	return j->answer ? 0 : -1;
}

static int comment_patch_query(apijob *j, store_db *db, int64_t project_id)
{
	board_job *bj = (board_job *)j;

	return store_board_comment_hide(db, project_id, bj->num, bj->hidden, j->actor,
					(int64_t)time(NULL), comment_json, j);
}

void board_comment_patch(request *rq)
{
	board_job *bj = job_new(rq, AUTH_DEVELOPER, comment_patch_query, 0);
	const char *key, *p = rq->params[1];
	json_t *v;
	char *end;
	int seen = 0;

	if (!bj)
		return;
	bj->api.notfound = "no such comment in this project";
	bj->num = strtoll(p, &end, 10);
	if (*p < '1' || *p > '9' || *end)
		bj->num = 0; /* authorised first, then 404 */
	if (params_json_object(rq, &bj->doc) < 0)
		goto refused;
	json_object_foreach(bj->doc, key, v)
	{
		if (strcmp(key, "hidden") != 0) {
			params_refuse(rq, 422, "invalid_request", "unknown field; known: hidden",
				      key);
			goto refused;
		}
		if (!json_is_boolean(v)) {
			params_refuse(rq, 422, "invalid_request", "must be true or false", key);
			goto refused;
		}
		bj->hidden = json_is_true(v);
		seen = 1;
	}
	if (!seen) {
		params_refuse(rq, 422, "invalid_request", "is required: true or false", "hidden");
		goto refused;
	}
	apijob_submit(&bj->api, 1);
	return;
refused:
	board_release(&bj->api);
}

/* ---- POST /suggestions/{S-n}/comments ---- */

static int comment_add_query(apijob *j, store_db *db, int64_t project_id)
{
	board_job *bj = (board_job *)j;
	int team = board_is_team(j);
	const char *author = team ? j->actor : bj->credit ? bj->credit : "tester";
	int64_t now = (int64_t)time(NULL), id;
	int rc;

	if (!team && j->who.kind == AUTH_BY_TESTER) {
		/* A tester's session comments as its own install, credited as its link asked. */
		const char *own;

		if (tester_install(j, NULL, "X-Prosum-Install", &own, &rc))
			return rc;
		snprintf(bj->install, sizeof(bj->install), "%s", own);
		if (!bj->credit && j->who.tester_name[0])
			author = bj->credit = j->who.tester_name;
	} else if (!team && (j->who.kind != AUTH_BY_KEY || !bj->install[0])) {
		j->status = j->who.kind == AUTH_BY_KEY ? 422 : 403;
		j->why = j->who.kind == AUTH_BY_KEY
			     ? "send X-Prosum-Install: the install's id"
			     : "this needs a team credential, or an ingest key with X-Prosum-Install";
		return STORE_OK;
	}
	if (!team && tester_rate(j, bj->rate, bj->install))
		return STORE_OK;
	rc = store_board_comment_add(db, project_id, bj->num, author, team ? NULL : bj->install,
				     bj->body, now, &id);
	if (rc != STORE_OK)
		return rc;
	j->created = 1;
	j->answer = json_pack("{s:I,s:s,s:s,s:s,s:o}", "id", (json_int_t)id, "author", author,
			      "from", team ? "team" : "tester", "body", bj->body, "at",
			      reply_time(now));
	return j->answer ? STORE_OK : STORE_ERROR;
}

void board_comment_add(request *rq)
{
	board_job *bj = job_new(rq, AUTH_INGEST, comment_add_query, 0);
	const char *key;
	json_t *v;

	if (!bj)
		return;
	if (reply_parse_id(rq->params[1], 'S', &bj->num) < 0)
		bj->num = 0; /* authorised first, then 404 */
	if ((rq->creds.has_key && !rq->creds.has_token && install_header(rq, bj, 1) < 0) ||
	    params_json_object(rq, &bj->doc) < 0)
		goto refused;
	json_object_foreach(bj->doc, key, v)
	{
		if (strcmp(key, "body") != 0 && strcmp(key, "name") != 0) {
			params_refuse(rq, 422, "invalid_request",
				      "unknown field; known: body, name", key);
			goto refused;
		}
	}
	if (params_opt_string(rq, bj->doc, "body", "body", BOARD_BODY_MAX, &bj->body) < 0 ||
	    params_opt_string(rq, bj->doc, "name", "name", BOARD_NAME_MAX, &bj->credit) < 0)
		goto refused;
	if (!bj->body || !bj->body[strspn(bj->body, " \t\r\n")]) {
		params_refuse(rq, 422, "invalid_request", "is required: text of 1 to 16384 bytes",
			      "body");
		goto refused;
	}
	if (bj->credit && !*bj->credit)
		bj->credit = NULL;
	apijob_submit(&bj->api, 1);
	return;
refused:
	board_release(&bj->api);
}
