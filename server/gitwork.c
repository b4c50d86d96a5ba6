/* gitwork.c - what prosum does with a project's repository: resolve builds, know fixes, releases, blame, sync. */
#include "gitwork.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitlink.h"
#include "msglink.h"

#define OPEN_MAX 16          /* projects whose repository one thread keeps open */
#define RELEASE_CACHE 512    /* commit -> release answers kept per repository */
#define BLAME_FRAMES 3       /* top in-app frames blamed per report */
#define BLAME_STRIP 8        /* leading directories tried away from an absolute path */
#define FEW_COMMITS 64       /* new commits given a release one by one rather than in one walk */

typedef struct rel_entry {
	char commit[41];
	char release[128];
} rel_entry;

/* One open repository and what is remembered of its releases. */
typedef struct open_repo {
	int64_t project_id;
	char *path;
	gitlink_repo *repo;
	uint64_t releases_sig; /* the release list the cache below was computed for */
	rel_entry cache[RELEASE_CACHE];
} open_repo;

typedef struct repos {
	open_repo *open[OPEN_MAX];
	size_t n;
	size_t next; /* round-robin eviction */
} repos;

static void open_repo_free(open_repo *o)
{
	if (!o)
		return;
	gitlink_close(o->repo);
	free(o->path);
	free(o);
}

static void repos_free(void *aux)
{
	repos *rs = aux;
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n; i++)
		open_repo_free(rs->open[i]);
	free(rs);
}

/* The thread's open repository of a project; NULL when it has none or it cannot be opened. */
static open_repo *repo_for(store_db *db, int64_t project_id)
{
	repos *rs = store_db_aux(db);
	open_repo *o;
	char *path = NULL, err[256];
	size_t i;

	if (!rs) {
		rs = calloc(1, sizeof(*rs));
		if (!rs)
			return NULL;
		store_db_set_aux(db, rs, repos_free);
	}
	if (store_project_repo(db, project_id, &path) != STORE_OK || !path)
		return NULL;
	for (i = 0; i < rs->n; i++) {
		o = rs->open[i];
		if (o->project_id == project_id && strcmp(o->path, path) == 0) {
			free(path);
			return o;
		}
	}
	o = calloc(1, sizeof(*o));
	if (!o || gitlink_open(&o->repo, path, err, sizeof(err)) < 0) {
		if (o)
			fprintf(stderr, "prosumd: project %lld: %s\n", (long long)project_id, err);
		free(o);
		free(path);
		return NULL;
	}
	o->project_id = project_id;
	o->path = path;
	if (rs->n < OPEN_MAX) {
		rs->open[rs->n++] = o;
	} else {
		open_repo_free(rs->open[rs->next]);
		rs->open[rs->next] = o;
		rs->next = (rs->next + 1) % OPEN_MAX;
	}
	return o;
}

/* The registered releases in history order; both arrays freed by releases_free(). */
typedef struct rel_list {
	char **names;
	char **tips;
	size_t n;
	uint64_t sig;
} rel_list;

static void releases_free(rel_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->names[i]);
		free(l->tips[i]);
	}
	free(l->names);
	free(l->tips);
	memset(l, 0, sizeof(*l));
}

static int releases_load(store_db *db, int64_t project_id, rel_list *l)
{
	size_t i;
	const char *p;

	memset(l, 0, sizeof(*l));
	if (store_releases(db, project_id, &l->names, &l->tips, &l->n) < 0)
		return STORE_ERROR;
	l->sig = 1469598103934665603ULL ^ l->n;
	for (i = 0; i < l->n; i++) {
		for (p = l->names[i]; *p; p++)
			l->sig = (l->sig ^ (unsigned char)*p) * 1099511628211ULL;
		for (p = l->tips[i]; *p; p++)
			l->sig = (l->sig ^ (unsigned char)*p) * 1099511628211ULL;
	}
	return STORE_OK;
}

