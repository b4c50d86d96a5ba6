/* render_reports.c - the API's JSON of reports, groups, their threads and suspect commits. */
#include "api/render_reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "api/reply.h"
#include "store/store_sentry.h"

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *render_revision(const store_revision *r)
{
	return json_pack("{s:o,s:o,s:o}", "input", text_or_null(r->input), "commit",
			 text_or_null(r->commit), "release",
			 r->release && *r->release ? json_string(r->release) : json_null());
}

json_t *render_report_row(const store_report_row *r)
{
	/* input: the build's revision, else its version, as GET of the report says */
	store_revision rev = r->revision;

	if (!rev.input)
		rev.input = r->version;
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "id",
			 reply_id('R', r->num), "group", reply_id('G', r->group_num), "kind",
			 text_or_null(r->kind), "title", text_or_null(r->title), "status",
			 text_or_null(r->status), "received_at", reply_time(r->received_at),
			 "revision", render_revision(&rev), "version",
			 text_or_null(r->version), "severity", text_or_null(r->severity),
			 "install_id", text_or_null(r->install_id), "assignee",
			 text_or_null(r->assignee), "platform", text_or_null(r->platform),
			 "cohort", r->cohort ? r->cohort : "");
}

json_t *render_group_row(const store_group_row *g)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
			 reply_id('G', g->num), "status", text_or_null(g->status), "kind",
			 text_or_null(g->kind), "title", text_or_null(g->title), "count",
			 (json_int_t)g->count, "testers", (json_int_t)g->testers, "first_seen",
			 reply_time(g->first_seen), "last_seen", reply_time(g->last_seen),
			 "first_revision", text_or_null(g->first_revision), "last_revision",
			 text_or_null(g->last_revision), "assignee", text_or_null(g->assignee),
			 "fixed_by", text_or_null(g->fixed_by), "merged_into",
			 g->merged_into ? reply_id('G', g->merged_into) : json_null(), "fixed_in",
			 text_or_null(g->fixed_in));
}

json_t *render_suspects(const store_suspect *s, size_t n)
{
	json_t *arr = json_array(), *c, *frames;
	size_t i, j;

	if (!arr)
		return NULL;
	for (i = 0; i < n; i++) {
		frames = json_array();
		for (j = 0; frames && j < s[i].nframes; j++)
			json_array_append_new(
			    frames, json_pack("{s:o,s:o,s:I}", "function",
					      text_or_null(s[i].frames[j].function), "file",
					      text_or_null(s[i].frames[j].file), "line",
					      (json_int_t)s[i].frames[j].line));
		c = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "id", text_or_null(s[i].id), "author",
			      text_or_null(s[i].author), "email", text_or_null(s[i].email), "date",
			      reply_time(s[i].date), "summary", text_or_null(s[i].summary),
			      "frames", frames);
		if (c && s[i].reports >= 0)
			json_object_set_new(c, "reports", json_integer(s[i].reports));
		json_array_append_new(arr, c);
	}
	return arr;
}

int render_thread(const store_thread *t, json_t *item)
{
	json_t *comments = json_array(), *history = json_array();
	size_t i;

	if (!comments || !history) {
		json_decref(comments);
		json_decref(history);
		return STORE_ERROR;
	}
	for (i = 0; i < t->ncomments; i++)
		json_array_append_new(
		    comments, json_pack("{s:I,s:o,s:o,s:o,s:s,s:b}", "id",
					(json_int_t)t->comments[i].id, "author",
					text_or_null(t->comments[i].author), "body",
					text_or_null(t->comments[i].body), "at",
					reply_time(t->comments[i].at), "from",
					t->comments[i].from_tester ? "tester" : "team", "hidden",
					t->comments[i].hidden));
	for (i = 0; i < t->nhistory; i++)
		json_array_append_new(
		    history, json_pack("{s:o,s:o,s:o,s:o,s:o}", "actor",
				       text_or_null(t->history[i].actor), "field",
				       text_or_null(t->history[i].field), "old",
				       text_or_null(t->history[i].old_value), "new",
				       text_or_null(t->history[i].new_value), "at",
				       reply_time(t->history[i].at)));
	json_object_set_new(item, "comments", comments);
	json_object_set_new(item, "history", history);
	return STORE_OK;
}

json_t *render_report(const store_report_detail *d)
{
	json_t *r, *att;
	json_error_t jerr;
	char url[256];
	size_t i;

	r = d->body ? json_loadb(d->body, d->body_len, 0, &jerr) : NULL;
	if (!json_is_object(r)) {
		json_decref(r);
		return NULL;
	}
	/* The document as sent, with what the server knows of it on top. */
	json_object_set_new(r, "id", reply_id('R', d->num));
	json_object_set_new(r, "group", reply_id('G', d->group_num));
	json_object_set_new(r, "kind", json_string(d->kind));
	json_object_set_new(r, "title", json_string(d->title));
	json_object_set_new(r, "status", json_string(d->status));
	json_object_set_new(r, "received_at", reply_time(d->received_at));
	json_object_set_new(r, "revision", render_revision(&d->revision));
	json_object_set_new(r, "assignee", text_or_null(d->assignee));
	json_object_set_new(r, "fixed_by", text_or_null(d->fixed_by));
	json_object_set_new(r, "fixed_in", text_or_null(d->fixed_in));
	json_object_set_new(r, "cohort", json_string(d->cohort ? d->cohort : ""));
	if (!json_object_get(r, "frames"))
		json_object_set_new(r, "frames", json_array());
	att = json_array();
	for (i = 0; att && i < d->nattachments; i++) {
		snprintf(url, sizeof(url), "attachments/%s", d->attachments[i].name);
		json_array_append_new(
		    att, json_pack("{s:s,s:I,s:s,s:s,s:s}", "name", d->attachments[i].name, "size",
				   (json_int_t)d->attachments[i].size, "content_type",
				   d->attachments[i].content_type, "sha256", d->attachments[i].sha256,
				   "path", url));
	}
	json_object_set_new(r, "attachments", att);
	json_object_set_new(r, "suspects", render_suspects(d->suspects, d->nsuspects));
	if (render_thread(&d->thread, r) != STORE_OK) {
		json_decref(r);
		return NULL;
	}
	return r;
}

