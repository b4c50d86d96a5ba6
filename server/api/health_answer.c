/* health_answer.c - release health for the team: per release and build, crash-free rates, the change from the build before, gates. */
#include "api/health_answer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/apijob.h"
#include "api/params.h"
#include "api/reply.h"
#include "git/buildorder.h"
#include "net/conn.h"
#include "store/store_health_read.h"

#define HEALTH_DAYS_DEFAULT 30
#define HEALTH_DAYS_MAX 365
#define HEALTH_RELEASES 10     /* releases answered without ?release= */
#define HEALTH_BUILDS_MAX 1024 /* builds of the window ordered (more: first seen only) */
#define HEALTH_CRASHES 5
#define HEALTH_BUCKETS 81
#define HEALTH_NAME_MAX 512

typedef struct hsum {
	int64_t started, exited, errored, abnormal, crashed, installs, crashed_installs;
	int64_t first_hour, last_hour;
	int seen; /* first_hour and last_hour are set */
	int64_t buckets[HEALTH_BUCKETS];
	int64_t ratings[6]; /* installs that rated 1..5 */
} hsum;

typedef struct hgroup {
	char *name;
	hsum s;
} hgroup;

typedef struct hset { /* a release or a build: its sums and its groups */
	char *release, *build; /* build NULL for a release */
	char *stored, *revision; /* builds: the stored release and revision of their first row */
	hsum s;
	hgroup *groups;
	size_t ngroups, capgroups;
	size_t prev;  /* builds: the build before in history order, or SIZE_MAX */
	size_t rank;  /* builds: position in that order */
	int64_t rel_first; /* builds: the first hour of their release (the order without git) */
	int answered; /* releases: in the answer */
} hset;

typedef struct health_job {
	apijob api; /* first */
	char release[HEALTH_NAME_MAX];
	int by, days;
	hset *builds, *rels;
	size_t nbuilds, capbuilds, nrels, caprels;
	json_t *gates; /* [{metric,op,value,min_sessions}] */
	json_t *crashes, *points; /* being filled (borrowed) */
	int64_t crashed_of_release;
	int failed;
	char **stored; /* the stored release names of the window */
	size_t nstored, capstored;
	/* The last row's build and release (rows of one build come together). */
	char memo_key[1024];
	size_t memo_build, memo_rel;
} health_job;

static void hset_free(hset *v, size_t n)
{
	size_t i, g;

	for (i = 0; i < n; i++) {
		free(v[i].release);
		free(v[i].build);
		free(v[i].stored);
		free(v[i].revision);
		for (g = 0; g < v[i].ngroups; g++)
			free(v[i].groups[g].name);
		free(v[i].groups);
	}
	free(v);
}

static void health_free(apijob *j)
{
	health_job *hj = (health_job *)j;

	hset_free(hj->builds, hj->nbuilds);
	hset_free(hj->rels, hj->nrels);
	while (hj->nstored > 0)
		free(hj->stored[--hj->nstored]);
	free(hj->stored);
	json_decref(hj->gates);
	apijob_dispose(j);
	free(hj);
}

/* The release of a stored release name: without its "+build" part (len into *len). */
static size_t release_len(const char *stored)
{
	const char *plus = strchr(stored, '+');

	return plus ? (size_t)(plus - stored) : strlen(stored);
}