/* The first release containing `commit` ("" when none), remembered per release list. */
static int release_of(open_repo *o, const rel_list *l, const char *commit, char out[128])
{
	size_t idx, slot = 0;
	const char *p;
	int rc;

	out[0] = '\0';
	if (l->n == 0)
		return STORE_OK;
	if (o->releases_sig != l->sig) {
		memset(o->cache, 0, sizeof(o->cache));
		o->releases_sig = l->sig;
	}
	for (p = commit; *p; p++)
		slot = slot * 31 + (unsigned char)*p;
	slot %= RELEASE_CACHE;
	if (strcmp(o->cache[slot].commit, commit) == 0) {
		memcpy(out, o->cache[slot].release, 128);
		return STORE_OK;
	}
	rc = gitlink_first_containing(&idx, o->repo, commit, (const char *const *)l->tips, l->n);
	if (rc == GITLINK_OK)
		snprintf(out, 128, "%s", l->names[idx]);
	else if (rc != GITLINK_ENOTFOUND)
		return STORE_ERROR;
	snprintf(o->cache[slot].commit, 41, "%s", commit);
	memcpy(o->cache[slot].release, out, 128);
	return STORE_OK;
}

/* Remember a commit and the release it first shipped in. */
static int put_commit(store_db *db, int64_t project_id, open_repo *o, const rel_list *l,
		      const store_commit_info *c)
{
	char release[128];

	if (store_commit_put(db, project_id, c) < 0 || release_of(o, l, c->id, release) < 0)
		return STORE_ERROR;
	return store_commit_set_release(db, project_id, c->id, release);
}

int gitwork_ingest_report(store_db *db, int64_t project_id, const report *r,
			  const store_ingest *in, int64_t now, gitwork_ingest *out)
{
	open_repo *o;
	rel_list l;
	char fix[41], status[32];
	int rc = STORE_OK, contains;

	memset(out, 0, sizeof(*out));
	o = repo_for(db, project_id);
	if (!o)
		return STORE_OK;
	if (releases_load(db, project_id, &l) < 0)
		return STORE_ERROR;
	if (!in->created) {
		if (store_report_commit(db, project_id, in->num, out->commit) < 0)
			goto fail;
	} else if (r->revision &&
		   gitlink_resolve(out->commit, o->repo, r->revision, strlen(r->revision)) ==
			   GITLINK_OK) {
		store_commit_info c = {.id = out->commit};

		if (store_report_set_commit(db, project_id, in->num, out->commit) < 0 ||
		    put_commit(db, project_id, o, &l, &c) < 0)
			goto fail;
	} else {
		out->commit[0] = '\0'; /* unresolved: kept, and resolved again after a sync */
	}
	if (out->commit[0] && release_of(o, &l, out->commit, out->release) < 0)
		goto fail;

	/* Is the group fixed, and does this build have the fix? */
	if (store_group_fix(db, project_id, in->group_num, fix, status) < 0)
		goto fail;
	if (fix[0] && strcmp(status, "fixed") == 0) {
		contains = 0;
		if (out->commit[0] &&
		    gitlink_contains(&contains, o->repo, fix, out->commit) != GITLINK_OK)
			contains = 0;
		if (contains && in->created) {
			out->regressed = 1;
			if (store_group_regressed(db, project_id, in->group_num, now) < 0)
				goto fail;
		} else if (!contains) {
			out->known = 1;
			if (release_of(o, &l, fix, out->fixed_in) < 0)
				goto fail;
		}
	}
	releases_free(&l);
	return rc;
fail:
	releases_free(&l);
	return STORE_ERROR;
}

