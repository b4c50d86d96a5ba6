/* health_answer.c - release health for the team over HTTP: the request, the store reads in order,
 * the JSON answer. */
#include "api/health_answer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/apijob.h"
#include "api/health_tally.h"
#include "api/params.h"
#include "api/reply.h"
#include "model/health_gate_judge.h"
#include "model/health_metrics.h"
#include "net/conn.h"
#include "store/store_health_read.h"

#define HEALTH_DAYS_DEFAULT 30
#define HEALTH_DAYS_MAX 365
#define HEALTH_RELEASES 10 /* releases answered without ?release= */
#define HEALTH_CRASHES 5
#define HEALTH_NAME_MAX 512

typedef struct health_job {
	apijob api; /* first */
	char release[HEALTH_NAME_MAX];
	int days;
	health_tally t;           /* the sums of the window, by release and build (owned) */
	json_t *gates;            /* [{metric,op,value,min_sessions}] */
	json_t *crashes, *points; /* being filled (borrowed) */
	int64_t crashed_of_release;
} health_job;

static void health_free(apijob *j)
{
	health_job *hj = (health_job *)j;

	health_tally_free(&hj->t);
	json_decref(hj->gates);
	apijob_dispose(j);
	free(hj);
}

/* ---- figures ---- */

static json_t *num_or_null(double v)
{
	return v < 0 ? json_null() : json_real(health_round3(v));
}

/* {"mean","count","distribution":[n1..n5]}, or null when no install rated. */
static json_t *rating_json(const health_sum *s)
{
	double mean;
	int64_t n;

	if (health_rating(s, &mean, &n) == 0)
		return json_null();
	return json_pack("{s:f,s:I,s:[I,I,I,I,I]}", "mean", mean, "count", (json_int_t)n,
			 "distribution", (json_int_t)s->ratings[1], (json_int_t)s->ratings[2],
			 (json_int_t)s->ratings[3], (json_int_t)s->ratings[4],
			 (json_int_t)s->ratings[5]);
}

static void metrics_put(json_t *o, const health_sum *s)
{
	double m[HEALTH_M_N];
	int i;

	health_metrics_of(s, m);
	json_object_set_new(o, "sessions", json_integer(s->started));
	json_object_set_new(o, "exited", json_integer(s->exited));
	json_object_set_new(o, "crashed", json_integer(s->crashed));
	json_object_set_new(o, "abnormal", json_integer(s->abnormal));
	json_object_set_new(o, "errored", json_integer(health_handled(s)));
	json_object_set_new(o, "installs", json_integer(s->installs));
	json_object_set_new(o, "crashed_installs", json_integer(s->crashed_installs));
	for (i = 0; i < HEALTH_M_N; i++)
		json_object_set_new(o, health_metric_names[i], num_or_null(m[i]));
	json_object_set_new(o, "rating", rating_json(s));
}

static json_t *groups_json(const health_set *h)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < h->ngroups; i++) {
		json_t *o = json_pack("{s:s}", "name", h->groups[i].name);

		if (!o)
			continue;
		metrics_put(o, &h->groups[i].s);
		json_array_append_new(a, o);
	}
	return a;
}

/* ---- gates ---- */

/* The gates judged on build b: an array, and the failed and undecided metrics. */
static json_t *gates_judge(const health_job *hj, const health_set *b, json_t *failed,
			   json_t *insufficient)
{
	json_t *a = json_array(), *g;
	double m[HEALTH_M_N];
	size_t i;

	health_metrics_of(&b->s, m);
	json_array_foreach(hj->gates, i, g)
	{
		const char *metric = json_string_value(json_object_get(g, "metric"));
		const char *op = json_string_value(json_object_get(g, "op"));
		double value = json_real_value(json_object_get(g, "value"));
		int64_t min = json_integer_value(json_object_get(g, "min_sessions"));
		int k = metric ? health_gate_metric(metric) : -1;
		health_gate_status st;
		json_t *o;

		if (k < 0 || !op)
			continue;
		st = health_gate_judge(k, op, value, min, b->s.started, m);
		if (st == HEALTH_GATE_FAIL && failed)
			json_array_append_new(failed, json_string(metric));
		if (st == HEALTH_GATE_INSUFFICIENT && insufficient)
			json_array_append_new(insufficient, json_string(metric));
		o = json_deep_copy(g);
		if (!o)
			continue;
		json_object_set_new(o, "actual", num_or_null(m[k]));
		json_object_set_new(o, "status", json_string(health_gate_status_name(st)));
		json_array_append_new(a, o);
	}
	return a;
}