/* A build's name: the revision, else the stored release's "+build" part, else "". */
static const char *build_of(const char *stored, const char *revision)
{
	const char *plus = strchr(stored, '+');

	if (revision && revision[0])
		return revision;
	return plus ? plus + 1 : "";
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* The set named (release[0, rlen), build) in v, added when missing; NULL without memory. */
static hset *hset_find(hset **v, size_t *n, size_t *cap, const char *release, size_t rlen,
		       const char *build)
{
	size_t i;
	hset *h;

	for (i = 0; i < *n; i++) {
		h = &(*v)[i];
		if (strlen(h->release) == rlen && memcmp(h->release, release, rlen) == 0 &&
		    ((!build && !h->build) || (build && h->build && strcmp(h->build, build) == 0)))
			return h;
	}
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		hset *nv = realloc(*v, nc * sizeof(*nv));

		if (!nv)
			return NULL;
		*v = nv;
		*cap = nc;
	}
	h = &(*v)[*n];
	memset(h, 0, sizeof(*h));
	h->release = dupn(release, rlen);
	h->build = build ? dupn(build, strlen(build)) : NULL;
	h->prev = SIZE_MAX;
	if (!h->release || (build && !h->build)) {
		free(h->release);
		free(h->build);
		return NULL;
	}
	(*n)++;
	return h;
}

static hgroup *group_find(hset *h, const char *name)
{
	size_t i;
	hgroup *g;

	for (i = 0; i < h->ngroups; i++)
		if (strcmp(h->groups[i].name, name) == 0)
			return &h->groups[i];
	if (h->ngroups == h->capgroups) {
		size_t nc = h->capgroups ? h->capgroups * 2 : 4;
		hgroup *nv = realloc(h->groups, nc * sizeof(*nv));

		if (!nv)
			return NULL;
		h->groups = nv;
		h->capgroups = nc;
	}
	g = &h->groups[h->ngroups];
	memset(g, 0, sizeof(*g));
	g->name = dupn(name, strlen(name));
	if (!g->name)
		return NULL;
	h->ngroups++;
	return g;
}

static void sum_add(hsum *s, const store_health_sum *r)
{
	if (!s->seen) {
		s->first_hour = r->first_hour;
		s->last_hour = r->last_hour;
		s->seen = 1;
	}
	s->started += r->started;
	s->exited += r->exited;
	s->errored += r->errored;
	s->abnormal += r->abnormal;
	s->crashed += r->crashed;
	s->installs += r->installs;
	s->crashed_installs += r->crashed_installs;
	if (r->first_hour < s->first_hour)
		s->first_hour = r->first_hour;
	if (r->last_hour > s->last_hour)
		s->last_hour = r->last_hour;
}

/* The build and release sets of a row (stored release, revision), added when missing: 0, or -1
 * without memory. Rows of one build come together: the last answer is kept. */
static int sets_of(health_job *hj, const char *stored, const char *revision, hset **b, hset **rel)
{
	size_t rlen = release_len(stored), sl = strlen(stored), vl = strlen(revision);

	if (hj->memo_key[0] && sl + vl + 2 <= sizeof(hj->memo_key) &&
	    memcmp(hj->memo_key, stored, sl) == 0 && hj->memo_key[sl] == '\n' &&
	    strcmp(hj->memo_key + sl + 1, revision) == 0) {
		*b = &hj->builds[hj->memo_build];
		*rel = &hj->rels[hj->memo_rel];
		return 0;
	}
	*b = hset_find(&hj->builds, &hj->nbuilds, &hj->capbuilds, stored, rlen,
		       build_of(stored, revision));
	*rel = *b ? hset_find(&hj->rels, &hj->nrels, &hj->caprels, stored, rlen, NULL) : NULL;
	if (!*b || !*rel)
		return -1;
	if (!(*b)->stored) {
		(*b)->stored = dupn(stored, sl);
		(*b)->revision = dupn(revision, vl);
		if (!(*b)->stored || !(*b)->revision)
			return -1;
	}
	hj->memo_key[0] = '\0';
	if (sl + vl + 2 <= sizeof(hj->memo_key)) {
		memcpy(hj->memo_key, stored, sl);
		hj->memo_key[sl] = '\n';
		memcpy(hj->memo_key + sl + 1, revision, vl + 1);
		hj->memo_build = (size_t)(*b - hj->builds);
		hj->memo_rel = (size_t)(*rel - hj->rels);
	}
	return 0;
}

