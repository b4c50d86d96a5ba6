/* history.c - containment, the first release containing a commit, release order. */
#include "git/git_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- containment ---- */

static int commit_exists(repo_handle *r, const git_oid *oid, const char *what)
{
	git_commit *c = NULL;
	int rc = git_commit_lookup(&c, r->repo, oid);

	git_commit_free(c);
	if (rc < 0)
		return git_fail(r, rc, what);
	return REPO_OK;
}

static int contains_oid(repo_handle *r, int *out, const git_oid *commit, const git_oid *tip)
{
	int rc;

	*out = 0;
	if (git_oid_equal(commit, tip)) {
		*out = 1;
		return REPO_OK;
	}
	rc = git_graph_descendant_of(r->repo, tip, commit);
	if (rc < 0)
		return git_fail(r, rc, "contains");
	*out = rc;
	return REPO_OK;
}

int repo_contains(int *out, repo_handle *repo, const char *commit_hex, const char *tip_hex)
{
	git_oid commit, tip;
	int rc;

	if (!out || !repo)
		return REPO_EINVAL;
	*out = 0;
	rc = repo_parse_full_hex(repo, &commit, commit_hex, "contains");
	if (rc < 0)
		return rc;
	rc = repo_parse_full_hex(repo, &tip, tip_hex, "contains");
	if (rc < 0)
		return rc;
	/* The graph code reports a missing commit as a generic error: look first. */
	rc = commit_exists(repo, &commit, commit_hex);
	if (rc < 0)
		return rc;
	rc = commit_exists(repo, &tip, tip_hex);
	if (rc < 0)
		return rc;
	return contains_oid(repo, out, &commit, &tip);
}

/* Parse release tips and check each is a commit here; a missing one is an error (EGIT). */
static int load_tips(repo_handle *r, git_oid *oids, int64_t *times, const char *const *tips,
		     size_t n)
{
	git_commit *c = NULL;
	int rc;

	for (size_t i = 0; i < n; i++) {
		rc = repo_parse_full_hex(r, &oids[i], tips[i], "release tip");
		if (rc < 0)
			return rc;
		rc = git_commit_lookup(&c, r->repo, &oids[i]);
		if (rc == GIT_ENOTFOUND) {
			git_error_clear();
			return fail(r, REPO_EGIT, "release tip %s is not in the repository",
				    tips[i]);
		}
		if (rc < 0)
			return git_fail(r, rc, tips[i]);
		if (times)
			times[i] = git_commit_time(c);
		git_commit_free(c);
		c = NULL;
	}
	return REPO_OK;
}

/* Whether `commit` is in the history of any of tips[0, n). */
static int reachable_from_prefix(repo_handle *r, int *out, const git_oid *commit,
				 const git_oid *tips, size_t n)
{
	int rc = git_graph_reachable_from_any(r->repo, commit, tips, n);

	if (rc < 0)
		return git_fail(r, rc, "first containing");
	*out = rc;
	return REPO_OK;
}

/*
 * "One of the first k releases contains it" only turns from false to true as
 * k grows, so the first release is found by bisection: about log2(n) graph
 * walks instead of one per release.
 */
int repo_first_containing(size_t *index, repo_handle *repo, const char *commit_hex,
			     const char *const *release_tips, size_t n)
{
	git_oid commit;
	git_oid *tips = NULL;
	size_t lo = 0, hi;
	int rc, in = 0;

	if (!index || !repo || (!release_tips && n > 0))
		return REPO_EINVAL;
	*index = 0;
	rc = repo_parse_full_hex(repo, &commit, commit_hex, "first containing");
	if (rc < 0)
		goto out;
	rc = commit_exists(repo, &commit, commit_hex);
	if (rc < 0)
		goto out;
	if (n == 0) {
		rc = fail(repo, REPO_ENOTFOUND, "no release contains %s", commit_hex);
		goto out;
	}
	tips = calloc(n, sizeof(*tips));
	if (!tips) {
		rc = fail(repo, REPO_ENOMEM, "first containing: out of memory");
		goto out;
	}
	rc = load_tips(repo, tips, NULL, release_tips, n);
	if (rc < 0)
		goto out;
	rc = reachable_from_prefix(repo, &in, &commit, tips, n);
	if (rc < 0)
		goto out;
	if (!in) {
		rc = fail(repo, REPO_ENOTFOUND, "no release contains %s", commit_hex);
		goto out;
	}
	hi = n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		rc = reachable_from_prefix(repo, &in, &commit, tips, mid + 1);
		if (rc < 0)
			goto out;
		if (in)
			hi = mid;
		else
			lo = mid + 1;
	}
	*index = lo;
	rc = REPO_OK;
