/* blame.c - the commit that last changed a line, and the whole-file blames kept per handle. */
#include "git/git_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void repo_blame_cache_clear(repo_handle *r)
{
	for (size_t i = 0; i < REPO_BLAME_CACHE; i++) {
		git_blame_free(r->blame[i].blame);
		free(r->blame[i].path);
		memset(&r->blame[i], 0, sizeof(r->blame[i]));
	}
	r->blame_entries = 0;
}


/* ---- blame ---- */

/* Check a path from a report and copy it, without a leading "./", NUL-terminated into buf. */
static int check_path(repo_handle *r, char *buf, const char *path, size_t len)
{
	size_t start = 0;

	if (!path || len == 0)
		return fail(r, REPO_EINVAL, "path: empty");
	if (len > REPO_PATH_MAX)
		return fail(r, REPO_EINVAL, "path: longer than %d bytes", REPO_PATH_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c < ' ' || c == 0x7f)
			return fail(r, REPO_EINVAL, "path: control byte");
	}
	if (path[0] == '/')
		return fail(r, REPO_EINVAL, "path: absolute");
	while (len - start >= 2 && path[start] == '.' && path[start + 1] == '/')
		start += 2;
	/* Every component non-empty and neither "." nor "..". */
	for (size_t i = start; i <= len;) {
		size_t j = i;

		while (j < len && path[j] != '/')
			j++;
		if (j == i || (j - i == 1 && path[i] == '.') ||
		    (j - i == 2 && path[i] == '.' && path[i + 1] == '.'))
			return fail(r, REPO_EINVAL, "path: empty, '.' or '..' component");
		i = j + 1;
	}
	memcpy(buf, path + start, len - start);
	buf[len - start] = '\0';
	return REPO_OK;
}

/*
 * REPO_OK when `path` is a file in `commit`. Checked before blaming
 * because libgit2 1.5's git_blame_file leaks a commit reference when the
 * path is missing.
 */
static int check_file(repo_handle *r, const git_oid *commit, const char *path)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	int rc;

	rc = git_commit_lookup(&c, r->repo, commit);
	if (rc >= 0)
		rc = git_commit_tree(&tree, c);
	if (rc < 0) {
		rc = git_fail(r, rc, "blame");
		goto out;
	}
	rc = git_tree_entry_bypath(&entry, tree, path);
	if (rc < 0) {
		rc = git_fail(r, rc, path);
		goto out;
	}
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		rc = fail(r, REPO_ENOTFOUND, "%s is not a file", path);
		goto out;
	}
	rc = REPO_OK;
out:
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

/* The cached blame of (commit, path), or a new one put in the cache. */
static int blame_get(repo_handle *r, git_blame **out, const git_oid *commit, const char *path)
{
	git_blame_options opts;
	git_blame *blame = NULL;
	blame_entry *victim = NULL;
	char *copy = NULL;
	int rc;

	for (size_t i = 0; i < REPO_BLAME_CACHE; i++) {
		blame_entry *e = &r->blame[i];

		if (e->blame && git_oid_equal(&e->commit, commit) && strcmp(e->path, path) == 0) {
			e->used = ++r->clock;
			r->stats.blame_hits++;
			*out = e->blame;
			return REPO_OK;
		}
	}
	r->stats.blame_misses++;
	rc = check_file(r, commit, path);
	if (rc < 0)
		goto out;
	rc = git_blame_options_init(&opts, GIT_BLAME_OPTIONS_VERSION);
	if (rc < 0) {
		rc = git_fail(r, rc, "blame");
		goto out;
	}
	git_oid_cpy(&opts.newest_commit, commit);
	rc = git_blame_file(&blame, r->repo, path, &opts);
	if (rc < 0) {
		rc = git_fail(r, rc, path);
		goto out;
	}
	copy = strdup(path);
	if (!copy) {
		rc = fail(r, REPO_ENOMEM, "blame: out of memory");
		goto out;
	}
	for (size_t i = 0; i < REPO_BLAME_CACHE; i++) {
		blame_entry *e = &r->blame[i];

		if (!e->blame) {
			victim = e;
			break;
		}
		if (!victim || e->used < victim->used)
			victim = e;
	}
	if (victim->blame) {
		git_blame_free(victim->blame);
		free(victim->path);
	} else {
		r->blame_entries++;
	}
	git_oid_cpy(&victim->commit, commit);
	victim->path = copy;
	victim->blame = blame;
	victim->used = ++r->clock;
	*out = blame;
	copy = NULL;
	blame = NULL;
	rc = REPO_OK;
out:
	free(copy);
	git_blame_free(blame);
	return rc;
}

int repo_blame_line(repo_commit *out, repo_handle *repo, const char *commit_hex,
		       const char *path, size_t path_len, size_t line)
{
	char buf[REPO_PATH_MAX + 1];
	const git_blame_hunk *hunk;
	git_commit *c = NULL;
	git_blame *blame = NULL;
	git_oid commit;
	int rc;

	if (!out || !repo)
		return REPO_EINVAL;
	memset(out, 0, sizeof(*out));
	rc = repo_parse_full_hex(repo, &commit, commit_hex, "blame");
	if (rc < 0)
		goto out;
	rc = check_path(repo, buf, path, path_len);
	if (rc < 0)
		goto out;
	if (line == 0) {
		rc = fail(repo, REPO_EINVAL, "blame: lines count from 1");
		goto out;
	}
	rc = blame_get(repo, &blame, &commit, buf);
	if (rc < 0)
		goto out;
	hunk = git_blame_get_hunk_byline(blame, line);
	if (!hunk) {
		rc = fail(repo, REPO_ENOTFOUND, "%s has no line %zu", buf, line);
		goto out;
	}
	rc = git_commit_lookup(&c, repo->repo, &hunk->final_commit_id);
	if (rc < 0) {
		rc = git_fail(repo, rc, "blame");
		goto out;
	}
	repo_fill_commit(out, c);
	rc = REPO_OK;
out:
	git_commit_free(c);
	return rc;
}