static int gate_row(void *ctx, const store_health_gate *g)
{
	health_job *hj = ctx;

	return json_array_append_new(hj->gates,
				     json_pack("{s:s,s:s,s:f,s:I}", "metric", g->metric, "op",
					       g->op, "value", g->value, "min_sessions",
					       (json_int_t)g->min_sessions));
}

/* ---- the answer ---- */

static int by_rank_desc(const void *a, const void *b)
{
	const health_set *x = *(const health_set *const *)a, *y = *(const health_set *const *)b;

	return x->rank > y->rank ? -1 : x->rank < y->rank;
}

static int crash_row(void *ctx, const store_health_crash *c)
{
	health_job *hj = ctx;
	json_t *o = json_pack("{s:o,s:s,s:s,s:I,s:I,s:o,s:o}", "group", reply_id('G', c->num),
			      "title", c->title, "status", c->status, "reports",
			      (json_int_t)c->reports, "installs", (json_int_t)c->installs,
			      "last_seen", reply_time(c->last_seen), "share",
			      num_or_null(health_pct(c->reports, hj->crashed_of_release)));

	return o ? json_array_append_new(hj->crashes, o) : -1;
}

static int point_row(void *ctx, const store_health_point *pt)
{
	health_job *hj = ctx;
	double cf = health_pct(pt->crashed, pt->started);
	json_t *o = json_pack("{s:o,s:I,s:I,s:I,s:I,s:o}", "t", reply_time(pt->t), "sessions",
			      (json_int_t)pt->started, "crashed", (json_int_t)pt->crashed,
			      "errored", (json_int_t)(pt->errored - pt->crashed - pt->abnormal),
			      "abnormal", (json_int_t)pt->abnormal, "crash_free_sessions",
			      num_or_null(cf < 0 ? -1 : 100.0 - cf));

	return o ? json_array_append_new(hj->points, o) : -1;
}

/* The version of a release: what follows its last '@' ("app@1.4.0" -> "1.4.0"). */
static const char *version_of(const char *release)
{
	const char *at = strrchr(release, '@');

	return at ? at + 1 : release;
}

static json_t *build_json(health_job *hj, const health_set *b, int64_t release_installs)
{
	json_t *o = json_pack("{s:s,s:o,s:o}", "build", b->build, "first_seen",
			      reply_time(b->s.first_hour), "last_seen",
			      reply_time(b->s.last_hour));
	const health_set *p = b->prev != SIZE_MAX ? &hj->t.builds[b->prev] : NULL;
	json_t *failed = json_array(), *insufficient = json_array();

	if (!o)
		goto out;
	metrics_put(o, &b->s);
	json_object_set_new(o, "adoption", num_or_null(health_pct(b->s.installs, release_installs)));
	if (hj->t.by != HEALTH_BY_NONE)
		json_object_set_new(o, "groups", groups_json(b));
	if (p) {
		json_t *prev = json_pack("{s:s,s:s}", "release", p->release, "build", p->build);
		json_t *change = json_object();
		double mb[HEALTH_M_N], mp[HEALTH_M_N], delta[HEALTH_M_N];
		int has[HEALTH_M_N], i;

		health_metrics_of(&b->s, mb);
		health_metrics_of(&p->s, mp);
		health_change(mb, mp, delta, has);
		if (prev)
			metrics_put(prev, &p->s);
		for (i = 0; change && i < HEALTH_M_N; i++)
			json_object_set_new(change, health_metric_names[i],
					    has[i] ? json_real(delta[i]) : json_null());
		json_object_set_new(o, "previous", prev ? prev : json_null());
		json_object_set_new(o, "change", change ? change : json_null());
	} else {
		json_object_set_new(o, "previous", json_null());
		json_object_set_new(o, "change", json_null());
	}
	json_object_set_new(o, "gates", gates_judge(hj, b, failed, insufficient));
out:
	json_decref(failed);
	json_decref(insufficient);
	return o;
}