int gitwork_blame_report(store_db *db, int64_t project_id, int64_t num, const json_t *frames)
{
	open_repo *o = repo_for(db, project_id);
	char commit[41];
	rel_list l;
	json_t *f;
	size_t i;
	int blamed = 0, rc = STORE_OK;

	if (!o)
		return STORE_OK;
	if (store_report_commit(db, project_id, num, commit) < 0 || !commit[0])
		return STORE_OK; /* nothing to blame against until the build is resolved */
	if (releases_load(db, project_id, &l) < 0)
		return STORE_ERROR;
	json_array_foreach(frames, i, f)
	{
		const char *path = json_string_value(json_object_get(f, "file"));
		json_int_t line = json_integer_value(json_object_get(f, "line"));
		gitlink_commit gc;
		int strip, grc = GITLINK_ENOTFOUND;

		if (blamed == BLAME_FRAMES)
			break;
		if (!path || line <= 0 || json_is_false(json_object_get(f, "in_app")))
			continue;
		/* Builds record absolute paths; try the path less its leading directories
		 * until one is a file of the repository. */
		for (strip = 0; strip <= BLAME_STRIP && path; strip++) {
			while (*path == '/')
				path++;
			grc = gitlink_blame_line(&gc, o->repo, commit, path, strlen(path),
						 (size_t)line);
			if (grc == GITLINK_OK)
				break;
			path = strchr(path, '/');
		}
		if (grc != GITLINK_OK)
			continue;
		{
			store_commit_info c = {gc.id, gc.author_name, gc.author_email,
					       gc.author_time, gc.summary};

			if (put_commit(db, project_id, o, &l, &c) < 0 ||
			    store_suspect_add(db, project_id, num, gc.id, path, line) < 0) {
				rc = STORE_ERROR;
				break;
			}
		}
		blamed++;
	}
	releases_free(&l);
	return rc;
}

int gitwork_fixing_commit(store_db *db, int64_t project_id, const char *rev, char out[41])
{
	open_repo *o = repo_for(db, project_id);
	rel_list l;
	int rc;

	if (!o) {
		snprintf(out, 41, "%s", rev);
		return STORE_OK;
	}
	if (gitlink_resolve(out, o->repo, rev, strlen(rev)) != GITLINK_OK)
		return STORE_INVALID;
	if (releases_load(db, project_id, &l) < 0)
		return STORE_ERROR;
	{
		store_commit_info c = {.id = out};
		rc = put_commit(db, project_id, o, &l, &c);
	}
	releases_free(&l);
	return rc;
}

/* Collect commit ids from the store. */
typedef struct idlist {
	char (*ids)[41];
	size_t n, cap;
} idlist;

static int collect(void *ctx, const char *id)
{
	idlist *l = ctx;

	if (strlen(id) != 40)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		char(*nids)[41] = realloc(l->ids, cap * sizeof(*nids));

		if (!nids)
			return -1;
		l->ids = nids;
		l->cap = cap;
	}
	memcpy(l->ids[l->n++], id, 41);
	return 0;
}

/*
 * Give every remembered commit the first release that contains it, in one
 * walk of the history below the release tips (not one walk per commit).
 */
static int reassign(store_db *db, int64_t project_id, open_repo *o, const rel_list *l,
		    idlist *only)
{
	idlist all = {0}, *list = only ? only : &all;
	idlist ids = *list;
	const char **ptrs = NULL;
	size_t *index = NULL, i;
	int rc = STORE_ERROR;

	if (!only && store_commits_each(db, project_id, collect, &all) < 0)
		goto out;
	ids = *list;
	if (only && ids.n <= FEW_COMMITS) {
		/*
		 * A few new commits: a containment check per release tip each. New
		 * commits sit on top of the history, so each check walks only the
		 * commits between them and a tip, where the batch walk below would read
		 * the whole history under every release.
		 */
		char release[128];

		for (i = 0; i < ids.n; i++)
			if (release_of(o, l, ids.ids[i], release) < 0 ||
			    store_commit_set_release(db, project_id, ids.ids[i], release) < 0)
				goto out;
		rc = STORE_OK;
		goto out;
	}
	if (ids.n == 0) {
		rc = STORE_OK;
		goto out;
	}
	ptrs = calloc(ids.n, sizeof(*ptrs));
	index = calloc(ids.n, sizeof(*index));
	if (!ptrs || !index)
		goto out;
	for (i = 0; i < ids.n; i++) {
		ptrs[i] = ids.ids[i];
		index[i] = GITLINK_NONE;
	}
	if (l->n > 0 && gitlink_first_containing_many(index, o->repo, ptrs, ids.n,
						      (const char *const *)l->tips, l->n) < 0)
		goto out;
	for (i = 0; i < ids.n; i++)
		if (store_commit_set_release(db, project_id, ids.ids[i],
					     index[i] == GITLINK_NONE ? NULL
								      : l->names[index[i]]) < 0)
			goto out;
	o->releases_sig = 0; /* the per-commit cache is stale now */
	rc = STORE_OK;
out:
	free(all.ids);
	free(ptrs);
	free(index);
	return rc;
}

