/* pages.c - the reads the web app's pages make: the home page's overview, a group's counts, a report's source lines. */
#include "api/pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/apijob.h"
#include "api/render_reports.h"
#include "api/reply.h"
#include "git/gitwork.h"
#include "net/conn.h"

#define STATS_DAYS_DEFAULT 30
#define STATS_DAYS_MAX 365
#define SOURCE_CONTEXT_DEFAULT 5
#define SOURCE_FRAMES_MAX 64 /* in-app frames given lines; the others are listed without */

typedef struct pages_job {
	apijob api; /* first */
	int64_t num;
	int days;
	int context;
	json_t *lists[3]; /* overview: new, regressed, rising */
	json_t *releases;
	json_t *versions, *platforms, *tags; /* group stats */
} pages_job;

static void pages_release(apijob *j)
{
	pages_job *pj = (pages_job *)j;
	size_t i;

	for (i = 0; i < 3; i++)
		json_decref(pj->lists[i]);
	json_decref(pj->releases);
	json_decref(pj->versions);
	json_decref(pj->platforms);
	json_decref(pj->tags);
	apijob_dispose(j);
	free(pj);
}

/* A job for this request, or NULL after answering (no credentials, out of memory). */
static pages_job *job_new(request *rq, apijob_query query, const char *notfound)
{
	pages_job *pj = calloc(1, sizeof(*pj));

	if (!pj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return NULL;
	}
	if (apijob_init(&pj->api, rq, AUTH_DEVELOPER, query, notfound, pages_release) < 0) {
		free(pj);
		return NULL;
	}
	return pj;
}

/* A whole-number query parameter in [min, max], else `def` when absent. 0, or -1 answered. */
static int int_param(request *rq, const char *name, int min, int max, int def, int *out)
{
	char v[16], msg[80];
	int n = http_query_param(rq->http->query, name, v, sizeof(v)), val = 0;
	size_t i;

	*out = def;
	if (n == -1)
		return 0;
	for (i = 0; n >= 0 && v[i] && i < 4; i++) {
		if (v[i] < '0' || v[i] > '9')
			break;
		val = val * 10 + (v[i] - '0');
	}
	if (n < 0 || i == 0 || v[i] || val < min || val > max) {
		snprintf(msg, sizeof(msg), "must be a whole number from %d to %d", min, max);
		conn_reply_error(rq->conn, 422, "invalid_parameter", msg, name);
		return -1;
	}
	*out = val;
	return 0;
}

/* ---- overview ---- */

static int overview_group(void *ctx, int list, const store_overview_group *g)
{
	pages_job *pj = ctx;
	json_t *item = render_group_row(&g->group), *hours = json_array();
	int i;

	if (!item || !hours)
		goto fail;
	for (i = 0; i < 24; i++)
		json_array_append_new(hours, json_integer(g->hourly[i]));
	json_object_set_new(item, "hourly", hours);
	hours = NULL;
	if (list == STORE_OVERVIEW_RISING) {
		json_object_set_new(item, "last_24h", json_integer(g->last_24h));
		json_object_set_new(item, "previous_24h", json_integer(g->previous_24h));
	}
	return json_array_append_new(pj->lists[list], item);
fail:
	json_decref(item);
	json_decref(hours);
	return -1;
}

static int overview_release(void *ctx, const char *name, int64_t reports, int64_t groups)
{
	pages_job *pj = ctx;

	return json_array_append_new(pj->releases,
				     json_pack("{s:s,s:I,s:I}", "name", name ? name : "", "reports",
					       (json_int_t)reports, "groups", (json_int_t)groups));
}

static int overview_totals(void *ctx, const store_overview_totals *t)
{
	pages_job *pj = ctx;

	pj->api.answer = json_pack(
	    "{s:O,s:O,s:O,s:O,s:{s:I,s:I,s:I,s:I,s:I}}", "new", pj->lists[0], "regressed",
	    pj->lists[1], "rising", pj->lists[2], "releases", pj->releases, "totals", "reports",
	    (json_int_t)t->reports, "groups", (json_int_t)t->groups, "open_groups",
	    (json_int_t)t->open_groups, "reports_24h", (json_int_t)t->reports_24h, "groups_24h",
	    (json_int_t)t->groups_24h);
	return pj->api.answer ? 0 : -1;
}

static int overview_query(apijob *j, store_db *db, int64_t project_id)
{
	static const store_overview_fns fns = {overview_group, overview_release, overview_totals};
	pages_job *pj = (pages_job *)j;
	size_t i;

	for (i = 0; i < 3; i++)
		pj->lists[i] = json_array();
	pj->releases = json_array();
	if (!pj->lists[0] || !pj->lists[1] || !pj->lists[2] || !pj->releases)
		return STORE_ERROR;
	return store_overview(db, project_id, (int64_t)time(NULL), &fns, pj);
}

void pages_overview(request *rq)
{
	pages_job *pj = job_new(rq, overview_query, "no such project");

	if (pj)
		apijob_submit(&pj->api, 0);
}

/* ---- a group's counts ---- */