/* The verdict of the gates on a release's newest build. */
static json_t *check_json(health_job *hj, const health_set *newest)
{
	json_t *failed = json_array(), *insufficient = json_array(), *judged;
	const char *status;

	if (!newest) {
		json_decref(failed);
		json_decref(insufficient);
		return json_pack("{s:n,s:s,s:[],s:[]}", "build", "status",
				 json_array_size(hj->gates) ? "insufficient" : "none", "failed",
				 "insufficient");
	}
	judged = gates_judge(hj, newest, failed, insufficient);
	json_decref(judged);
	if (json_array_size(hj->gates) == 0)
		status = "none";
	else if (json_array_size(failed) > 0)
		status = "fail";
	else if (json_array_size(insufficient) > 0)
		status = "insufficient";
	else
		status = "pass";
	return json_pack("{s:s,s:s,s:o,s:o}", "build", newest->build, "status", status, "failed",
			 failed, "insufficient", insufficient);
}

/*
 * With by=cohort: in each cohort's entry of the release's groups, the crash groups of that
 * cohort's reports (their cohort fixed at ingest), each one's share of the cohort's crashed
 * sessions: "for whom" and "what to fix first" read together.
 */
static int cohort_crashes(health_job *hj, store_db *db, int64_t project_id, const health_set *rel,
			  json_t *groups, int64_t since)
{
	json_t *g;
	size_t i, k;
	int rc = STORE_OK;

	json_array_foreach(groups, i, g)
	{
		const char *name = json_string_value(json_object_get(g, "name"));

		if (!name)
			continue;
		hj->crashed_of_release = 0;
		for (k = 0; k < rel->ngroups; k++)
			if (strcmp(rel->groups[k].name, name) == 0)
				hj->crashed_of_release = rel->groups[k].s.crashed;
		hj->crashes = json_array();
		if (!hj->crashes)
			return PE_NOMEM;
		json_object_set_new(g, "crashes", hj->crashes);
		rc = store_health_cohort_crashes_each(db, project_id, version_of(rel->release), name,
						      since, HEALTH_CRASHES, crash_row, hj);
		if (rc != STORE_OK)
			break;
	}
	return rc;
}

static int release_answer(health_job *hj, store_db *db, int64_t project_id, const health_set *rel,
			  int64_t all_installs, int64_t since, json_t **out)
{
	json_t *o = json_pack("{s:s,s:s}", "release", rel->release, "version",
			      version_of(rel->release));
	json_t *builds = json_array(), *series;
	health_set **mine = NULL;
	size_t i, n = 0;
	int64_t step = hj->days <= 3 ? 3600 : 86400;
	int rc = PE_NOMEM;

	*out = NULL;
	if (!o || !builds)
		goto out;
	metrics_put(o, &rel->s);
	json_object_set_new(o, "adoption", num_or_null(health_pct(rel->s.installs, all_installs)));
	if (hj->t.by != HEALTH_BY_NONE)
		json_object_set_new(o, "groups", groups_json(rel));
	mine = calloc(hj->t.nbuilds + 1, sizeof(*mine));
	if (!mine)
		goto out;
	for (i = 0; i < hj->t.nbuilds; i++)
		if (strcmp(hj->t.builds[i].release, rel->release) == 0)
			mine[n++] = &hj->t.builds[i];
	qsort(mine, n, sizeof(*mine), by_rank_desc);
	for (i = 0; i < n; i++)
		json_array_append_new(builds, build_json(hj, mine[i], rel->s.installs));
	json_object_set(o, "builds", builds);
	json_object_set_new(o, "check", check_json(hj, n ? mine[0] : NULL));
	hj->crashes = json_array();
	hj->crashed_of_release = rel->s.crashed;
	json_object_set_new(o, "crashes", hj->crashes);
	rc = store_health_crashes_each(db, project_id, version_of(rel->release), since,
				       HEALTH_CRASHES, crash_row, hj);
	if (rc == STORE_OK && hj->t.by == HEALTH_BY_COHORT)
		rc = cohort_crashes(hj, db, project_id, rel, json_object_get(o, "groups"), since);
	if (rc != STORE_OK)
		goto out;
	hj->points = json_array();
	series = json_pack("{s:I,s:o}", "step", (json_int_t)step, "points", hj->points);
	if (!series)
		goto out;
	json_object_set_new(o, "series", series);
	rc = store_health_series_each(db, project_id, rel->release, since, step, point_row, hj);
	if (rc == STORE_OK) {
		*out = o;
		o = NULL;
	}
out:
	free(mine);
	json_decref(builds);
	json_decref(o);
	return rc;
}