int gitwork_release_add(store_db *db, int64_t project_id, const char *name, const char *ref,
			int64_t now, char *why, size_t whylen)
{
	open_repo *o = repo_for(db, project_id);
	char tip[41];
	size_t *order = NULL, i;
	rel_list l = {0}, ordered = {0};
	int rc;

	if (!o) {
		snprintf(why, whylen, "this project has no repository: add one with "
				      "'prosumd project add NAME --repo PATH'");
		return STORE_INVALID;
	}
	if (gitlink_resolve(tip, o->repo, ref, strlen(ref)) != GITLINK_OK) {
		snprintf(why, whylen, "'%s' is not a commit, tag or branch of the repository", ref);
		return STORE_INVALID;
	}
	rc = store_release_add(db, project_id, name, ref, tip, now);
	if (rc == STORE_EXISTS) {
		snprintf(why, whylen, "release '%s' already exists", name);
		return rc;
	}
	if (rc < 0 || releases_load(db, project_id, &l) < 0)
		return STORE_ERROR;
	/* Registered in any order, releases are kept in history order. */
	order = calloc(l.n, sizeof(*order));
	if (!order || gitlink_order_releases(order, o->repo, (const char *const *)l.tips, l.n) < 0) {
		snprintf(why, whylen, "the releases could not be ordered: %s", gitlink_error(o->repo));
		rc = STORE_ERROR;
		goto out;
	}
	for (i = 0; i < l.n; i++)
		if (store_release_set_position(db, project_id, l.names[order[i]], (int)i) < 0) {
			rc = STORE_ERROR;
			goto out;
		}
	/* What each remembered commit shipped in may have changed. */
	if (releases_load(db, project_id, &ordered) < 0) {
		rc = STORE_ERROR;
		goto out;
	}
	rc = reassign(db, project_id, o, &ordered, NULL);
	if (rc == STORE_OK)
		rc = store_links_apply(db, project_id, 0, 0, now); /* newly shipped suggestions */
out:
	free(order);
	releases_free(&l);
	releases_free(&ordered);
	return rc;
}

typedef struct scan {
	store_db *db;
	int64_t project_id;
	gitwork_sync_stats *stats;
	idlist *fresh;         /* commits remembered by this sync: they need their release */
	const rel_list *rels;  /* the releases registered now */
	char *fresh_tip;       /* [i]: release i's tip is among the commits this walk saw */
	int failed;
} scan;