static int sum_row(void *ctx, const store_health_sum *r)
{
	health_job *hj = ctx;
	hset *b, *rel;
	hgroup *g;

	if (sets_of(hj, r->release, r->revision, &b, &rel) < 0)
		return hj->failed = 1;
	sum_add(&b->s, r);
	sum_add(&rel->s, r);
	if (hj->by != HEALTH_BY_NONE) {
		if (!(g = group_find(b, r->group)))
			return hj->failed = 1;
		sum_add(&g->s, r);
		if (!(g = group_find(rel, r->group)))
			return hj->failed = 1;
		sum_add(&g->s, r);
	}
	return 0;
}

static int bucket_row(void *ctx, const store_health_bucket_row *r)
{
	health_job *hj = ctx;
	hset *b, *rel;
	hgroup *g;

	if (sets_of(hj, r->release, r->revision, &b, &rel) < 0)
		return hj->failed = 1;
	if (r->bucket < 0 || r->bucket >= HEALTH_BUCKETS)
		return 0;
	b->s.buckets[r->bucket] += r->sessions;
	rel->s.buckets[r->bucket] += r->sessions;
	if (hj->by != HEALTH_BY_NONE) {
		if (!(g = group_find(b, r->group)))
			return hj->failed = 1;
		g->s.buckets[r->bucket] += r->sessions;
		if (!(g = group_find(rel, r->group)))
			return hj->failed = 1;
		g->s.buckets[r->bucket] += r->sessions;
	}
	return 0;
}

static int rating_row(void *ctx, const store_health_rating_row *r)
{
	health_job *hj = ctx;
	hset *b, *rel;
	hgroup *g;

	if (sets_of(hj, r->release, r->revision, &b, &rel) < 0)
		return hj->failed = 1;
	if (r->rating < 1 || r->rating > 5)
		return 0;
	b->s.ratings[r->rating] += r->n;
	rel->s.ratings[r->rating] += r->n;
	if (hj->by == HEALTH_BY_COHORT) {
		if (!(g = group_find(b, r->group)))
			return hj->failed = 1;
		g->s.ratings[r->rating] += r->n;
		if (!(g = group_find(rel, r->group)))
			return hj->failed = 1;
		g->s.ratings[r->rating] += r->n;
	}
	return 0;
}

static int stored_row(void *ctx, const char *release)
{
	health_job *hj = ctx;
	char *d;

	if (hj->nstored == hj->capstored) {
		size_t nc = hj->capstored ? hj->capstored * 2 : 16;
		char **nv = realloc(hj->stored, nc * sizeof(*nv));

		if (!nv)
			return hj->failed = 1;
		hj->stored = nv;
		hj->capstored = nc;
	}
	d = dupn(release, strlen(release));
	if (!d)
		return hj->failed = 1;
	hj->stored[hj->nstored++] = d;
	return 0;
}

/* ---- figures ---- */

/* part / whole as a percentage, or -1 without a whole. */
static double pct(int64_t part, int64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : -1.0;
}

/* v to three decimals (no libm in the server). */
static double round3(double v)
{
	return (double)(int64_t)(v * 1000.0 + (v < 0 ? -0.5 : 0.5)) / 1000.0;
}

static json_t *num_or_null(double v)
{
	return v < 0 ? json_null() : json_real(round3(v));
}

/* The median of the histogram in seconds (the middle of its bucket), or -1 when empty. */
static double median_s(const hsum *s)
{
	int64_t n = 0, seen = 0;
	double mid;
	int b;

	for (b = 0; b < HEALTH_BUCKETS; b++)
		n += s->buckets[b];
	if (n == 0)
		return -1.0;
	for (b = 0; b < HEALTH_BUCKETS; b++) {
		seen += s->buckets[b];
		if (2 * seen >= n)
			break;
	}
	/* bucket 0: under a second; b: [2^((b-1)/4), 2^(b/4)) s, its geometric middle
	 * 2^((b-1)/4 + 1/8). */
	if (b == 0)
		return 0.5;
	mid = 1.090507732665258; /* 2^(1/8) */
	while (--b > 0)
		mid *= 1.189207115002721; /* 2^(1/4) */
	return mid;
}