/* The installs of every group of the answered releases and their builds, counted exactly (an
 * install once per group, however many environments, cohorts or platforms it ran in). */
static int group_installs(health_job *hj, store_db *db, int64_t project_id, int64_t since)
{
	health_install_count c = {&hj->t, NULL};
	size_t i;
	int rc = STORE_OK;

	for (i = 0; i < hj->t.nbuilds; i++)
		if (health_tally_answered(&hj->t, hj->t.builds[i].release))
			health_tally_groups_installs_clear(&hj->t.builds[i]);
	for (i = 0; rc == STORE_OK && !hj->t.failed && i < hj->t.nrels; i++) {
		if (!hj->t.rels[i].answered)
			continue;
		health_tally_groups_installs_clear(&hj->t.rels[i]);
		/* One pass over the release's install rows, a set of its own (its scopes, the
		 * groups of this release and its builds, are no other release's). */
		c.seen = health_distinct_new();
		if (!c.seen)
			return PE_NOMEM;
		rc = store_health_install_rows_each(db, project_id, hj->t.rels[i].release, since,
						    hj->t.by, health_tally_install_row, &c);
		health_distinct_free(c.seen);
	}
	return rc == STORE_OK && hj->t.failed ? PE_NOMEM : rc;
}

static int health_query(apijob *j, store_db *db, int64_t project_id)
{
	health_job *hj = (health_job *)j;
	int64_t now = (int64_t)time(NULL), all_installs = 0, crashed = 0;
	int64_t since = now - now % 3600 - (int64_t)hj->days * 86400 + 3600;
	json_t *releases = json_array();
	size_t i, nb, resolved = 0, answered = 0;
	int rc;
	static const char *const by_names[] = {NULL, "cohort", "channel", "platform"};

	hj->gates = json_array();
	if (!releases || !hj->gates) {
		json_decref(releases);
		return PE_NOMEM;
	}
	j->answer = json_pack("{s:i,s:o,s:s?,s:o}", "days", hj->days, "since", reply_time(since),
			      "by", by_names[hj->t.by], "releases", releases);
	if (!j->answer)
		return PE_NOMEM;
	rc = store_health_gates_each(db, project_id, gate_row, hj);
	if (rc == STORE_OK)
		rc = store_health_releases_each(db, project_id, since, health_tally_stored_row,
						&hj->t);
	for (i = 0; rc == STORE_OK && !hj->t.failed && i < hj->t.nstored; i++)
		rc = store_health_sums_each(db, project_id, hj->t.stored[i], since, hj->t.by,
					    health_tally_sum_row, &hj->t);
	if (rc == STORE_OK && hj->t.failed)
		rc = PE_NOMEM;
	if (rc == STORE_OK)
		rc = health_tally_order(&hj->t, db, project_id, &resolved);
	if (rc != STORE_OK)
		return rc;
	json_object_set(j->answer, "gates", hj->gates);
	json_object_set_new(j->answer, "order",
			    json_string(resolved > 0 ? "git" : "first_seen"));
	health_tally_sort_releases(&hj->t);
	/* Installs are counted once per build, per release and in all: an install that ran two
	 * builds, environments or cohorts is one install, which sums of the hourly rows cannot say. */
	rc = health_tally_installs(&hj->t, db, project_id, since, &all_installs, &crashed);
	if (rc != STORE_OK)
		return rc;
	for (i = 0; i < hj->t.nrels; i++) {
		if (hj->release[0] ? strcmp(hj->t.rels[i].release, hj->release) == 0
				   : answered < HEALTH_RELEASES) {
			hj->t.rels[i].answered = 1;
			answered++;
		}
	}
	if (hj->t.by != HEALTH_BY_NONE)
		rc = group_installs(hj, db, project_id, since);
	/* The duration histograms and ratings of the answered releases, and the histograms of
	 * their builds' previous builds in other releases (the median's change), by build. */
	for (i = 0; rc == STORE_OK && i < hj->t.nrels; i++) {
		if (!hj->t.rels[i].answered)
			continue;
		rc = store_health_durations_each(db, project_id, hj->t.rels[i].release, NULL, since,
						 hj->t.by, health_tally_bucket_row, &hj->t);
		if (rc == STORE_OK)
			rc = store_health_ratings_each(db, project_id, hj->t.rels[i].release, hj->t.by,
						       health_tally_rating_row, &hj->t);
	}
	nb = hj->t.nbuilds; /* the reads above may add rated builds without sessions */
	for (i = 0; rc == STORE_OK && i < nb; i++) {
		const health_set *p;

		if (hj->t.builds[i].prev == SIZE_MAX ||
		    !health_tally_answered(&hj->t, hj->t.builds[i].release))
			continue;
		p = &hj->t.builds[hj->t.builds[i].prev];
		if (!health_tally_answered(&hj->t, p->release) && p->stored)
			rc = store_health_durations_each(db, project_id, p->stored, p->revision,
							 since, hj->t.by, health_tally_bucket_row, &hj->t);
	}
	if (rc == STORE_OK && hj->t.failed)
		rc = PE_NOMEM;
	for (i = 0; rc == STORE_OK && i < hj->t.nrels; i++) {
		json_t *o;

		if (!hj->t.rels[i].answered)
			continue;
		rc = release_answer(hj, db, project_id, &hj->t.rels[i], all_installs, since, &o);
		if (rc == STORE_OK)
			json_array_append_new(releases, o);
	}
	return rc;
}