out:
	free(tips);
	return rc;
}

/* ---- release order ---- */

/*
 * Which release tips reach which, found in one topological walk instead of a
 * merge base per pair (each of which may walk most of the history): every
 * commit carries the set of tips it is reachable from, handed from children
 * to parents. A commit's set is complete when the walk reaches it because
 * children come first, and it is dropped then, so only the walk's frontier
 * is held in memory.
 */
typedef struct reach_map {
	git_oid *keys;
	uint64_t *bits;      /* cap rows of `words` words */
	unsigned char *used; /* 0 free, 1 live, 2 deleted */
	size_t cap, live, taken, words;
} reach_map;

static void reach_map_free(reach_map *m)
{
	free(m->keys);
	free(m->bits);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

static size_t oid_hash(const git_oid *oid)
{
	size_t h;

	memcpy(&h, oid->id, sizeof(h)); /* ids are uniformly distributed already */
	return h;
}

static int reach_map_init(reach_map *m, size_t cap, size_t words)
{
	memset(m, 0, sizeof(*m));
	m->keys = calloc(cap, sizeof(*m->keys));
	m->bits = calloc(cap * words, sizeof(*m->bits));
	m->used = calloc(cap, 1);
	m->cap = cap;
	m->words = words;
	if (!m->keys || !m->bits || !m->used) {
		reach_map_free(m);
		return REPO_ENOMEM;
	}
	return REPO_OK;
}

static size_t reach_map_slot(const reach_map *m, const git_oid *oid, bool *found)
{
	size_t mask = m->cap - 1;
	size_t i = oid_hash(oid) & mask;
	size_t first_free = SIZE_MAX;

	for (;;) {
		if (m->used[i] == 0) {
			*found = false;
			return first_free != SIZE_MAX ? first_free : i;
		}
		if (m->used[i] == 2) {
			if (first_free == SIZE_MAX)
				first_free = i;
		} else if (git_oid_equal(&m->keys[i], oid)) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
}

static int reach_map_grow(reach_map *m)
{
	reach_map bigger;
	size_t cap = m->cap;
	bool found;
	int rc;

	while (cap < 4 * (m->live + 1))
		cap *= 2;
	rc = reach_map_init(&bigger, cap, m->words);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (m->used[i] != 1)
			continue;
		j = reach_map_slot(&bigger, &m->keys[i], &found);
		bigger.used[j] = 1;
		git_oid_cpy(&bigger.keys[j], &m->keys[i]);
		memcpy(bigger.bits + j * m->words, m->bits + i * m->words,
		       m->words * sizeof(*m->bits));
		bigger.live++;
		bigger.taken++;
	}
	reach_map_free(m);
	*m = bigger;
	return REPO_OK;
}

/* The row of `oid`, made (empty) when missing. */
static int reach_map_row(reach_map *m, const git_oid *oid, uint64_t **row)
{
	bool found;
	size_t i;
	int rc;

	if (4 * (m->taken + 1) > 3 * m->cap) {
		rc = reach_map_grow(m);
		if (rc < 0)
			return rc;
	}
	i = reach_map_slot(m, oid, &found);
	if (!found) {
		if (m->used[i] == 0)
			m->taken++;
		m->used[i] = 1;
		m->live++;
		git_oid_cpy(&m->keys[i], oid);
		memset(m->bits + i * m->words, 0, m->words * sizeof(*m->bits));
	}
	*row = m->bits + i * m->words;
	return REPO_OK;
}

static void reach_map_drop(reach_map *m, const git_oid *oid)
{
	bool found;
	size_t i = reach_map_slot(m, oid, &found);

	if (found) {
		m->used[i] = 2;
		m->live--;
	}
}

/*
 * Called with each commit reachable from the tips, children first, and the
 * complete set of tips it is reachable from. Returns 1 to stop, 0 to go on.
 */
typedef int (*reach_visit)(const git_oid *oid, const uint64_t *bits, void *ctx);

static int reach_walk(repo_handle *r, const git_oid *tips, size_t n, size_t words,
		      reach_visit visit, void *ctx)
{
	git_revwalk *walk = NULL;
	git_commit *c = NULL;
	reach_map m = {0};
	uint64_t *row, *prow;
	uint64_t *cur = NULL;
	git_oid oid;
	int rc;

	cur = calloc(words, sizeof(*cur));
	if (!cur) {
		rc = fail(r, REPO_ENOMEM, "releases: out of memory");
		goto out;
	}
	rc = reach_map_init(&m, 1024, words);
	if (rc < 0) {
		rc = fail(r, rc, "releases: out of memory");
		goto out;
	}
	rc = git_revwalk_new(&walk, r->repo);
	if (rc < 0) {
		rc = git_fail(r, rc, "releases");
		goto out;
	}
	rc = git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL);
	if (rc < 0) {
		rc = git_fail(r, rc, "releases");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rc = reach_map_row(&m, &tips[i], &row);
		if (rc < 0) {
			rc = fail(r, rc, "releases: out of memory");
			goto out;
		}
		row[i / 64] |= UINT64_C(1) << (i % 64);
		rc = git_revwalk_push(walk, &tips[i]);
		if (rc < 0) {
			rc = git_fail(r, rc, "releases");
			goto out;
		}
	}
	while ((rc = git_revwalk_next(&oid, walk)) == 0) {
		unsigned int np;

		rc = reach_map_row(&m, &oid, &row);
		if (rc < 0) {
			rc = fail(r, rc, "releases: out of memory");
			goto out;
		}
		memcpy(cur, row, words * sizeof(*cur));
		reach_map_drop(&m, &oid);
		if (visit(&oid, cur, ctx))
			break;
		rc = git_commit_lookup(&c, r->repo, &oid);
		if (rc < 0) {
			rc = git_fail(r, rc, "releases");
			goto out;
		}
		np = git_commit_parentcount(c);
		for (unsigned int p = 0; p < np; p++) {
			rc = reach_map_row(&m, git_commit_parent_id(c, p), &prow);
			if (rc < 0) {
				rc = fail(r, rc, "releases: out of memory");
				goto out;
			}
			for (size_t w = 0; w < words; w++)
				prow[w] |= cur[w];
		}
		git_commit_free(c);
		c = NULL;
	}
	if (rc != 0 && rc != GIT_ITEROVER) {
		rc = git_fail(r, rc, "releases");
		goto out;
	}
	git_error_clear();
	rc = REPO_OK;
out:
	git_commit_free(c);
	git_revwalk_free(walk);
	reach_map_free(&m);
	free(cur);
	return rc;
}

