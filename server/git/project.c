/* project.c - a project's repository on a store thread: open handles, releases, their index. */
#include "git/work_int.h"
#include "git/links.h"
#include "store/store_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPEN_MAX 16 /* projects whose repository one thread keeps open */

typedef struct repos {
	open_repo *open[OPEN_MAX];
	size_t n;
	size_t next; /* round-robin eviction */
	/* the last project looked up, valid for one transaction (a batch of reports) */
	uint64_t memo_txn;
	int64_t memo_project;
	open_repo *memo;
} repos;

static void index_free(rel_index *x)
{
	size_t i;

	for (i = 0; i < x->nnames; i++)
		free(x->names[i]);
	free(x->names);
	free(x->ids);
	free(x->rel);
	memset(x, 0, sizeof(*x));
}

static void open_repo_free(open_repo *o)
{
	if (!o)
		return;
	blamejob_memo_free(o);
	free(o->vtag);
	index_free(&o->index);
	if (o->rels) {
		project_releases_free(o->rels);
		free(o->rels);
	}
	repo_close(o->repo);
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

open_repo *project_repo(store_db *db, int64_t project_id)
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
	/* A batch of reports for one project asks once. */
	if (rs->memo_txn == store_db_txn(db) && rs->memo_project == project_id)
		return rs->memo;
	rs->memo_txn = store_db_txn(db);
	rs->memo_project = project_id;
	rs->memo = NULL;
	if (store_project_repo(db, project_id, &path) != STORE_OK || !path)
		return NULL;
	for (i = 0; i < rs->n; i++) {
		o = rs->open[i];
		if (o->project_id == project_id && strcmp(o->path, path) == 0) {
			free(path);
			rs->memo = o;
			return o;
		}
	}
	o = calloc(1, sizeof(*o));
	if (!o || repo_open(&o->repo, path, err, sizeof(err)) < 0) {
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
	rs->memo = o;
	return o;
}

void project_releases_free(rel_list *l)
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

int project_releases_load(store_db *db, int64_t project_id, rel_list *l)
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

int project_collect(void *ctx, const char *id)
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

static int collect_walked(const repo_walk_commit *c, void *payload)
{
	return project_collect(payload, c->id) < 0 ? 1 : 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 40 lower-case hex digits to 20 bytes. 0, or -1 when it is not a full id. */
static int unhex(unsigned char out[20], const char *hex)
{
	int i, hi, lo;

	for (i = 0; i < 20; i++) {
		hi = hexval(hex[2 * i]);
		lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);
		if (lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static size_t slot_of(const rel_index *x, const unsigned char id[20])
{
	uint64_t h;

	memcpy(&h, id, sizeof(h)); /* commit ids are uniformly distributed already */
	return (size_t)h & (x->cap - 1);
}

/* (Re)build the index for release list `l`: every commit below a tip, and its first release. */
static int index_build(rel_index *x, open_repo *o, const rel_list *l)
{
	idlist all = {0};
	const char **ptrs = NULL;
	size_t *first = NULL, i, s;
	repo_tips tips = {0};
	static const unsigned char zero[20];
	int rc = STORE_ERROR;

	index_free(x);
	if (l->n == 0) {
		x->sig = l->sig;
		return STORE_OK;
	}
	if (repo_walk(&tips, o->repo, NULL, 0, (const char *const *)l->tips, l->n,
			 collect_walked, &all) < 0)
		goto out;
	ptrs = calloc(all.n + 1, sizeof(*ptrs));
	first = calloc(all.n + 1, sizeof(*first));
	x->names = calloc(l->n, sizeof(*x->names));
	for (x->cap = 16; x->cap < 2 * all.n; x->cap *= 2)
		;
	x->ids = calloc(x->cap, sizeof(*x->ids));
	x->rel = calloc(x->cap, sizeof(*x->rel));
	if (!ptrs || !first || !x->names || !x->ids || !x->rel)
		goto out;
	for (i = 0; i < l->n; i++) {
		x->names[i] = strdup(l->names[i]);
		if (!x->names[i])
			goto out;
		x->nnames++;
	}
	for (i = 0; i < all.n; i++)
		ptrs[i] = all.ids[i];
	if (repo_first_containing_many(first, o->repo, ptrs, all.n,
					  (const char *const *)l->tips, l->n) < 0)
		goto out;
	for (i = 0; i < all.n; i++) {
		unsigned char id[20];

		if (first[i] == REPO_NONE || unhex(id, all.ids[i]) < 0)
			continue;
		for (s = slot_of(x, id); memcmp(x->ids[s], zero, 20) != 0; s = (s + 1) & (x->cap - 1))
			;
		memcpy(x->ids[s], id, 20);
		x->rel[s] = (uint16_t)first[i];
	}
	x->sig = l->sig;
	rc = STORE_OK;
out:
	if (rc != STORE_OK)
		index_free(x);
	repo_tips_free(&tips);
	free(all.ids);
	free(ptrs);
	free(first);
	return rc;
}

const rel_list *project_releases_for(store_db *db, int64_t project_id, open_repo *o)
{
	if (o->rels && o->rels_txn == store_db_txn(db))
		return o->rels;
	if (!o->rels) {
		o->rels = calloc(1, sizeof(*o->rels));
		if (!o->rels)
			return NULL;
	} else {
		project_releases_free(o->rels);
	}
	o->rels_txn = 0;
	if (project_releases_load(db, project_id, o->rels) < 0)
		return NULL;
	o->rels_txn = store_db_txn(db);
	return o->rels;
}

int project_release_of(open_repo *o, const rel_list *l, const char *commit, char out[128])
{
	static const unsigned char zero[20];
	rel_index *x = &o->index;
	unsigned char id[20];
	size_t s;

	out[0] = '\0';
	if (l->n == 0 || unhex(id, commit) < 0)
		return STORE_OK;
	if (x->sig != l->sig && index_build(x, o, l) < 0)
		return STORE_ERROR;
	if (!x->cap)
		return STORE_OK;
	for (s = slot_of(x, id); memcmp(x->ids[s], zero, 20) != 0; s = (s + 1) & (x->cap - 1)) {
		if (memcmp(x->ids[s], id, 20) == 0) {
			snprintf(out, 128, "%s", x->names[x->rel[s]]);
			break;
		}
	}
	return STORE_OK;
}

int project_put_commit(store_db *db, int64_t project_id, open_repo *o, const rel_list *l,
		      const store_commit_info *c)
{
	char release[128];

	if (store_commit_put(db, project_id, c) < 0 || project_release_of(o, l, c->id, release) < 0)
		return STORE_ERROR;
	return store_commit_set_release(db, project_id, c->id, release);
}

int project_reassign(store_db *db, int64_t project_id, open_repo *o, const rel_list *l,
		    idlist *only)
{
	idlist all = {0}, *ids = only ? only : &all;
	char release[128];
	size_t i;
	int rc = STORE_ERROR;

	if (!only && store_commits_each(db, project_id, project_collect, &all) < 0)
		goto out;
	for (i = 0; i < ids->n; i++)
		if (project_release_of(o, l, ids->ids[i], release) < 0 ||
		    store_commit_set_release(db, project_id, ids->ids[i], release) < 0)
			goto out;
	rc = STORE_OK;
out:
	free(all.ids);
	return rc;
}

int gitwork_release_add(store_db *db, int64_t project_id, const char *name, const char *ref,
			int64_t now, char *why, size_t whylen)
{
	open_repo *o = project_repo(db, project_id);
	char tip[41];
	size_t *order = NULL, i;
	rel_list l = {0}, ordered = {0};
	int rc;

	if (!o) {
		snprintf(why, whylen, "this project has no repository: add one with "
				      "'prosumd project add NAME --repo PATH'");
		return STORE_INVALID;
	}
	if (repo_resolve(tip, o->repo, ref, strlen(ref)) != REPO_OK) {
		snprintf(why, whylen, "'%s' is not a commit, tag or branch of the repository", ref);
		return STORE_INVALID;
	}
	rc = store_release_add(db, project_id, name, ref, tip, now);
	o->rels_txn = 0; /* the list changes within this transaction */
	if (rc == STORE_EXISTS) {
		snprintf(why, whylen, "release '%s' already exists", name);
		return rc;
	}
	if (rc < 0 || project_releases_load(db, project_id, &l) < 0)
		return STORE_ERROR;
	/* Registered in any order, releases are kept in history order. */
	order = calloc(l.n, sizeof(*order));
	if (!order || repo_order_releases(order, o->repo, (const char *const *)l.tips, l.n) < 0) {
		snprintf(why, whylen, "the releases could not be ordered: %s", repo_error(o->repo));
		rc = STORE_ERROR;
		goto out;
	}
	for (i = 0; i < l.n; i++)
		if (store_release_set_position(db, project_id, l.names[order[i]], (int)i) < 0) {
			rc = STORE_ERROR;
			goto out;
		}
	if (store_event_release_created(db, project_id, name, now) < 0) {
		rc = STORE_ERROR;
		goto out;
	}
	/* What each remembered commit shipped in may have changed. */
	if (project_releases_load(db, project_id, &ordered) < 0) {
		rc = STORE_ERROR;
		goto out;
	}
	rc = project_reassign(db, project_id, o, &ordered, NULL);
	if (rc == STORE_OK)
		rc = store_links_apply(db, project_id, 0, 0, now); /* newly shipped suggestions */
	if (rc == STORE_OK)
		rc = gitwork_fix_checks(db, project_id, 0, now, NULL);
out:
	free(order);
	project_releases_free(&l);
	project_releases_free(&ordered);
	return rc;
}


typedef struct commit_walk {
	gitwork_commit_list *out;
	int failed;
} commit_walk;

static int list_commit(const repo_walk_commit *c, void *payload)
{
	commit_walk *cw = payload;
	gitwork_commit_list *out = cw->out;
	links_ref refs[LINKS_MAX_REFS];
	gitwork_note_commit *nc;
	size_t slen = c->summary_len < REPO_SUMMARY_MAX - 1 ? c->summary_len : REPO_SUMMARY_MAX - 1;

	if (c->parents > 1)
		return 0; /* merges say nothing the merged commits do not */
	if (out->linked_only && links_parse(c->message, c->message_len, refs, LINKS_MAX_REFS) == 0) {
		out->others++;
		return 0;
	}
	if (out->n == GITWORK_NOTES_COMMITS_MAX) {
		out->more++;
		return 0;
	}
	if (!out->v) {
		out->v = calloc(GITWORK_NOTES_COMMITS_MAX, sizeof(*out->v));
		if (!out->v)
			goto fail;
	}
	nc = &out->v[out->n];
	memcpy(nc->id, c->id, sizeof(nc->id));
	nc->summary = strndup(c->summary, slen);
	nc->author = strdup(c->author_name);
	if (!nc->summary || !nc->author) {
		free(nc->summary);
		free(nc->author);
		goto fail;
	}
	out->n++;
	return 0;
fail:
	cw->failed = 1;
	return 1;
}

int gitwork_release_commits(store_db *db, int64_t project_id, const char *name, const char *tip,
			    gitwork_commit_list *out)
{
	open_repo *o;
	rel_list l = {0};
	const char *prev[1];
	commit_walk cw = {out, 0};
	repo_tips seen = {0};
	size_t i;

	memset(out, 0, sizeof(*out));
	o = project_repo(db, project_id);
	if (!o || project_releases_load(db, project_id, &l) != STORE_OK)
		return STORE_OK;
	out->repo = 1;
	/* Since the release before this one in history order. The first release
	 * has the whole history below it: only what links to reports, groups and
	 * suggestions is listed there, the rest counted. */
	for (i = 0; i < l.n && strcmp(l.names[i], name) != 0; i++)
		;
	prev[0] = i > 0 && i < l.n ? l.tips[i - 1] : NULL;
	out->linked_only = prev[0] == NULL;
	if (repo_walk(&seen, o->repo, prev, prev[0] ? 1 : 0, &tip, 1, list_commit, &cw) < 0)
		out->failed = 1;
	repo_tips_free(&seen);
	project_releases_free(&l);
	return STORE_OK;
}

void gitwork_commit_list_free(gitwork_commit_list *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].summary);
		free(c->v[i].author);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}