enum { M_CFS, M_CFI, M_ERR, M_ABN, M_MED, M_N };
static const char *const metric_names[M_N] = {"crash_free_sessions", "crash_free_installs",
					      "errored_rate", "abnormal_rate",
					      "median_duration_s"};

static void metrics_of(const hsum *s, double m[M_N])
{
	double cfs = pct(s->crashed, s->started), cfi = pct(s->crashed_installs, s->installs);
	int64_t handled = s->errored - s->crashed - s->abnormal;

	m[M_CFS] = cfs < 0 ? -1 : 100.0 - cfs;
	m[M_CFI] = cfi < 0 ? -1 : 100.0 - cfi;
	m[M_ERR] = pct(handled > 0 ? handled : 0, s->started);
	m[M_ABN] = pct(s->abnormal, s->started);
	m[M_MED] = median_s(s);
}

/* {"mean","count","distribution":[n1..n5]}, or null when no install rated. */
static json_t *rating_json(const hsum *s)
{
	int64_t n = 0, sum = 0;
	int r;

	for (r = 1; r <= 5; r++) {
		n += s->ratings[r];
		sum += r * s->ratings[r];
	}
	if (n == 0)
		return json_null();
	return json_pack("{s:f,s:I,s:[I,I,I,I,I]}", "mean", round3((double)sum / (double)n),
			 "count", (json_int_t)n, "distribution", (json_int_t)s->ratings[1],
			 (json_int_t)s->ratings[2], (json_int_t)s->ratings[3],
			 (json_int_t)s->ratings[4], (json_int_t)s->ratings[5]);
}

static void metrics_put(json_t *o, const hsum *s)
{
	double m[M_N];
	int64_t handled = s->errored - s->crashed - s->abnormal;
	int i;

	metrics_of(s, m);
	json_object_set_new(o, "sessions", json_integer(s->started));
	json_object_set_new(o, "exited", json_integer(s->exited));
	json_object_set_new(o, "crashed", json_integer(s->crashed));
	json_object_set_new(o, "abnormal", json_integer(s->abnormal));
	json_object_set_new(o, "errored", json_integer(handled > 0 ? handled : 0));
	json_object_set_new(o, "installs", json_integer(s->installs));
	json_object_set_new(o, "crashed_installs", json_integer(s->crashed_installs));
	for (i = 0; i < M_N; i++)
		json_object_set_new(o, metric_names[i], num_or_null(m[i]));
	json_object_set_new(o, "rating", rating_json(s));
}

static json_t *groups_json(const hset *h)
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

static int gate_metric(const char *name)
{
	int i;

	for (i = 0; i < M_MED; i++)
		if (strcmp(name, metric_names[i]) == 0)
			return i;
	return -1;
}

static int gate_holds(double actual, const char *op, double value)
{
	if (strcmp(op, ">=") == 0)
		return actual >= value;
	if (strcmp(op, ">") == 0)
		return actual > value;
	if (strcmp(op, "<=") == 0)
		return actual <= value;
	return actual < value;
}