/* One new commit of the walk: remember the items its message links to. */
static int scan_commit(const gitlink_walk_commit *c, void *payload)
{
	scan *sc = payload;
	msglink_ref refs[MSGLINK_MAX_REFS];
	size_t n, i;
	char summary[GITLINK_SUMMARY_MAX];

	sc->stats->commits++;
	for (i = 0; i < sc->rels->n; i++)
		if (!sc->fresh_tip[i] && memcmp(c->id, sc->rels->tips[i], 40) == 0)
			sc->fresh_tip[i] = 1;
	n = msglink_parse(c->message, c->message_len, refs, MSGLINK_MAX_REFS);
	if (n == 0)
		return 0;
	if (n > MSGLINK_MAX_REFS)
		n = MSGLINK_MAX_REFS;
	snprintf(summary, sizeof(summary), "%.*s", (int)c->summary_len, c->summary);
	{
		store_commit_info ci = {c->id, c->author_name, c->author_email, c->author_time,
					summary};
		if (store_commit_put(sc->db, sc->project_id, &ci) < 0 || collect(sc->fresh, c->id) < 0)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		if (store_link_add(sc->db, sc->project_id, refs[i].type, refs[i].num, c->id,
				   refs[i].kind == MSGLINK_IMPLEMENT) < 0)
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

static int resolve_one(void *ctx, const char *revision)
{
	resolver *rv = ctx;
	char commit[41];

	if (gitlink_resolve(commit, rv->o->repo, revision, strlen(revision)) != GITLINK_OK)
		return 0; /* still unknown: kept for the next sync */
	{
		store_commit_info c = {.id = commit};
		if (store_commit_put(rv->db, rv->project_id, &c) < 0 ||
		    store_revision_resolved(rv->db, rv->project_id, revision, commit) < 0 ||
		    collect(rv->fresh, commit) < 0)
			return -1;
	}
	rv->stats->resolved++;
	return 0;
}

int gitwork_sync(store_db *db, int64_t project_id, int64_t now, gitwork_sync_stats *out,
		 char *why, size_t whylen)
{
	open_repo *o = repo_for(db, project_id);
	char(*tips)[41] = NULL;
	const char **seen = NULL;
	gitlink_tips fresh = {0};
	size_t ntips = 0, i;
	scan sc;
	resolver rv;
	rel_list l = {0}, newer = {0};
	idlist fresh_commits = {0}, resolved = {0};
	char *fresh_tip = NULL;
	int rc = STORE_ERROR;

	memset(out, 0, sizeof(*out));
	if (!o) {
		snprintf(why, whylen, "this project has no repository: add one with "
				      "'prosumd project add NAME --repo PATH'");
		return STORE_INVALID;
	}
	if (gitlink_fetch(o->repo) < 0) {
		snprintf(why, whylen, "fetching the remote failed: %s", gitlink_error(o->repo));
		return STORE_INVALID;
	}
	out->fetched = 1;
	gitlink_cache_clear(o->repo); /* branches may have moved even without a remote */
	if (store_tips_get(db, project_id, &tips, &ntips) < 0)
		return STORE_ERROR;
	seen = calloc(ntips + 1, sizeof(*seen));
	if (!seen)
		goto out;
	for (i = 0; i < ntips; i++)
		seen[i] = tips[i];
	if (releases_load(db, project_id, &l) < 0)
		goto out;
	fresh_tip = calloc(l.n + 1, 1);
	if (!fresh_tip)
		goto out;
	sc = (scan){db, project_id, out, &fresh_commits, &l, fresh_tip, 0};
	if (gitlink_walk(&fresh, o->repo, seen, ntips, NULL, 0, scan_commit, &sc) < 0 ||
	    sc.failed) {
		snprintf(why, whylen, "walking the history failed: %s", gitlink_error(o->repo));
		goto out;
	}
	if (store_tips_set(db, project_id, (const char(*)[41])fresh.ids, fresh.count) < 0)
		goto out;
	rv = (resolver){db, project_id, o, out, &resolved};
	if (store_unresolved_each(db, project_id, resolve_one, &rv) < 0)
		goto out;
	/*
	 * New commits need their release. A commit this walk saw for the first time
	 * cannot be an ancestor of a release tip an earlier walk had already seen
	 * (it would have been seen then), so only releases whose tips are new
	 * themselves can contain it: usually none, and no containment walk at all.
	 */
	newer.sig = l.sig;
	newer.names = calloc(l.n + 1, sizeof(*newer.names));
	newer.tips = calloc(l.n + 1, sizeof(*newer.tips));
	if (!newer.names || !newer.tips)
		goto out;
	for (i = 0; i < l.n; i++)
		if (fresh_tip[i]) {
			newer.names[newer.n] = l.names[i];
			newer.tips[newer.n++] = l.tips[i];
		}
	if (reassign(db, project_id, o, &newer, &fresh_commits) < 0 ||
	    reassign(db, project_id, o, &l, &resolved) < 0 ||
	    store_links_apply(db, project_id, 0, 0, now) < 0)
		goto out;
	rc = STORE_OK;
out:
	releases_free(&l);
	free(newer.names); /* the strings belong to l */
	free(newer.tips);
	free(fresh_tip);
	free(fresh_commits.ids);
	free(resolved.ids);
	gitlink_tips_free(&fresh);
	free(seen);
	free(tips);
	return rc;
}

/* Text from testers and commit messages, made inert in Markdown. */
static void md_text(buf *out, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("\\`*_{}[]<>()#+-!|~", *s) != NULL)
			buf_append(out, "\\", 1);
		if (*s == '\n' || *s == '\r')
			buf_append(out, " ", 1);
		else
			buf_append(out, s, 1);
	}
}

