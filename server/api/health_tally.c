/* health_tally.c - the health answer's sums of a window per release, build and group, and its
 * builds in history order. */
#include "api/health_tally.h"

#include <stdlib.h>
#include <string.h>

#include "git/buildorder.h"
#include "model/health_distinct.h"
#include "perror.h"

#define HEALTH_BUILDS_MAX 1024 /* builds of the window ordered (more: first seen only) */

static void hset_free(health_set *v, size_t n)
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

void health_tally_free(health_tally *t)
{
	hset_free(t->builds, t->nbuilds);
	hset_free(t->rels, t->nrels);
	while (t->nstored > 0)
		free(t->stored[--t->nstored]);
	free(t->stored);
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
static health_set *hset_find(health_set **v, size_t *n, size_t *cap, const char *release,
			     size_t rlen, const char *build)
{
	size_t i;
	health_set *h;

	for (i = 0; i < *n; i++) {
		h = &(*v)[i];
		if (strlen(h->release) == rlen && memcmp(h->release, release, rlen) == 0 &&
		    ((!build && !h->build) || (build && h->build && strcmp(h->build, build) == 0)))
			return h;
	}
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		health_set *nv = realloc(*v, nc * sizeof(*nv));

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

static health_group *group_find(health_set *h, const char *name)
{
	size_t i;
	health_group *g;

	for (i = 0; i < h->ngroups; i++)
		if (strcmp(h->groups[i].name, name) == 0)
			return &h->groups[i];
	if (h->ngroups == h->capgroups) {
		size_t nc = h->capgroups ? h->capgroups * 2 : 4;
		health_group *nv = realloc(h->groups, nc * sizeof(*nv));

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

static void sum_add(health_sum *s, const store_health_sum *r)
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
static int sets_of(health_tally *t, const char *stored, const char *revision, health_set **b,
		   health_set **rel)
{
	size_t rlen = release_len(stored), sl = strlen(stored), vl = strlen(revision);

	if (t->memo_key[0] && sl + vl + 2 <= sizeof(t->memo_key) &&
	    memcmp(t->memo_key, stored, sl) == 0 && t->memo_key[sl] == '\n' &&
	    strcmp(t->memo_key + sl + 1, revision) == 0) {
		*b = &t->builds[t->memo_build];
		*rel = &t->rels[t->memo_rel];
		return 0;
	}
	*b = hset_find(&t->builds, &t->nbuilds, &t->capbuilds, stored, rlen,
		       build_of(stored, revision));
	*rel = *b ? hset_find(&t->rels, &t->nrels, &t->caprels, stored, rlen, NULL) : NULL;
	if (!*b || !*rel)
		return -1;
	if (!(*b)->stored) {
		(*b)->stored = dupn(stored, sl);
		(*b)->revision = dupn(revision, vl);
		if (!(*b)->stored || !(*b)->revision)
			return -1;
	}
	t->memo_key[0] = '\0';
	if (sl + vl + 2 <= sizeof(t->memo_key)) {
		memcpy(t->memo_key, stored, sl);
		t->memo_key[sl] = '\n';
		memcpy(t->memo_key + sl + 1, revision, vl + 1);
		t->memo_build = (size_t)(*b - t->builds);
		t->memo_rel = (size_t)(*rel - t->rels);
	}
	return 0;
}

int health_tally_sum_row(void *ctx, const store_health_sum *r)
{
	health_tally *t = ctx;
	health_set *b, *rel;
	health_group *g;

	if (sets_of(t, r->release, r->revision, &b, &rel) < 0)
		return t->failed = 1;
	sum_add(&b->s, r);
	sum_add(&rel->s, r);
	if (t->by != HEALTH_BY_NONE) {
		if (!(g = group_find(b, r->group)))
			return t->failed = 1;
		sum_add(&g->s, r);
		if (!(g = group_find(rel, r->group)))
			return t->failed = 1;
		sum_add(&g->s, r);
	}
	return 0;
}

int health_tally_bucket_row(void *ctx, const store_health_bucket_row *r)
{
	health_tally *t = ctx;
	health_set *b, *rel;
	health_group *g;

	if (sets_of(t, r->release, r->revision, &b, &rel) < 0)
		return t->failed = 1;
	if (r->bucket < 0 || r->bucket >= HEALTH_BUCKETS)
		return 0;
	b->s.buckets[r->bucket] += r->sessions;
	rel->s.buckets[r->bucket] += r->sessions;
	if (t->by != HEALTH_BY_NONE) {
		if (!(g = group_find(b, r->group)))
			return t->failed = 1;
		g->s.buckets[r->bucket] += r->sessions;
		if (!(g = group_find(rel, r->group)))
			return t->failed = 1;
		g->s.buckets[r->bucket] += r->sessions;
	}
	return 0;
}

int health_tally_rating_row(void *ctx, const store_health_rating_row *r)
{
	health_tally *t = ctx;
	health_set *b, *rel;
	health_group *g;

	if (sets_of(t, r->release, r->revision, &b, &rel) < 0)
		return t->failed = 1;
	if (r->rating < 1 || r->rating > 5)
		return 0;
	b->s.ratings[r->rating] += r->n;
	rel->s.ratings[r->rating] += r->n;
	if (t->by == HEALTH_BY_COHORT) {
		if (!(g = group_find(b, r->group)))
			return t->failed = 1;
		g->s.ratings[r->rating] += r->n;
		if (!(g = group_find(rel, r->group)))
			return t->failed = 1;
		g->s.ratings[r->rating] += r->n;
	}
	return 0;
}

void health_tally_groups_installs_clear(health_set *h)
{
	size_t i;

	for (i = 0; i < h->ngroups; i++) {
		h->groups[i].s.installs = 0;
		h->groups[i].s.crashed_installs = 0;
	}
}

int health_tally_install_row(void *ctx, const store_health_install_row *r)
{
	health_install_count *c = ctx;
	health_set *sets[2];
	health_group *g;
	int k, is_new, now_crashed;

	if (sets_of(c->t, r->release, r->revision, &sets[0], &sets[1]) < 0)
		return c->t->failed = 1;
	for (k = 0; k < 2; k++) {
		/* A group's name is its own allocation: the scope of its installs. */
		g = group_find(sets[k], r->group);
		if (!g || health_distinct_add(c->seen, g->name, r->did, r->crashed, &is_new,
					      &now_crashed) < 0)
			return c->t->failed = 1;
		g->s.installs += is_new;
		g->s.crashed_installs += now_crashed;
	}
	return 0;
}

int health_tally_stored_row(void *ctx, const char *release)
{
	health_tally *t = ctx;
	char *d;

	if (t->nstored == t->capstored) {
		size_t nc = t->capstored ? t->capstored * 2 : 16;
		char **nv = realloc(t->stored, nc * sizeof(*nv));

		if (!nv)
			return t->failed = 1;
		t->stored = nv;
		t->capstored = nc;
	}
	d = dupn(release, strlen(release));
	if (!d)
		return t->failed = 1;
	t->stored[t->nstored++] = d;
	return 0;
}

/* ---- distinct installs ---- */

typedef struct installs_pass {
	health_tally *t;
	health_distinct *seen;
	int64_t all, all_crashed;
	int failed;
	/* The last row's stored release and revision, and its release and build (SIZE_MAX: none).
	 */
	char memo[1024];
	size_t rel, build;
} installs_pass;

/* The release and build of a row's stored release and revision, without adding any. */
static void installs_owners(installs_pass *ip, const char *stored, const char *revision)
{
	health_tally *t = ip->t;
	size_t rlen = release_len(stored), sl = strlen(stored), vl = strlen(revision), i;
	const char *build = build_of(stored, revision);

	if (ip->memo[0] && sl + vl + 2 <= sizeof(ip->memo) && memcmp(ip->memo, stored, sl) == 0 &&
	    ip->memo[sl] == '\n' && strcmp(ip->memo + sl + 1, revision) == 0)
		return;
	ip->rel = ip->build = SIZE_MAX;
	for (i = 0; i < t->nrels; i++)
		if (strlen(t->rels[i].release) == rlen &&
		    memcmp(t->rels[i].release, stored, rlen) == 0) {
			ip->rel = i;
			break;
		}
	for (i = 0; i < t->nbuilds; i++)
		if (strlen(t->builds[i].release) == rlen &&
		    memcmp(t->builds[i].release, stored, rlen) == 0 &&
		    strcmp(t->builds[i].build, build) == 0) {
			ip->build = i;
			break;
		}
	ip->memo[0] = '\0';
	if (sl + vl + 2 <= sizeof(ip->memo)) {
		memcpy(ip->memo, stored, sl);
		ip->memo[sl] = '\n';
		memcpy(ip->memo + sl + 1, revision, vl + 1);
	}
}

/* The install of a row seen in scope (the counts' own address), counted there once. 0 or -1. */
static int count_in(installs_pass *ip, const void *scope, const store_health_build_install *r,
		    int64_t *installs, int64_t *crashed)
{
	int is_new, now_crashed;

	if (health_distinct_add(ip->seen, scope, r->did, r->crashed, &is_new, &now_crashed) < 0)
		return -1;
	*installs += is_new;
	*crashed += now_crashed;
	return 0;
}

static int install_row(void *ctx, const store_health_build_install *r)
{
	installs_pass *ip = ctx;
	health_tally *t = ip->t;
	health_sum *rel, *b;
	int rc;

	installs_owners(ip, r->release, r->revision);
	rel = ip->rel != SIZE_MAX ? &t->rels[ip->rel].s : NULL;
	b = ip->build != SIZE_MAX ? &t->builds[ip->build].s : NULL;
	/* scopes: all releases, the row's release, its build */
	rc = count_in(ip, &ip->all, r, &ip->all, &ip->all_crashed);
	if (rc == 0 && rel)
		rc = count_in(ip, rel, r, &rel->installs, &rel->crashed_installs);
	if (rc == 0 && b)
		rc = count_in(ip, b, r, &b->installs, &b->crashed_installs);
	return rc < 0 ? (ip->failed = 1) : 0;
}

int health_tally_installs(health_tally *t, store_db *db, int64_t project_id, int64_t since,
			  int64_t *all, int64_t *all_crashed)
{
	installs_pass ip;
	size_t i;
	int rc;

	memset(&ip, 0, sizeof(ip));
	ip.t = t;
	*all = *all_crashed = 0;
	if (!(ip.seen = health_distinct_new()))
		return PE_NOMEM;
	for (i = 0; i < t->nrels; i++)
		t->rels[i].s.installs = t->rels[i].s.crashed_installs = 0;
	for (i = 0; i < t->nbuilds; i++)
		t->builds[i].s.installs = t->builds[i].s.crashed_installs = 0;
	rc = store_health_installs_each(db, project_id, since, install_row, &ip);
	if (rc == STORE_OK && ip.failed)
		rc = PE_NOMEM;
	*all = ip.all;
	*all_crashed = ip.all_crashed;
	health_distinct_free(ip.seen);
	return rc;
}

/* ---- history order ---- */

static int by_first_seen(const void *a, const void *b)
{
	const health_set *x = *(const health_set *const *)a, *y = *(const health_set *const *)b;

	if (x->rel_first != y->rel_first)
		return x->rel_first < y->rel_first ? -1 : 1;
	if (strcmp(x->release, y->release) != 0)
		return strcmp(x->release, y->release);
	if (x->s.first_hour != y->s.first_hour)
		return x->s.first_hour < y->s.first_hour ? -1 : 1;
	return strcmp(x->build, y->build);
}

/* Whether releases x and y name the same app: the same text before their last '@' (Sentry's
 * "app@1.4.0"), or neither has one (libprosum's "1.4.0"). */
static int same_app(const char *x, const char *y)
{
	const char *ax = strrchr(x, '@'), *ay = strrchr(y, '@');
	size_t nx = ax ? (size_t)(ax - x) + 1 : 0, ny = ay ? (size_t)(ay - y) + 1 : 0;

	return nx == ny && memcmp(x, y, nx) == 0;
}

/*
 * The build before the one at position i of the history order: the nearest earlier one made
 * from another commit (a build of the same commit, a tag and its hash say, is not before it),
 * of the same app (same_app) when that commit has one, else the first found; without commits
 * (unresolved builds) simply the one ranked before. SIZE_MAX when none.
 */
static size_t previous_of(health_set *const *sorted, const size_t *order, const char (*commits)[41],
			  size_t i, const health_set *base)
{
	const health_set *b = sorted[order[i]];
	const char *mine = commits[order[i]];
	size_t j, pick = SIZE_MAX;

	if (i == 0)
		return SIZE_MAX;
	if (!mine[0])
		return (size_t)(sorted[order[i - 1]] - base);
	for (j = i; j-- > 0;) {
		const char *c = commits[order[j]];

		if (!c[0] || strcmp(c, mine) == 0)
			continue;
		if (pick == SIZE_MAX)
			pick = j;
		else if (strcmp(c, commits[order[pick]]) != 0)
			break; /* an older commit: the nearest one had no build of this release */
		if (same_app(sorted[order[j]]->release, b->release)) {
			pick = j;
			break;
		}
	}
	return pick == SIZE_MAX ? SIZE_MAX : (size_t)(sorted[order[pick]] - base);
}

/* Each release's rank: one more than its newest build's (0: no build), so releases last seen
 * in the same hour are listed newest in history first. When git ordered some builds, only
 * those count: the builds it could not resolve are ranked after them, not newer. */
static void release_ranks(health_tally *t, health_set *const *sorted, const size_t *order,
			  const char (*commits)[41], size_t resolved)
{
	size_t r, i;

	for (r = 0; r < t->nrels; r++) {
		t->rels[r].rank = 0;
		for (i = 0; i < t->nbuilds; i++) {
			const health_set *b = sorted[order[i]];

			if ((resolved == 0 || commits[order[i]][0]) &&
			    strcmp(b->release, t->rels[r].release) == 0 && i + 1 > t->rels[r].rank)
				t->rels[r].rank = i + 1;
		}
	}
}

int health_tally_order(health_tally *t, store_db *db, int64_t project_id, size_t *resolved)
{
	size_t n = t->nbuilds, i, *order = NULL;
	health_set **sorted = NULL;
	const char **revs = NULL;
	char(*commits)[41] = NULL;
	int rc = PE_NOMEM;

	*resolved = 0;
	if (n == 0)
		return STORE_OK;
	sorted = calloc(n, sizeof(*sorted));
	revs = calloc(n, sizeof(*revs));
	order = calloc(n, sizeof(*order));
	commits = calloc(n, sizeof(*commits));
	if (!sorted || !revs || !order || !commits)
		goto out;
	for (i = 0; i < n; i++) {
		size_t r;

		sorted[i] = &t->builds[i];
		for (r = 0; r < t->nrels; r++)
			if (strcmp(t->rels[r].release, sorted[i]->release) == 0)
				sorted[i]->rel_first = t->rels[r].s.first_hour;
	}
	qsort(sorted, n, sizeof(*sorted), by_first_seen);
	for (i = 0; i < n; i++)
		revs[i] = sorted[i]->build;
	rc = STORE_OK;
	if (n <= HEALTH_BUILDS_MAX)
		rc = gitwork_order_builds_at(db, project_id, revs, n, order, resolved, commits);
	else
		for (i = 0; i < n; i++)
			order[i] = i;
	if (rc != STORE_OK)
		goto out;
	for (i = 0; i < n; i++) {
		health_set *b = sorted[order[i]];

		b->rank = i;
		b->prev = previous_of(sorted, order, commits, i, t->builds);
	}
	release_ranks(t, sorted, order, commits, *resolved);
out:
	free(commits);
	free(sorted);
	free(revs);
	free(order);
	return rc;
}

static int by_last_seen(const void *a, const void *b)
{
	const health_set *x = a, *y = b;

	if (x->s.last_hour != y->s.last_hour)
		return x->s.last_hour > y->s.last_hour ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	return strcmp(x->release, y->release);
}

void health_tally_sort_releases(health_tally *t)
{
	qsort(t->rels, t->nrels, sizeof(*t->rels), by_last_seen);
	t->memo_key[0] = '\0'; /* its release index moved */
}

int health_tally_answered(const health_tally *t, const char *release)
{
	size_t r;

	for (r = 0; r < t->nrels; r++)
		if (strcmp(t->rels[r].release, release) == 0)
			return t->rels[r].answered;
	return 0;
}