/* For repo_order_releases(): the reach set of every tip, and how many are still to come. */
typedef struct order_ctx {
	const git_oid *tips;
	size_t n, words, pending;
	uint64_t *reach; /* n rows of `words` */
} order_ctx;

static int order_visit(const git_oid *oid, const uint64_t *bits, void *ctx)
{
	order_ctx *o = ctx;

	for (size_t i = 0; i < o->n; i++) {
		if (git_oid_equal(&o->tips[i], oid)) {
			memcpy(o->reach + i * o->words, bits, o->words * sizeof(*bits));
			o->pending--;
		}
	}
	return o->pending == 0;
}

int repo_order_releases(size_t *order, repo_handle *repo, const char *const *tips, size_t n)
{
	git_oid *oids = NULL;
	int64_t *times = NULL;
	uint64_t *reach = NULL;
	size_t *ancestors = NULL; /* per release: releases before it in history, not yet placed */
	bool *placed = NULL;
	size_t words = (n + 63) / 64;
	order_ctx ctx;
	int rc;

	if (!repo || (n > 0 && (!order || !tips)))
		return REPO_EINVAL;
	if (n == 0)
		return REPO_OK;
	if (n > REPO_RELEASES_MAX)
		return fail(repo, REPO_EINVAL, "releases: more than %d", REPO_RELEASES_MAX);
	oids = calloc(n, sizeof(*oids));
	times = calloc(n, sizeof(*times));
	reach = calloc(n * words, sizeof(*reach));
	ancestors = calloc(n, sizeof(*ancestors));
	placed = calloc(n, sizeof(*placed));
	if (!oids || !times || !reach || !ancestors || !placed) {
		rc = fail(repo, REPO_ENOMEM, "releases: out of memory");
		goto out;
	}
	rc = load_tips(repo, oids, times, tips, n);
	if (rc < 0)
		goto out;
	ctx.tips = oids;
	ctx.n = n;
	ctx.words = words;
	ctx.pending = n;
	ctx.reach = reach;
	rc = reach_walk(repo, oids, n, words, order_visit, &ctx);
	if (rc < 0)
		goto out;
	/* Every tip is pushed, so every tip is visited; anything else is a broken repository. */
	if (ctx.pending > 0) {
		rc = fail(repo, REPO_EGIT, "releases: the walk missed a release tip");
		goto out;
	}
	/* i comes before j when j's tip reaches i's and they are different commits. */
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			if ((reach[i * words + j / 64] >> (j % 64) & 1) &&
			    !git_oid_equal(&oids[i], &oids[j]))
				ancestors[j]++;
		}
	}
	/* Kahn's algorithm: of the releases with nothing left before them, the oldest tip first. */
	for (size_t k = 0; k < n; k++) {
		size_t best = SIZE_MAX;

		for (size_t i = 0; i < n; i++) {
			if (placed[i] || ancestors[i] > 0)
				continue;
			if (best == SIZE_MAX || times[i] < times[best])
				best = i;
		}
		/* The ancestry of distinct commits has no cycles, so one is always ready. */
		if (best == SIZE_MAX) {
			rc = fail(repo, REPO_EGIT, "releases: inconsistent history");
			goto out;
		}
		order[k] = best;
		placed[best] = true;
		for (size_t j = 0; j < n; j++) {
			if ((reach[best * words + j / 64] >> (j % 64) & 1) &&
			    !git_oid_equal(&oids[best], &oids[j]))
				ancestors[j]--;
		}
	}
	rc = REPO_OK;