static int stats_day(void *ctx, int64_t day, int64_t count)
{
	pages_job *pj = ctx;
	json_t *daily = json_object_get(pj->api.answer, "daily");
	struct tm tm;
	time_t t = (time_t)day;
	char s[32];

	if (!gmtime_r(&t, &tm))
		return -1;
	snprintf(s, sizeof(s), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	return json_array_append_new(daily, json_pack("{s:s,s:I}", "day", s, "count",
						      (json_int_t)count));
}

static int stats_facet(void *ctx, const char *facet, const char *value, int64_t count)
{
	pages_job *pj = ctx;

	if (!facet || !value)
		return 0;
	if (strncmp(facet, "tag:", 4) == 0)
		return json_array_append_new(pj->tags,
					     json_pack("{s:s,s:s,s:I}", "key", facet + 4, "value",
						       value, "count", (json_int_t)count));
	if (strcmp(facet, "version") == 0 || strcmp(facet, "platform") == 0)
		return json_array_append_new(facet[0] == 'v' ? pj->versions : pj->platforms,
					     json_pack("{s:s,s:I}", "value", value, "count",
						       (json_int_t)count));
	return 0;
}

static int stats_release(void *ctx, const char *name, int64_t count)
{
	pages_job *pj = ctx;

	return json_array_append_new(json_object_get(pj->api.answer, "releases"),
				     json_pack("{s:o,s:I}", "value",
					       name ? json_string(name) : json_null(), "count",
					       (json_int_t)count));
}

static int stats_query(apijob *j, store_db *db, int64_t project_id)
{
	static const store_group_stats_fns fns = {stats_day, stats_facet, stats_release};
	pages_job *pj = (pages_job *)j;
	int rc;

	pj->versions = json_array();
	pj->platforms = json_array();
	pj->tags = json_array();
	j->answer = json_pack("{s:o,s:i,s:[],s:O,s:O,s:O,s:[]}", "group", reply_id('G', pj->num),
			      "days", pj->days, "daily", "versions", pj->versions, "platforms",
			      pj->platforms, "tags", pj->tags, "releases");
	if (!j->answer || !pj->versions || !pj->platforms || !pj->tags)
		return STORE_ERROR;
	rc = store_group_stats(db, project_id, pj->num, (int64_t)time(NULL), pj->days, &fns, pj);
	if (rc != STORE_OK) {
		json_decref(j->answer);
		j->answer = NULL;
	}
	return rc;
}

void pages_group_stats(request *rq)
{
	pages_job *pj = job_new(rq, stats_query, "no such item in this project");

	if (!pj)
		return;
	if (int_param(rq, "days", 1, STATS_DAYS_MAX, STATS_DAYS_DEFAULT, &pj->days) < 0) {
		pages_release(&pj->api);
		return;
	}
	/* A malformed id is authorised first all the same: anonymous callers learn nothing. */
	if (reply_parse_id(rq->params[1], 'G', &pj->num) < 0)
		pj->num = 0;
	apijob_submit(&pj->api, 0);
}

/* ---- a report's source lines ---- */

/* One in-app frame with its lines at `commit` ("" none): a new reference, NULL out of memory;
 * *rc the store's code. */
static json_t *source_frame(store_db *db, int64_t project_id, const char *commit, size_t index,
			    const char *file, json_int_t line, int context, int read, int *rc)
{
	repo_source src;
	json_t *lines = json_array(), *f;
	size_t i;

	memset(&src, 0, sizeof(src));
	*rc = STORE_OK;
	if (read && commit[0])
		*rc = gitwork_source(db, project_id, commit, file, (int64_t)line, context, &src);
	for (i = 0; lines && i < src.n; i++)
		json_array_append_new(lines, json_string(src.lines[i]));
	f = json_pack("{s:I,s:s,s:I,s:o,s:o,s:o}", "index", (json_int_t)index, "file", file, "line",
		      line, "path", src.path[0] ? json_string(src.path) : json_null(), "start",
		      src.n ? json_integer((json_int_t)src.start) : json_null(), "lines", lines);
	repo_source_free(&src);
	return f;
}

static int source_query(apijob *j, store_db *db, int64_t project_id)
{
	pages_job *pj = (pages_job *)j;
	char commit[41];
	json_t *frames = NULL, *out = NULL, *f;
	size_t i, read = 0;
	int rc = store_report_commit(db, project_id, pj->num, commit);

	if (rc != STORE_OK)
		return rc;
	rc = render_report_frames(db, project_id, pj->num, &frames);
	if (rc != STORE_OK)
		goto out;
	out = json_array();
	if (!out) {
		rc = STORE_ERROR;
		goto out;
	}
	/* The frames a blame would read: in-app, with a file and a line (gitwork_blameable). */
	json_array_foreach(frames, i, f)
	{
		const char *file = json_string_value(json_object_get(f, "file"));
		json_int_t line = json_integer_value(json_object_get(f, "line"));
		json_t *item;

		if (!file || line < 1 || json_is_false(json_object_get(f, "in_app")))
			continue;
		item = source_frame(db, project_id, commit, i, file, line, pj->context,
				    read < SOURCE_FRAMES_MAX, &rc);
		read++;
		if (rc != STORE_OK || !item || json_array_append_new(out, item) < 0) {
			rc = STORE_ERROR;
			goto out;
		}
	}
	j->answer = json_pack("{s:o,s:O}", "commit", commit[0] ? json_string(commit) : json_null(),
			      "frames", out);
	rc = j->answer ? STORE_OK : STORE_ERROR;
out:
	json_decref(frames);
	json_decref(out);
	return rc;
}

void pages_report_source(request *rq)
{
	pages_job *pj = job_new(rq, source_query, "no such item in this project");

	if (!pj)
		return;
	if (int_param(rq, "context", 0, REPO_SOURCE_CONTEXT_MAX, SOURCE_CONTEXT_DEFAULT,
		      &pj->context) < 0) {
		pages_release(&pj->api);
		return;
	}
	if (reply_parse_id(rq->params[1], 'R', &pj->num) < 0)
		pj->num = 0;
	apijob_submit(&pj->api, 0);
}