static void md_commit(buf *out, const char *url, const char *id)
{
	const char *at = url ? strstr(url, "{id}") : NULL;

	if (!at) {
		buf_printf(out, "`%.10s`", id);
		return;
	}
	buf_printf(out, "[`%.10s`](%.*s%s%s)", id, (int)(at - url), url, id, at + 4);
}

/* "Ada, Bob and 3 more testers" from a JSON array of names and a count of the unnamed. */
static void md_people(buf *out, const json_t *names, json_int_t others)
{
	size_t i, n = json_array_size(names);

	for (i = 0; i < n; i++) {
		buf_puts(out, i == 0 ? "" : (i + 1 == n && others == 0) ? " and " : ", ");
		md_text(out, json_string_value(json_array_get(names, i)));
	}
	if (others > 0)
		buf_printf(out, "%s%lld more tester%s", n ? " and " : "", (long long)others,
			   others == 1 ? "" : "s");
}

typedef struct note_walk {
	buf *out;
	const char *url;
	size_t listed, more;
} note_walk;

static int note_commit(const gitlink_walk_commit *c, void *payload)
{
	note_walk *nw = payload;
	char summary[GITLINK_SUMMARY_MAX];

	if (c->parents > 1)
		return 0; /* merges say nothing the merged commits do not */
	if (nw->listed == 500) {
		nw->more++;
		return 0;
	}
	snprintf(summary, sizeof(summary), "%.*s", (int)c->summary_len, c->summary);
	buf_puts(nw->out, "- ");
	md_commit(nw->out, nw->url, c->id);
	buf_puts(nw->out, " ");
	md_text(nw->out, summary);
	buf_puts(nw->out, " (");
	md_text(nw->out, c->author_name);
	buf_puts(nw->out, ")\n");
	nw->listed++;
	return 0;
}