out:
	free(oids);
	free(times);
	free(reach);
	free(ancestors);
	free(placed);
	return rc;
}

/* For repo_first_containing_many(): the queried commits, sorted, and their answers. */
typedef struct many_ctx {
	git_oid *sorted; /* distinct queried ids */
	size_t nsorted;
	size_t *first; /* per sorted id: first release, or REPO_NONE */
	size_t words, pending;
} many_ctx;

static int many_visit(const git_oid *oid, const uint64_t *bits, void *ctx)
{
	many_ctx *m = ctx;
	git_oid *hit = bsearch(oid, m->sorted, m->nsorted, sizeof(*m->sorted), repo_oid_cmp);
	size_t k;

	if (!hit)
		return 0;
	k = (size_t)(hit - m->sorted);
	for (size_t w = 0; w < m->words; w++) {
		if (bits[w]) {
			m->first[k] = w * 64 + (size_t)__builtin_ctzll(bits[w]);
			break;
		}
	}
	return --m->pending == 0;
}

int repo_first_containing_many(size_t *index, repo_handle *repo, const char *const *commits,
				  size_t ncommits, const char *const *release_tips, size_t n)
{
	git_oid *tips = NULL;
	git_oid *ids = NULL;
	oid_list sorted = {0};
	size_t words = (n + 63) / 64;
	many_ctx ctx = {0};
	int rc;

	if (!repo || (ncommits > 0 && (!index || !commits)) || (n > 0 && !release_tips))
		return REPO_EINVAL;
	if (n > REPO_RELEASES_MAX)
		return fail(repo, REPO_EINVAL, "releases: more than %d", REPO_RELEASES_MAX);
	for (size_t i = 0; i < ncommits; i++)
		index[i] = REPO_NONE;
	if (ncommits == 0 || n == 0)
		return REPO_OK;
	tips = calloc(n, sizeof(*tips));
	ids = calloc(ncommits, sizeof(*ids));
	if (!tips || !ids) {
		rc = fail(repo, REPO_ENOMEM, "first containing: out of memory");
		goto out;
	}
	rc = load_tips(repo, tips, NULL, release_tips, n);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < ncommits; i++) {
		rc = repo_parse_full_hex(repo, &ids[i], commits[i], "first containing");
		if (rc < 0)
			goto out;
		rc = repo_oid_list_add(&sorted, &ids[i]);
		if (rc < 0) {
			rc = fail(repo, rc, "first containing: out of memory");
			goto out;
		}
	}
	repo_oid_list_unique(&sorted);
	ctx.sorted = sorted.v;
	ctx.nsorted = sorted.n;
	ctx.words = words;
	ctx.pending = sorted.n;
	ctx.first = malloc(sorted.n * sizeof(*ctx.first));
	if (!ctx.first) {
		rc = fail(repo, REPO_ENOMEM, "first containing: out of memory");
		goto out;
	}
	for (size_t k = 0; k < sorted.n; k++)
		ctx.first[k] = REPO_NONE;
	rc = reach_walk(repo, tips, n, words, many_visit, &ctx);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < ncommits; i++) {
		git_oid *hit = bsearch(&ids[i], sorted.v, sorted.n, sizeof(*sorted.v), repo_oid_cmp);

		index[i] = ctx.first[hit - sorted.v];
	}
	rc = REPO_OK;
out:
	free(ctx.first);
	free(sorted.v);
	free(ids);
	free(tips);
	return rc;
}