void health_get(request *rq)
{
	health_job *hj;
	char by[16];
	int64_t days = HEALTH_DAYS_DEFAULT;
	int n;

	hj = calloc(1, sizeof(*hj));
	if (!hj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return;
	}
	hj->days = HEALTH_DAYS_DEFAULT;
	n = http_query_param(rq->http->query, "release", hj->release, sizeof(hj->release));
	if (n == -2 || (n >= 0 && (n == 0 || strchr(hj->release, '+')))) {
		free(hj);
		params_refuse(rq, 422, "invalid_parameter",
			      "must be a release name (without its +build part), at most 511 bytes",
			      "release");
		return;
	}
	if (n == -1)
		hj->release[0] = '\0';
	n = http_query_param(rq->http->query, "by", by, sizeof(by));
	if (n == -1)
		hj->t.by = HEALTH_BY_NONE;
	else if (n > 0 && strcmp(by, "cohort") == 0)
		hj->t.by = HEALTH_BY_COHORT;
	else if (n > 0 && strcmp(by, "channel") == 0)
		hj->t.by = HEALTH_BY_CHANNEL;
	else if (n > 0 && strcmp(by, "platform") == 0)
		hj->t.by = HEALTH_BY_PLATFORM;
	else {
		free(hj);
		params_refuse(rq, 422, "invalid_parameter", "must be cohort, channel or platform",
			      "by");
		return;
	}
	if (params_count(rq, "days", 1, HEALTH_DAYS_MAX, &days) < 0) {
		free(hj);
		return;
	}
	hj->days = (int)days;
	if (apijob_init(&hj->api, rq, AUTH_DEVELOPER, health_query, "no such project",
			health_free) < 0) {
		free(hj);
		return;
	}
	apijob_submit(&hj->api, 0);
}