int gitwork_release_notes(store_db *db, int64_t project_id, const char *name, buf *out)
{
	json_t *rel = NULL, *items, *it;
	open_repo *o;
	rel_list l = {0};
	char *url = NULL;
	size_t i;
	int rc;

	rc = store_release_get(db, project_id, name, &rel);
	if (rc != STORE_OK)
		return rc;
	if (store_project_commit_url(db, project_id, &url) < 0) {
		rc = STORE_ERROR;
		goto out;
	}
	buf_puts(out, "# Release ");
	md_text(out, name);
	buf_puts(out, "\n\nBuilt from `");
	md_text(out, json_string_value(json_object_get(rel, "ref")));
	buf_puts(out, "` at ");
	md_commit(out, url, json_string_value(json_object_get(rel, "commit")));
	buf_puts(out, ".\n\n## Community suggestions shipped\n\n");
	items = json_object_get(rel, "shipped_suggestions");
	if (json_array_size(items) == 0)
		buf_puts(out, "_None in this release._\n");
	json_array_foreach(items, i, it)
	{
		json_int_t votes = json_integer_value(json_object_get(it, "votes"));
		const char *by = json_string_value(json_object_get(it, "suggested_by"));

		buf_printf(out, "- **%s** ", json_string_value(json_object_get(it, "id")));
		md_text(out, json_string_value(json_object_get(it, "title")));
		buf_printf(out, " (%lld vote%s)", (long long)votes, votes == 1 ? "" : "s");
		if (by) {
			buf_puts(out, ". Suggested by ");
			md_text(out, by);
		}
		buf_puts(out, ". Thanks to ");
		md_people(out, json_object_get(it, "credited"),
			  json_integer_value(json_object_get(it, "others")));
		buf_puts(out, ".\n");
	}
	buf_puts(out, "\n## Fixed\n\n");
	items = json_object_get(rel, "fixed_groups");
	json_array_foreach(items, i, it)
	{
		json_int_t n = json_integer_value(json_object_get(it, "count"));
		json_int_t t = json_integer_value(json_object_get(it, "testers"));

		buf_printf(out, "- **%s** ", json_string_value(json_object_get(it, "id")));
		md_text(out, json_string_value(json_object_get(it, "title")));
		buf_printf(out, " (%lld report%s from %lld tester%s; fixed by ", (long long)n,
			   n == 1 ? "" : "s", (long long)t, t == 1 ? "" : "s");
		md_commit(out, url, json_string_value(json_object_get(it, "fixed_by")));
		buf_puts(out, ")\n");
	}
	if (json_array_size(items) == 0 &&
	    json_array_size(json_object_get(rel, "fixed_reports")) == 0)
		buf_puts(out, "_No reported problems were fixed in this release._\n");
	items = json_object_get(rel, "fixed_reports");
	if (json_array_size(items) > 0)
		buf_puts(out, "\nReports fixed:");
	json_array_foreach(items, i, it)
	{
		buf_printf(out, "%s %s", i ? "," : "", json_string_value(json_object_get(it, "id")));
	}
	if (json_array_size(items) > 0)
		buf_puts(out, ".\n");
	buf_puts(out, "\n## Thanks\n\n");
	items = json_object_get(rel, "contributors");
	if (json_array_size(items) == 0)
		buf_puts(out, "_Thanks to every tester who sent reports and ideas._\n");
	json_array_foreach(items, i, it)
	{
		json_int_t sg = json_integer_value(json_object_get(it, "suggestions"));
		json_int_t fx = json_integer_value(json_object_get(it, "fixed_reports"));

		buf_puts(out, "- ");
		md_text(out, json_string_value(json_object_get(it, "name")));
		if (sg)
			buf_printf(out, ": %lld shipped suggestion%s", (long long)sg,
				   sg == 1 ? "" : "s");
		if (fx)
			buf_printf(out, "%s %lld fixed report%s", sg ? "," : ":", (long long)fx,
				   fx == 1 ? "" : "s");
		buf_puts(out, "\n");
	}
	buf_puts(out, "\n## Commits\n\n");
	o = repo_for(db, project_id);
	if (o && releases_load(db, project_id, &l) == STORE_OK) {
		const char *tip = json_string_value(json_object_get(rel, "commit"));
		const char *prev[1];
		note_walk nw = {out, url, 0, 0};

		/* Since the release before this one in history order. */
		for (i = 0; i < l.n && strcmp(l.names[i], name) != 0; i++)
			;
		prev[0] = i > 0 && i < l.n ? l.tips[i - 1] : NULL;
		gitlink_tips seen = {0};

		if (gitlink_walk(&seen, o->repo, prev, prev[0] ? 1 : 0, &tip, 1, note_commit, &nw) <
		    0)
			buf_puts(out, "_The commit list could not be read from the repository._\n");
		else if (nw.listed == 0)
			buf_puts(out, "_No commits._\n");
		if (nw.more)
			buf_printf(out, "- and %zu more\n", nw.more);
		gitlink_tips_free(&seen);
	} else {
		buf_puts(out, "_The project has no repository linked._\n");
	}
out:
	releases_free(&l);
	free(url);
	json_decref(rel);
	return rc;
}
