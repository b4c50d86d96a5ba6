/* render_suggestions.c - suggestions and the tester's own reports and suggestions as JSON. */
#include "api/render_suggestions.h"

#include <stddef.h>

#include "api/render_reports.h"
#include "api/reply.h"

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* A suggestion as the API shows it; NULL when out of memory (or a text is not UTF-8). */
static json_t *suggestion_json(const store_suggestion_row *r)
{
	return json_pack("{s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:o}", "id", reply_id('S', r->num),
			 "title", text_or_null(r->title), "status", text_or_null(r->status),
			 "votes", (json_int_t)r->votes, "shipped_in", text_or_null(r->shipped_in),
			 "created_at", reply_time(r->created_at), "updated_at",
			 reply_time(r->updated_at), "duplicate_of",
			 r->duplicate_of ? reply_id('S', r->duplicate_of) : json_null(), "body",
			 text_or_null(r->body));
}

/* Append one suggestion to the array ctx. */
static int list_row(void *ctx, const store_suggestion_row *r)
{
	json_array_append_new(ctx, suggestion_json(r));
	return 0;
}

int render_suggestion_list(store_db *db, int64_t project_id, const store_suggestion_filter *f,
			   json_t **items, int64_t *next)
{
	json_t *arr = json_array();
	int rc;

	*items = NULL;
	*next = 0;
	if (!arr)
		return STORE_ERROR;
	rc = store_suggestion_list(db, project_id, f, list_row, arr, next);
	if (rc != STORE_OK) {
		json_decref(arr);
		return rc;
	}
	*items = arr;
	return STORE_OK;
}

/* Keep the one suggestion in *(json_t **)ctx. */
static int get_row(void *ctx, const store_suggestion_row *r)
{
	*(json_t **)ctx = suggestion_json(r);
	return 0;
}

int render_suggestion_get(store_db *db, int64_t project_id, int64_t num, json_t **out)
{
	json_t *v = NULL;
	store_arena a = {0};
	store_thread t;
	int rc = store_suggestion_get(db, project_id, num, get_row, &v);

	*out = NULL;
	if (rc != STORE_OK) {
		json_decref(v);
		return rc;
	}
	if (!v)
		return STORE_ERROR;
	rc = store_thread_load(db, project_id, 'S', num, &a, &t);
	if (rc == STORE_OK)
		rc = render_thread(&t, v);
	store_arena_free(&a);
	if (rc != STORE_OK) {
		json_decref(v);
		return STORE_ERROR;
	}
	*out = v;
	return STORE_OK;
}

/* The tester's view being built: the item whose thread the next comments belong to. */
typedef struct mine_ctx {
	json_t *reports;
	json_t *suggestions;
	json_t *thread;   /* borrowed: the "comments" array of the last item; NULL: none */
	int reports_done; /* comments now belong to suggestions: team comments, no "from" */
} mine_ctx;

/* Give `it` (a new reference, may be NULL) an empty thread and append it to `arr`. */
static void mine_append(mine_ctx *m, json_t *arr, json_t *it)
{
	json_t *thread = json_array();

	m->thread = NULL;
	if (!it || !thread || json_object_set_new(it, "comments", thread) < 0) {
		json_decref(it);
		return;
	}
	if (json_array_append_new(arr, it) == 0)
		m->thread = thread;
}

static int mine_report(void *ctx, const store_mine_report *r)
{
	mine_ctx *m = ctx;

	mine_append(m, m->reports,
		    json_pack("{s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o}", "id", reply_id('R', r->num),
			      "title", text_or_null(r->title), "kind", text_or_null(r->kind),
			      "status", text_or_null(r->status), "group",
			      reply_id('G', r->group_num), "others", (json_int_t)r->others,
			      "fixed_in", text_or_null(r->fixed_in), "received_at",
			      reply_time(r->received_at), "updated_at", reply_time(r->updated_at)));
	return 0;
}

static int mine_suggestion(void *ctx, const store_suggestion_row *r)
{
	mine_ctx *m = ctx;
	json_t *it = suggestion_json(r);

	m->reports_done = 1;
	/* "mine": this install sent it; "voted": it voted for it (its own too). */
	json_object_set_new(it, "mine", json_boolean(r->mine));
	json_object_set_new(it, "voted", json_boolean(r->voted));
	mine_append(m, m->suggestions, it);
	return 0;
}

static int mine_comment(void *ctx, const store_thread_entry *c)
{
	mine_ctx *m = ctx;

	if (!m->thread)
		return 0;
	if (m->reports_done)
		json_array_append_new(m->thread, json_pack("{s:I,s:o,s:o}", "id", (json_int_t)c->id,
							   "body", text_or_null(c->body), "at",
							   reply_time(c->at)));
	else
		json_array_append_new(m->thread,
				      json_pack("{s:I,s:o,s:o,s:s}", "id", (json_int_t)c->id, "body",
						text_or_null(c->body), "at", reply_time(c->at),
						"from", c->from_tester ? "you" : "team"));
	return 0;
}

int render_mine(store_db *db, int64_t project_id, const char *install_id, int64_t since,
		json_t **out)
{
	static const store_mine_fns fns = {mine_report, mine_suggestion, mine_comment};
	mine_ctx m = {json_array(), json_array(), NULL, 0};
	int rc = STORE_ERROR;

	*out = NULL;
	if (!m.reports || !m.suggestions)
		goto out;
	rc = store_mine(db, project_id, install_id, since, &fns, &m);
	if (rc != STORE_OK)
		goto out;
	*out = json_pack("{s:O,s:O}", "reports", m.reports, "suggestions", m.suggestions);
	if (!*out)
		rc = STORE_ERROR;
out:
	json_decref(m.reports);
	json_decref(m.suggestions);
	return rc;
}
