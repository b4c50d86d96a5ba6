/* walk.c - walk the history made since known tips, newest first. */
#include "git/git_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int repo_oid_list_add(oid_list *l, const git_oid *oid)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		git_oid *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return REPO_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	git_oid_cpy(&l->v[l->n++], oid);
	return REPO_OK;
}

int repo_oid_cmp(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

void repo_oid_list_unique(oid_list *l)
{
	size_t k = 0;

	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(*l->v), repo_oid_cmp);
	for (size_t i = 1; i < l->n; i++) {
		if (!git_oid_equal(&l->v[i], &l->v[k]))
			git_oid_cpy(&l->v[++k], &l->v[i]);
	}
	l->n = k + 1;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The commits every branch, remote-tracking branch and tag points at. */
static int collect_all_tips(repo_handle *r, oid_list *tips)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	git_object *obj = NULL;
	int rc;

	rc = git_reference_iterator_new(&it, r->repo);
	if (rc < 0) {
		rc = git_fail(r, rc, "walk: listing refs");
		goto out;
	}
	while ((rc = git_reference_next(&ref, it)) == 0) {
		const char *name = git_reference_name(ref);

		if (starts_with(name, "refs/heads/") || starts_with(name, "refs/remotes/") ||
		    starts_with(name, "refs/tags/")) {
			/* A tag of a tree or blob, or a dangling symbolic ref, starts nothing. */
			if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0) {
				rc = repo_oid_list_add(tips, git_object_id(obj));
				if (rc < 0) {
					rc = fail(r, rc, "walk: out of memory");
					goto out;
				}
			} else {
				git_error_clear();
			}
			git_object_free(obj);
			obj = NULL;
		}
		git_reference_free(ref);
		ref = NULL;
	}
	if (rc != GIT_ITEROVER) {
		rc = git_fail(r, rc, "walk: listing refs");
		goto out;
	}
	rc = REPO_OK;
out:
	git_object_free(obj);
	git_reference_free(ref);
	git_reference_iterator_free(it);
	return rc;
}

static int collect_named_tips(repo_handle *r, oid_list *tips, const char *const *refs,
			      size_t nrefs)
{
	char buf[REPO_REV_MAX + 1];
	git_oid oid;
	int rc;

	for (size_t i = 0; i < nrefs; i++) {
		size_t len = refs[i] ? strnlen(refs[i], REPO_REV_MAX + 1) : 0;

		rc = repo_check_rev(r, refs[i], len);
		if (rc < 0)
			return rc;
		memcpy(buf, refs[i], len);
		buf[len] = '\0';
		rc = repo_lookup_spec(r, &oid, buf, len);
		if (rc < 0)
			return rc;
		rc = repo_oid_list_add(tips, &oid);
		if (rc < 0)
			return fail(r, rc, "walk: out of memory");
	}
	return REPO_OK;
}

void repo_tips_free(repo_tips *tips)
{
	if (!tips)
		return;
	free(tips->ids);
	tips->ids = NULL;
	tips->count = 0;
}

/* Hide what earlier walks saw; ids whose commits are gone are skipped. */
static int hide_seen(repo_handle *r, git_revwalk *walk, const char *const *seen, size_t nseen)
{
	git_odb *odb = NULL;
	git_oid oid;
	int rc;

	rc = git_repository_odb(&odb, r->repo);
	if (rc < 0) {
		rc = git_fail(r, rc, "walk");
		goto out;
	}
	for (size_t i = 0; i < nseen; i++) {
		rc = repo_parse_full_hex(r, &oid, seen[i], "walk: seen");
		if (rc < 0)
			goto out;
		if (!git_odb_exists(odb, &oid))
			continue;
		rc = git_revwalk_hide(walk, &oid);
		if (rc < 0) {
			rc = git_fail(r, rc, "walk: seen");
			goto out;
		}
	}
	rc = REPO_OK;
out:
	git_odb_free(odb);
	return rc;
}

static int walk_one(repo_handle *r, const git_oid *oid, repo_walk_cb cb, void *payload)
{
	char id[REPO_HEX_SIZE];
	repo_walk_commit wc;
	const git_signature *a;
	git_commit *c = NULL;
	const char *msg;
	int rc;

	rc = git_commit_lookup(&c, r->repo, oid);
	if (rc < 0) {
		rc = git_fail(r, rc, "walk");
		goto out;
	}
	git_oid_tostr(id, sizeof(id), oid);
	a = git_commit_author(c);
	msg = git_commit_message(c);
	if (!msg)
		msg = "";
	wc.id = id;
	wc.author_name = a->name;
	wc.author_email = a->email;
	wc.author_time = a->when.time;
	wc.commit_time = git_commit_time(c);
	wc.message = msg;
	wc.message_len = strlen(msg);
	repo_summary_of(msg, wc.message_len, &wc.summary, &wc.summary_len);
	wc.parents = git_commit_parentcount(c);
	if (cb(&wc, payload) != 0) {
		rc = fail(r, REPO_ESTOPPED, "walk: stopped at %s", id);
		goto out;
	}
	rc = REPO_OK;
out:
	git_commit_free(c);
	return rc;
}

int repo_walk(repo_tips *new_tips, repo_handle *repo, const char *const *seen, size_t nseen,
		 const char *const *refs, size_t nrefs, repo_walk_cb cb, void *payload)
{
	git_revwalk *walk = NULL;
	oid_list tips = {0};
	repo_tips result = {0};
	git_oid oid;
	int rc;

	if (!new_tips || !repo || !cb || (!seen && nseen > 0) || (refs && nrefs == 0))
		return REPO_EINVAL;
	new_tips->ids = NULL;
	new_tips->count = 0;
	rc = refs ? collect_named_tips(repo, &tips, refs, nrefs) : collect_all_tips(repo, &tips);
	if (rc < 0)
		goto out;
	repo_oid_list_unique(&tips);
	if (tips.n > 0) {
		rc = git_revwalk_new(&walk, repo->repo);
		if (rc < 0) {
			rc = git_fail(repo, rc, "walk");
			goto out;
		}
		rc = git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
		if (rc < 0) {
			rc = git_fail(repo, rc, "walk");
			goto out;
		}
		for (size_t i = 0; i < tips.n; i++) {
			rc = git_revwalk_push(walk, &tips.v[i]);
			if (rc < 0) {
				rc = git_fail(repo, rc, "walk");
				goto out;
			}
		}
		rc = hide_seen(repo, walk, seen, nseen);
		if (rc < 0)
			goto out;
		while ((rc = git_revwalk_next(&oid, walk)) == 0) {
			rc = walk_one(repo, &oid, cb, payload);
			if (rc < 0)
				goto out;
		}
		if (rc != GIT_ITEROVER) {
			rc = git_fail(repo, rc, "walk");
			goto out;
		}
		git_error_clear();
		result.ids = calloc(tips.n, sizeof(*result.ids));
		if (!result.ids) {
			rc = fail(repo, REPO_ENOMEM, "walk: out of memory");
			goto out;
		}
		for (size_t i = 0; i < tips.n; i++)
			git_oid_tostr(result.ids[i], REPO_HEX_SIZE, &tips.v[i]);
		result.count = tips.n;
	}
	*new_tips = result;
	result.ids = NULL;
	rc = REPO_OK;
out:
	repo_tips_free(&result);
	free(tips.v);
	git_revwalk_free(walk);
	return rc;
}

