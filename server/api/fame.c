/* fame.c - the community's shipped page, hall of fame and testers' public profiles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/apijob.h"
#include "api/board.h"
#include "api/reply.h"
#include "model/ranking.h"
#include "net/conn.h"

#define FAME_NAME_MAX 128

typedef struct fame_job {
	apijob api; /* first */
	char release[ROUTER_PARAM_MAX + 1]; /* "" every release */
	char name[FAME_NAME_MAX + 1];
	json_t *cur;  /* borrowed: the release or item being filled */
	ranking_entry *e;
	size_t n, cap;
} fame_job;

static void fame_release(apijob *j)
{
	fame_job *fj = (fame_job *)j;
	size_t i;

	for (i = 0; i < fj->n; i++)
		free(fj->e[i].name);
	free(fj->e);
	apijob_dispose(j);
	free(fj);
}

static fame_job *job_new(request *rq, apijob_query query, const char *notfound)
{
	fame_job *fj;

	if (rq->creds.has_key && conn_rate_key(rq->conn, rq->creds.key) < 0)
		return NULL;
	fj = calloc(1, sizeof(*fj));
	if (!fj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return NULL;
	}
	if (apijob_init_visitor(&fj->api, rq, query, notfound, fame_release) < 0) {
		free(fj);
		return NULL;
	}
	return fj;
}

/* ---- GET /shipped ---- */

static json_t *array_of(json_t *obj, const char *key)
{
	return json_object_get(obj, key);
}

static int sh_release(void *ctx, const char *name, int64_t at)
{
	fame_job *fj = ctx;
	json_t *r = json_pack("{s:s,s:o,s:[],s:[],s:[],s:I}", "name", name, "date", reply_time(at),
			      "suggestions", "fixed", "credited", "others", (json_int_t)0);

	fj->cur = r;
	return r && json_array_append_new(array_of(fj->api.answer, "releases"), r) == 0 ? 0 : -1;
}

static int sh_suggestion(void *ctx, int64_t num, const char *title, int64_t votes)
{
	fame_job *fj = ctx;

	return json_array_append_new(array_of(fj->cur, "suggestions"),
				     json_pack("{s:o,s:s?,s:I}", "id", reply_id('S', num), "title",
					       title, "votes", (json_int_t)votes));
}

static int sh_fixed(void *ctx, int64_t num, const char *title, int64_t reports)
{
	fame_job *fj = ctx;

	return json_array_append_new(array_of(fj->cur, "fixed"),
				     json_pack("{s:o,s:s?,s:I}", "id", reply_id('G', num), "title",
					       title, "reports", (json_int_t)reports));
}

static int sh_credited(void *ctx, const char *name)
{
	fame_job *fj = ctx;

	return json_array_append_new(array_of(fj->cur, "credited"), json_string(name));
}

static int sh_others(void *ctx, int64_t others)
{
	fame_job *fj = ctx;

	return json_object_set_new(fj->cur, "others", json_integer(others));
}

static int shipped_query(apijob *j, store_db *db, int64_t project_id)
{
	static const store_shipped_fns fns = {sh_release, sh_suggestion, sh_fixed, sh_credited,
					      sh_others};

	j->answer = json_pack("{s:[]}", "releases");
	if (!j->answer)
		return STORE_ERROR;
	return store_board_shipped(db, project_id, &fns, j);
}

void board_shipped(request *rq)
{
	fame_job *fj = job_new(rq, shipped_query, "no such project");

	if (fj)
		apijob_submit(&fj->api, 0);
}

/* ---- GET /fame ---- */

static int fame_row(void *ctx, const store_fame_row *r)
{
	fame_job *fj = ctx;
	ranking_entry *e;

	if (fj->n == fj->cap) {
		size_t cap = fj->cap ? fj->cap * 2 : 16;
		ranking_entry *p = realloc(fj->e, cap * sizeof(*p));

		if (!p)
			return -1;
		fj->e = p;
		fj->cap = cap;
	}
	e = &fj->e[fj->n];
	memset(e, 0, sizeof(*e));
	e->name = strdup(r->name);
	if (!e->name)
		return -1;
	e->reports_fixed = r->reports_fixed;
	e->suggestions_shipped = r->suggestions_shipped;
	e->votes_shipped = r->votes_shipped;
	fj->n++;
	return 0;
}

