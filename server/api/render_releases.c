/* render_releases.c - releases, what each fixed and shipped, and contributors as JSON. */
#include "api/render_releases.h"

#include <stddef.h>

#include "api/reply.h"

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* One release being rendered: the object and its arrays (each owned until joined). */
typedef struct release_ctx {
	json_t *rel;
	json_t *reports;
	json_t *groups;
	json_t *shipped;
	json_t *contributors;
	json_t *credited;  /* borrowed: the "credited" array of the last shipped suggestion */
	json_t *last;      /* borrowed: the last shipped suggestion */
	json_int_t others; /* its votes not yet matched by a named voter */
} release_ctx;

static int rel_release(void *ctx, const store_release_row *r)
{
	release_ctx *c = ctx;

	c->rel = json_pack("{s:o,s:o,s:o,s:I,s:o}", "name", text_or_null(r->name), "ref",
			   text_or_null(r->ref), "commit", text_or_null(r->commit), "position",
			   (json_int_t)r->position, "created_at", reply_time(r->created_at));
	return c->rel ? 0 : -1;
}

static int rel_fixed(void *ctx, const store_fixed_item *it)
{
	release_ctx *c = ctx;

	if (it->type == 'R')
		json_array_append_new(c->reports,
				      json_pack("{s:o,s:o,s:o}", "id", reply_id('R', it->num),
						"title", text_or_null(it->title), "fixed_by",
						text_or_null(it->fixed_by)));
	else
		json_array_append_new(c->groups,
				      json_pack("{s:o,s:o,s:o,s:I,s:I}", "id",
						reply_id('G', it->num), "title",
						text_or_null(it->title), "fixed_by",
						text_or_null(it->fixed_by), "count",
						(json_int_t)it->count, "testers",
						(json_int_t)it->testers));
	return 0;
}

/* The voters counted, not named, of the last shipped suggestion. */
static void shipped_close(release_ctx *c)
{
	if (c->last)
		json_object_set_new(c->last, "others", json_integer(c->others));
	c->last = c->credited = NULL;
}

static int rel_shipped(void *ctx, const store_shipped_row *s)
{
	release_ctx *c = ctx;
	json_t *it = json_pack("{s:o,s:o,s:I,s:o}", "id", reply_id('S', s->num), "title",
			       text_or_null(s->title), "votes", (json_int_t)s->votes,
			       "suggested_by", text_or_null(s->suggested_by));
	json_t *voters = json_array();

	shipped_close(c);
	if (!it || json_array_append_new(c->shipped, it) < 0) {
		json_decref(voters);
		return 0; /* left out, as when it cannot be rendered */
	}
	if (json_object_set_new(it, "credited", voters) == 0)
		c->credited = voters;
	c->last = it;
	c->others = s->votes;
	return 0;
}

static int rel_credited(void *ctx, const char *name)
{
	release_ctx *c = ctx;

	if (!c->last)
		return 0;
	if (c->credited)
		json_array_append_new(c->credited, text_or_null(name));
	if (c->others > 0)
		c->others--;
	return 0;
}

static int rel_contributor(void *ctx, const store_contributor_row *r)
{
	json_array_append_new(((release_ctx *)ctx)->contributors,
			      json_pack("{s:o,s:I,s:I}", "name", text_or_null(r->name),
					"suggestions", (json_int_t)r->suggestions, "fixed_reports",
					(json_int_t)r->fixed_reports));
	return 0;
}

int render_release_get(store_db *db, int64_t project_id, const char *name, json_t **out)
{
	static const store_release_fns fns = {rel_release, rel_fixed, rel_shipped, rel_credited,
					      rel_contributor};
	release_ctx c = {NULL, json_array(), json_array(), json_array(), json_array(), NULL, NULL, 0};
	int rc = STORE_ERROR;

	*out = NULL;
	if (!c.reports || !c.groups || !c.shipped || !c.contributors)
		goto out;
	rc = store_release_get(db, project_id, name, &fns, &c);
	if (rc != STORE_OK)
		goto out;
	shipped_close(&c);
	json_object_set(c.rel, "fixed_reports", c.reports);
	json_object_set(c.rel, "fixed_groups", c.groups);
	json_object_set(c.rel, "shipped_suggestions", c.shipped);
	json_object_set(c.rel, "contributors", c.contributors);
	*out = c.rel;
	c.rel = NULL;
out:
	json_decref(c.rel);
	json_decref(c.reports);
	json_decref(c.groups);
	json_decref(c.shipped);
	json_decref(c.contributors);
	return rc;
}

static int list_row(void *ctx, const store_release_row *r)
{
	json_array_append_new(
	    ctx, json_pack("{s:o,s:o,s:o,s:I,s:o,s:I,s:I,s:I}", "name", text_or_null(r->name),
			   "ref", text_or_null(r->ref), "commit", text_or_null(r->commit),
			   "position", (json_int_t)r->position, "created_at",
			   reply_time(r->created_at), "fixed_reports", (json_int_t)r->fixed_reports,
			   "fixed_groups", (json_int_t)r->fixed_groups, "shipped_suggestions",
			   (json_int_t)r->shipped_suggestions));
	return 0;
}

int render_release_list(store_db *db, int64_t project_id, json_t **out)
{
	json_t *arr = json_array();
	int rc;

	*out = NULL;
	if (!arr)
		return STORE_ERROR;
	rc = store_release_each(db, project_id, list_row, arr);
	if (rc != STORE_OK) {
		json_decref(arr);
		return rc;
	}
	*out = json_pack("{s:o,s:n}", "items", arr, "next");
	return STORE_OK;
}

static int contributor_row(void *ctx, const store_contributor_row *r)
{
	json_array_append_new(ctx, json_pack("{s:o,s:I,s:I}", "name", text_or_null(r->name),
					     "suggestions", (json_int_t)r->suggestions,
					     "fixed_reports", (json_int_t)r->fixed_reports));
	return 0;
}

int render_contributors(store_db *db, int64_t project_id, json_t **out)
{
	json_t *arr = json_array();
	int rc;

	*out = NULL;
	if (!arr)
		return STORE_ERROR;
	rc = store_contributors(db, project_id, contributor_row, arr);
	if (rc != STORE_OK) {
		json_decref(arr);
		return rc;
	}
	*out = json_pack("{s:o}", "items", arr);
	return *out ? STORE_OK : STORE_ERROR;
}