json_t *render_group(const store_group_detail *d)
{
	json_t *g = render_group_row(&d->group), *versions = json_object(),
	       *platforms = json_object();
	size_t i;

	if (!g || !versions || !platforms)
		goto fail;
	for (i = 0; i < d->nversions; i++)
		json_object_set_new(versions, d->versions[i].value,
				    json_integer(d->versions[i].count));
	for (i = 0; i < d->nplatforms; i++)
		json_object_set_new(platforms, d->platforms[i].value,
				    json_integer(d->platforms[i].count));
	json_object_set_new(g, "suspects", render_suspects(d->suspects, d->nsuspects));
	json_object_set_new(g, "versions", versions);
	json_object_set_new(g, "platforms", platforms);
	versions = platforms = NULL;
	if (render_thread(&d->thread, g) != STORE_OK)
		goto fail;
	return g;
fail:
	json_decref(g);
	json_decref(versions);
	json_decref(platforms);
	return NULL;
}

/* ---- the JSON answers of reports and groups, read through the store's typed calls ---- */

/* ---- what Sentry envelopes add: attachment types and feedback links ---- */

static int feedback_one(void *ctx, int64_t n)
{
	return json_array_append_new(ctx, reply_id('R', n));
}

static int attachment_type_one(void *ctx, const char *name, const char *type)
{
	json_t *att = ctx, *a;
	size_t i;

	json_array_foreach(att, i, a)
		if (strcmp(json_string_value(json_object_get(a, "name")), name) == 0)
			return json_object_set_new(a, "attachment_type", json_string(type));
	return 0;
}

/* "feedback_for" on a feedback report whose event is stored, "feedback" on an event's report
 * that has some, "attachment_type" on the attachments Sentry SDKs sent. */
static int render_sentry(store_db *db, int64_t project_id, int64_t num, json_t *r)
{
	json_t *fb = json_array();
	int64_t ev;
	int rc = store_sentry_feedback_for(db, project_id, num, &ev);

	if (rc == STORE_OK)
		json_object_set_new(r, "feedback_for", reply_id('R', ev));
	else if (rc != STORE_NOTFOUND)
		goto out;
	rc = store_sentry_feedback_each(db, project_id, num, feedback_one, fb);
	if (rc == STORE_OK && json_array_size(fb))
		json_object_set(r, "feedback", fb);
	if (rc == STORE_OK)
		rc = store_sentry_attachment_types(db, project_id, num, attachment_type_one,
						   json_object_get(r, "attachments"));
out:
	json_decref(fb);
	return rc;
}

int render_report_get(store_db *db, int64_t project_id, int64_t num, json_t **out)
{
	store_report_detail *d;
	int rc = store_report_load(db, project_id, num, &d);

	*out = NULL;
	if (rc != STORE_OK)
		return rc;
	*out = render_report(d);
	store_report_detail_free(d);
	if (*out && render_sentry(db, project_id, num, *out) != STORE_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return *out ? STORE_OK : STORE_ERROR;
}

static int append_report(void *ctx, const store_report_row *row)
{
	return json_array_append_new(ctx, render_report_row(row));
}

int render_report_list(store_db *db, int64_t project_id, const store_report_filter *f,
		       json_t **items, int64_t *next)
{
	json_t *arr = json_array();
	int rc = arr ? store_report_each(db, project_id, f, append_report, arr, next) : STORE_ERROR;

	*items = NULL;
	if (rc != STORE_OK) {
		json_decref(arr);
		return rc;
	}
	*items = arr;
	return STORE_OK;
}

int render_group_get(store_db *db, int64_t project_id, int64_t num, json_t **out)
{
	store_group_detail *d;
	int rc = store_group_load(db, project_id, num, &d);

	*out = NULL;
	if (rc != STORE_OK)
		return rc;
	*out = render_group(d);
	store_group_detail_free(d);
	return *out ? STORE_OK : STORE_ERROR;
}

static int append_group(void *ctx, const store_group_row *row)
{
	return json_array_append_new(ctx, render_group_row(row));
}

int render_group_list(store_db *db, int64_t project_id, const store_group_filter *f,
		      json_t **items, char next[STORE_CURSOR_MAX])
{
	json_t *arr = json_array();
	int rc = arr ? store_group_each(db, project_id, f, append_group, arr, next) : STORE_ERROR;

	*items = NULL;
	if (rc != STORE_OK) {
		json_decref(arr);
		return rc;
	}
	*items = arr;
	return STORE_OK;
}

int render_report_frames(store_db *db, int64_t project_id, int64_t num, json_t **frames)
{
	char *text = NULL;
	int rc = store_report_frames_text(db, project_id, num, &text);

	*frames = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return rc;
}

int render_report_reply(store_db *db, int64_t project_id, int64_t num, const char *install_id,
			const char *body, int64_t now, json_t **out)
{
	char author[160];
	int rc = store_report_reply_add(db, project_id, num, install_id, body, now, author,
					sizeof(author));

	*out = NULL;
	if (rc != STORE_OK)
		return rc;
	*out = json_pack("{s:o,s:s,s:s,s:o,s:s}", "id", reply_id('R', num), "author", author,
			 "body", body, "at", reply_time(now), "from", "you");
	return *out ? STORE_OK : STORE_ERROR;
}