static json_t *entry_json(const ranking_entry *e)
{
	return json_pack("{s:s,s:I,s:I,s:I,s:I}", "name", e->name, "reports_fixed",
			 (json_int_t)e->reports_fixed, "suggestions_shipped",
			 (json_int_t)e->suggestions_shipped, "votes_shipped",
			 (json_int_t)e->votes_shipped, "score", (json_int_t)e->score);
}

static int fame_query(apijob *j, store_db *db, int64_t project_id)
{
	fame_job *fj = (fame_job *)j;
	json_t *items;
	int64_t others = 0;
	size_t i;
	int rc = store_board_fame(db, project_id, fj->release[0] ? fj->release : NULL, NULL,
				  fame_row, fj, &others);

	if (rc != STORE_OK)
		return rc;
	ranking_sort(fj->e, fj->n);
	items = json_array();
	for (i = 0; items && i < fj->n; i++)
		if (fj->e[i].score > 0 && json_array_append_new(items, entry_json(&fj->e[i])) < 0)
			break;
	j->answer = json_pack("{s:o,s:o,s:I}", "release",
			      fj->release[0] ? json_string(fj->release) : json_null(), "items",
			      items, "others", (json_int_t)others);
	return j->answer ? STORE_OK : STORE_ERROR;
}

void board_fame(request *rq)
{
	fame_job *fj = job_new(rq, fame_query, "no such release");
	int rc;

	if (!fj)
		return;
	rc = http_query_param(rq->http->query, "release", fj->release, sizeof(fj->release));
	if (rc == -2 || (rc >= 0 && !fj->release[0])) {
		conn_reply_error(rq->conn, 422, "invalid_parameter", "a release name", "release");
		fame_release(&fj->api);
		return;
	}
	if (rc < 0)
		fj->release[0] = '\0';
	apijob_submit(&fj->api, 0);
}

/* ---- GET /testers/{name} ---- */

static int pr_suggestion(void *ctx, const store_board_row *r)
{
	fame_job *fj = ctx;

	return json_array_append_new(
	    array_of(fj->api.answer, "suggestions"),
	    json_pack("{s:o,s:s?,s:s?,s:I,s:o}", "id", reply_id('S', r->num), "title", r->title,
		      "status", strcmp(r->status, "new") == 0 ? "under_review" : r->status, "votes",
		      (json_int_t)r->votes, "shipped_in",
		      r->shipped_in ? json_string(r->shipped_in) : json_null()));
}

static int pr_fixed(void *ctx, const char *title, const char *release)
{
	fame_job *fj = ctx;

	return json_array_append_new(array_of(fj->api.answer, "fixed"),
				     json_pack("{s:s?,s:s?}", "title", title, "fixed_in", release));
}

static int profile_query(apijob *j, store_db *db, int64_t project_id)
{
	fame_job *fj = (fame_job *)j;
	ranking_entry none = {0};
	const ranking_entry *e = &none;
	int rc = store_board_fame(db, project_id, NULL, fj->name, fame_row, fj, NULL);

	if (rc != STORE_OK)
		return rc;
	ranking_sort(fj->e, fj->n);
	if (fj->n)
		e = fj->e;
	j->answer = json_pack("{s:s,s:I,s:I,s:I,s:I,s:[],s:[]}", "name", fj->name,
			      "reports_fixed", (json_int_t)e->reports_fixed, "suggestions_shipped",
			      (json_int_t)e->suggestions_shipped, "votes_shipped",
			      (json_int_t)e->votes_shipped, "score", (json_int_t)e->score,
			      "suggestions", "fixed");
	if (!j->answer)
		return STORE_ERROR;
	rc = store_board_profile(db, project_id, fj->name, pr_suggestion, pr_fixed, fj);
	if (rc != STORE_OK)
		return rc;
	/* Only a name something was credited to, or sent under and shown, has a profile. */
	if (!fj->n && !json_array_size(array_of(j->answer, "suggestions")))
		return STORE_NOTFOUND;
	return STORE_OK;
}

void board_profile(request *rq)
{
	fame_job *fj = job_new(rq, profile_query, "no such tester");
	http_slice in = {rq->params[1], strlen(rq->params[1])};
	ssize_t n;

	if (!fj)
		return;
	n = http_percent_decode(fj->name, sizeof(fj->name), in);
	if (n <= 0)
		fj->name[0] = '\0'; /* no one: 404 once authorised */
	apijob_submit(&fj->api, 0);
}
