/* sync.c - sync a project with its repository: fetch, walk new commits, record links, resolve late. */
#include "git/work_int.h"
#include "git/links.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct scan {
	store_db *db;
	int64_t project_id;
	gitwork_sync_stats *stats;
	idlist *fresh; /* commits remembered by this sync: they need their release */
	int failed;
} scan;

/* One new commit of the walk: remember the items its message links to. */
static int scan_commit(const repo_walk_commit *c, void *payload)
{
	scan *sc = payload;
	links_ref refs[LINKS_MAX_REFS];
	size_t n, i;
	char summary[REPO_SUMMARY_MAX];

	sc->stats->commits++;
	n = links_parse(c->message, c->message_len, refs, LINKS_MAX_REFS);
	if (n == 0)
		return 0;
	if (n > LINKS_MAX_REFS)
		n = LINKS_MAX_REFS;
	snprintf(summary, sizeof(summary), "%.*s", (int)c->summary_len, c->summary);
	{
		store_commit_info ci = {c->id, c->author_name, c->author_email, c->author_time,
					summary};
		if (store_commit_put(sc->db, sc->project_id, &ci) < 0 || project_collect(sc->fresh, c->id) < 0)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		if (store_link_add(sc->db, sc->project_id, refs[i].type, refs[i].num, c->id,
				   refs[i].kind == LINKS_IMPLEMENT) < 0)
			goto fail;
		sc->stats->links++;
	}
	return 0;
fail:
	sc->failed = 1;
	return 1;
}

typedef struct resolver {
	store_db *db;
	int64_t project_id;
	open_repo *o;
	gitwork_sync_stats *stats;
	idlist *fresh;
} resolver;

/* A report resolved now: its suspects are wanted, as for one resolved at ingest. */
static int blame_wanted(void *ctx, int64_t num)
{
	gitwork_sync_stats *st = ctx;
	int64_t *nb;

	if ((st->nblame & (st->nblame - 1)) == 0) { /* 0, 1, 2, 4...: grow */
		nb = realloc(st->blame, (st->nblame ? st->nblame * 2 : 1) * sizeof(*nb));
		if (!nb)
			return -1;
		st->blame = nb;
	}
	st->blame[st->nblame++] = num;
	return 0;
}

static int resolve_one(void *ctx, const char *revision)
{
	resolver *rv = ctx;
	char commit[41];

	if (repo_resolve(commit, rv->o->repo, revision, strlen(revision)) != REPO_OK)
		return 0; /* still unknown: kept for the next sync */
	{
		store_commit_info c = {.id = commit};
		if (store_unresolved_reports_each(rv->db, rv->project_id, revision, blame_wanted,
						  rv->stats) < 0 ||
		    store_commit_put(rv->db, rv->project_id, &c) < 0 ||
		    store_revision_resolved(rv->db, rv->project_id, revision, commit) < 0 ||
		    project_collect(rv->fresh, commit) < 0)
			return -1;
	}
	rv->stats->resolved++;
	return 0;
}

typedef struct recheck {
	store_db *db;
	int64_t project_id, now;
	open_repo *o;
	const char *fix;
	gitwork_sync_stats *stats;
} recheck;

/* A build of a group the sync just fixed: holding the fix, it shows the fix did not hold. */
static int recheck_build(void *ctx, int64_t group_num, const char *build, int64_t report_num)
{
	recheck *rk = ctx;
	int contains = 0;
	char fix[41], status[32];

	if (repo_contains(&contains, rk->o->repo, rk->fix, build) != REPO_OK || !contains)
		return 0;
	if (store_group_fix(rk->db, rk->project_id, group_num, fix, status) < 0)
		return -1;
	if (strcmp(status, "fixed") != 0)
		return 0; /* marked by another build already */
	rk->stats->regressed++;
	return store_group_regressed(rk->db, rk->project_id, group_num, report_num, rk->now);
}

int gitwork_sync(store_db *db, int64_t project_id, int64_t now, gitwork_sync_stats *out,
		 char *why, size_t whylen)
{
	open_repo *o = project_repo(db, project_id);
	char(*tips)[41] = NULL;
	const char **seen = NULL;
	repo_tips fresh = {0};
	size_t ntips = 0, i;
	scan sc;
	resolver rv;
	rel_list l = {0};
	idlist fresh_commits = {0}, resolved = {0};
	int rc = STORE_ERROR;

	memset(out, 0, sizeof(*out));
	if (!o) {
		snprintf(why, whylen, "this project has no repository: add one with "
				      "'prosumd project add NAME --repo PATH'");
		return STORE_INVALID;
	}
	if (repo_fetch(o->repo) < 0) {
		snprintf(why, whylen, "fetching the remote failed: %s", repo_error(o->repo));
		return STORE_INVALID;
	}
	out->fetched = 1;
	repo_cache_clear(o->repo); /* branches may have moved even without a remote */
	if (store_tips_get(db, project_id, &tips, &ntips) < 0)
		return STORE_ERROR;
	seen = calloc(ntips + 1, sizeof(*seen));
	if (!seen)
		goto out;
	for (i = 0; i < ntips; i++)
		seen[i] = tips[i];
	if (project_releases_load(db, project_id, &l) < 0)
		goto out;
	sc = (scan){db, project_id, out, &fresh_commits, 0};
	if (repo_walk(&fresh, o->repo, seen, ntips, NULL, 0, scan_commit, &sc) < 0 ||
	    sc.failed) {
		snprintf(why, whylen, "walking the history failed: %s", repo_error(o->repo));
		goto out;
	}
	if (store_tips_set(db, project_id, (const char(*)[41])fresh.ids, fresh.count) < 0)
		goto out;
	rv = (resolver){db, project_id, o, out, &resolved};
	if (store_unresolved_each(db, project_id, resolve_one, &rv) < 0)
		goto out;
	/* New and newly resolved commits need their release; links name their items. */
	if (project_reassign(db, project_id, o, &l, &fresh_commits) < 0 ||
	    project_reassign(db, project_id, o, &l, &resolved) < 0 ||
	    store_links_apply(db, project_id, 0, 0, now) < 0)
		goto out;
	/* Reports may have come from builds that hold a fix linked only now. */
	for (i = 0; i < fresh_commits.n; i++) {
		recheck rk = {db, project_id, now, o, fresh_commits.ids[i], out};

		if (store_fix_builds_each(db, project_id, fresh_commits.ids[i], recheck_build, &rk) <
		    0)
			goto out;
	}
	/* Which reports' builds lack the fixes linked or resolved now: only those are fixed. */
	{
		int64_t late = 0;

		if (gitwork_fix_checks(db, project_id, 0, now, &late) < 0)
			goto out;
		out->regressed += late;
	}
	rc = STORE_OK;
out:
	project_releases_free(&l);
	free(fresh_commits.ids);
	free(resolved.ids);
	repo_tips_free(&fresh);
	free(seen);
	free(tips);
	return rc;
}