/* The gates judged on build b: an array, and the failed and undecided metrics. */
static json_t *gates_judge(const health_job *hj, const hset *b, json_t *failed,
			   json_t *insufficient)
{
	json_t *a = json_array(), *g;
	double m[M_N];
	size_t i;

	metrics_of(&b->s, m);
	json_array_foreach(hj->gates, i, g)
	{
		const char *metric = json_string_value(json_object_get(g, "metric"));
		const char *op = json_string_value(json_object_get(g, "op"));
		double value = json_real_value(json_object_get(g, "value"));
		int64_t min = json_integer_value(json_object_get(g, "min_sessions"));
		int k = metric ? gate_metric(metric) : -1;
		const char *status;
		json_t *o;

		if (k < 0 || !op)
			continue;
		if (b->s.started < min || b->s.started == 0 || m[k] < 0)
			status = "insufficient";
		else
			status = gate_holds(m[k], op, value) ? "pass" : "fail";
		if (strcmp(status, "fail") == 0 && failed)
			json_array_append_new(failed, json_string(metric));
		if (strcmp(status, "insufficient") == 0 && insufficient)
			json_array_append_new(insufficient, json_string(metric));
		o = json_deep_copy(g);
		if (!o)
			continue;
		json_object_set_new(o, "actual", num_or_null(m[k]));
		json_object_set_new(o, "status", json_string(status));
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

/* ---- history order ---- */

static int by_first_seen(const void *a, const void *b)
{
	const hset *x = *(const hset *const *)a, *y = *(const hset *const *)b;

	if (x->rel_first != y->rel_first)
		return x->rel_first < y->rel_first ? -1 : 1;
	if (strcmp(x->release, y->release) != 0)
		return strcmp(x->release, y->release);
	if (x->s.first_hour != y->s.first_hour)
		return x->s.first_hour < y->s.first_hour ? -1 : 1;
	return strcmp(x->build, y->build);
}

/* Rank every build: by the git history where the repository knows them, else by their
 * release's first session, then their own; each build's previous is the one ranked before it. */
static int order_builds(health_job *hj, store_db *db, int64_t project_id, size_t *resolved)
{
	size_t n = hj->nbuilds, i, *order = NULL;
	hset **sorted = NULL;
	const char **revs = NULL;
	int rc = PE_NOMEM;

	*resolved = 0;
	if (n == 0)
		return STORE_OK;
	sorted = calloc(n, sizeof(*sorted));
	revs = calloc(n, sizeof(*revs));
	order = calloc(n, sizeof(*order));
	if (!sorted || !revs || !order)
		goto out;
	for (i = 0; i < n; i++) {
		size_t r;

		sorted[i] = &hj->builds[i];
		for (r = 0; r < hj->nrels; r++)
			if (strcmp(hj->rels[r].release, sorted[i]->release) == 0)
				sorted[i]->rel_first = hj->rels[r].s.first_hour;
	}
	qsort(sorted, n, sizeof(*sorted), by_first_seen);
	for (i = 0; i < n; i++)
		revs[i] = sorted[i]->build;
	rc = STORE_OK;
	if (n <= HEALTH_BUILDS_MAX)
		rc = gitwork_order_builds(db, project_id, revs, n, order, resolved);
	else
		for (i = 0; i < n; i++)
			order[i] = i;
	if (rc != STORE_OK)
		goto out;
	for (i = 0; i < n; i++) {
		hset *b = sorted[order[i]];

		b->rank = i;
		b->prev = i > 0 ? (size_t)(sorted[order[i - 1]] - hj->builds) : SIZE_MAX;
	}
out:
	free(sorted);
	free(revs);
	free(order);
	return rc;
}

/* ---- the answer ---- */

static int by_last_seen(const void *a, const void *b)
{
	const hset *x = a, *y = b;

	if (x->s.last_hour != y->s.last_hour)
		return x->s.last_hour > y->s.last_hour ? -1 : 1;
	return strcmp(x->release, y->release);
}

static int by_rank_desc(const void *a, const void *b)
{
	const hset *x = *(const hset *const *)a, *y = *(const hset *const *)b;

	return x->rank > y->rank ? -1 : x->rank < y->rank;
}

static int crash_row(void *ctx, const store_health_crash *c)
{
	health_job *hj = ctx;
	json_t *o = json_pack("{s:o,s:s,s:s,s:I,s:I,s:o,s:o}", "group", reply_id('G', c->num),
			      "title", c->title, "status", c->status, "reports",
			      (json_int_t)c->reports, "installs", (json_int_t)c->installs,
			      "last_seen", reply_time(c->last_seen), "share",
			      num_or_null(pct(c->reports, hj->crashed_of_release)));

	return o ? json_array_append_new(hj->crashes, o) : -1;
}

static int point_row(void *ctx, const store_health_point *pt)
{
	health_job *hj = ctx;
	double cf = pct(pt->crashed, pt->started);
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

static json_t *build_json(health_job *hj, const hset *b, int64_t release_installs)
{
	json_t *o = json_pack("{s:s,s:o,s:o}", "build", b->build, "first_seen",
			      reply_time(b->s.first_hour), "last_seen",
			      reply_time(b->s.last_hour));
	const hset *p = b->prev != SIZE_MAX ? &hj->builds[b->prev] : NULL;
	json_t *failed = json_array(), *insufficient = json_array();

	if (!o)
		goto out;
	metrics_put(o, &b->s);
	json_object_set_new(o, "adoption", num_or_null(pct(b->s.installs, release_installs)));
	if (hj->by != HEALTH_BY_NONE)
		json_object_set_new(o, "groups", groups_json(b));
	if (p) {
		json_t *prev = json_pack("{s:s,s:s}", "release", p->release, "build", p->build);
		json_t *change = json_object();
		double mb[M_N], mp[M_N];
		int i;

		metrics_of(&b->s, mb);
		metrics_of(&p->s, mp);
		if (prev)
			metrics_put(prev, &p->s);
		for (i = 0; change && i < M_N; i++)
			json_object_set_new(change, metric_names[i],
					    mb[i] < 0 || mp[i] < 0
						? json_null()
						: json_real(round3(mb[i] - mp[i])));
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
static json_t *check_json(health_job *hj, const hset *newest)
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

static int release_answer(health_job *hj, store_db *db, int64_t project_id, const hset *rel,
			  int64_t all_installs, int64_t since, json_t **out)
{
	json_t *o = json_pack("{s:s,s:s}", "release", rel->release, "version",
			      version_of(rel->release));
	json_t *builds = json_array(), *series;
	hset **mine = NULL;
	size_t i, n = 0;
	int64_t step = hj->days <= 3 ? 3600 : 86400;
	int rc = PE_NOMEM;

	*out = NULL;
	if (!o || !builds)
		goto out;
	metrics_put(o, &rel->s);
	json_object_set_new(o, "adoption", num_or_null(pct(rel->s.installs, all_installs)));
	if (hj->by != HEALTH_BY_NONE)
		json_object_set_new(o, "groups", groups_json(rel));
	mine = calloc(hj->nbuilds + 1, sizeof(*mine));
	if (!mine)
		goto out;
	for (i = 0; i < hj->nbuilds; i++)
		if (strcmp(hj->builds[i].release, rel->release) == 0)
			mine[n++] = &hj->builds[i];
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

static int release_answered(const health_job *hj, const char *release)
{
	size_t r;

	for (r = 0; r < hj->nrels; r++)
		if (strcmp(hj->rels[r].release, release) == 0)
			return hj->rels[r].answered;
	return 0;
}

static int health_query(apijob *j, store_db *db, int64_t project_id)
{
	health_job *hj = (health_job *)j;
	int64_t now = (int64_t)time(NULL), all_installs = 0, crashed = 0;
	int64_t since = now - now % 3600 - (int64_t)hj->days * 86400 + 3600;
	json_t *releases = json_array();
	size_t i, nb, resolved = 0, answered = 0;
	int rc;
	static const char *const by_names[] = {NULL, "cohort", "channel"};

	hj->gates = json_array();
	if (!releases || !hj->gates) {
		json_decref(releases);
		return PE_NOMEM;
	}
	j->answer = json_pack("{s:i,s:o,s:s?,s:o}", "days", hj->days, "since", reply_time(since),
			      "by", by_names[hj->by], "releases", releases);
	if (!j->answer)
		return PE_NOMEM;
	rc = store_health_gates_each(db, project_id, gate_row, hj);
	if (rc == STORE_OK)
		rc = store_health_releases_each(db, project_id, since, stored_row, hj);
	for (i = 0; rc == STORE_OK && !hj->failed && i < hj->nstored; i++)
		rc = store_health_sums_each(db, project_id, hj->stored[i], since, hj->by, sum_row,
					    hj);
	if (rc == STORE_OK && hj->failed)
		rc = PE_NOMEM;
	if (rc == STORE_OK)
		rc = order_builds(hj, db, project_id, &resolved);
	if (rc != STORE_OK)
		return rc;
	json_object_set(j->answer, "gates", hj->gates);
	json_object_set_new(j->answer, "order",
			    json_string(resolved > 0 ? "git" : "first_seen"));
	qsort(hj->rels, hj->nrels, sizeof(*hj->rels), by_last_seen);
	hj->memo_key[0] = '\0'; /* its release index moved */
	/* Installs are counted once per build, per release and in all: an install that ran two
	 * builds, environments or cohorts is one install, which sums of the hourly rows cannot say. */
	rc = store_health_release_installs(db, project_id, NULL, since, &all_installs, &crashed);
	for (i = 0; rc == STORE_OK && i < hj->nrels; i++)
		rc = store_health_release_installs(db, project_id, hj->rels[i].release, since,
						   &hj->rels[i].s.installs,
						   &hj->rels[i].s.crashed_installs);
	for (i = 0; rc == STORE_OK && i < hj->nbuilds; i++)
		if (hj->builds[i].stored && hj->builds[i].revision)
			rc = store_health_build_installs(db, project_id, hj->builds[i].stored,
							 hj->builds[i].revision, since,
							 &hj->builds[i].s.installs,
							 &hj->builds[i].s.crashed_installs);
	if (rc != STORE_OK)
		return rc;
	for (i = 0; i < hj->nrels; i++) {
		if (hj->release[0] ? strcmp(hj->rels[i].release, hj->release) == 0
				   : answered < HEALTH_RELEASES) {
			hj->rels[i].answered = 1;
			answered++;
		}
	}
	/* The duration histograms and ratings of the answered releases, and the histograms of
	 * their builds' previous builds in other releases (the median's change), by build. */
	for (i = 0; rc == STORE_OK && i < hj->nrels; i++) {
		if (!hj->rels[i].answered)
			continue;
		rc = store_health_durations_each(db, project_id, hj->rels[i].release, NULL, since,
						 hj->by, bucket_row, hj);
		if (rc == STORE_OK)
			rc = store_health_ratings_each(db, project_id, hj->rels[i].release, hj->by,
						       rating_row, hj);
	}
	nb = hj->nbuilds; /* the reads above may add rated builds without sessions */
	for (i = 0; rc == STORE_OK && i < nb; i++) {
		const hset *p;

		if (hj->builds[i].prev == SIZE_MAX || !release_answered(hj, hj->builds[i].release))
			continue;
		p = &hj->builds[hj->builds[i].prev];
		if (!release_answered(hj, p->release) && p->stored)
			rc = store_health_durations_each(db, project_id, p->stored, p->revision,
							 since, hj->by, bucket_row, hj);
	}
	if (rc == STORE_OK && hj->failed)
		rc = PE_NOMEM;
	for (i = 0; rc == STORE_OK && i < hj->nrels; i++) {
		json_t *o;

		if (!hj->rels[i].answered)
			continue;
		rc = release_answer(hj, db, project_id, &hj->rels[i], all_installs, since, &o);
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
		hj->by = HEALTH_BY_NONE;
	else if (n > 0 && strcmp(by, "cohort") == 0)
		hj->by = HEALTH_BY_COHORT;
	else if (n > 0 && strcmp(by, "channel") == 0)
		hj->by = HEALTH_BY_CHANNEL;
	else {
		free(hj);
		params_refuse(rq, 422, "invalid_parameter",
			      n > 0 && strcmp(by, "platform") == 0
				  ? "sessions do not record a platform: by cohort or channel"
				  : "must be cohort or channel",
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
