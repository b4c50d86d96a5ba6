/* fetch.c - fetch a repository's "origin" remote. */
#include "git/git_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The values of remote.origin.fetch, copied. */
typedef struct str_list {
	char **v;
	size_t n, cap;
} str_list;

static void str_list_free(str_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int str_list_add(str_list *l, const char *s)
{
	char *copy;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return REPO_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	copy = strdup(s);
	if (!copy)
		return REPO_ENOMEM;
	l->v[l->n++] = copy;
	return REPO_OK;
}

static int add_refspec(const git_config_entry *entry, void *payload)
{
	return str_list_add(payload, entry->value) < 0 ? GIT_EUSER : 0;
}

/*
 * The fetch is made with an in-memory remote built from remote.origin.url and
 * remote.origin.fetch rather than with git_remote_lookup("origin"): in
 * libgit2 1.5 the lookup (for url.*.insteadOf) and FETCH_HEAD (for branch
 * upstreams) match a regular expression against every configuration entry,
 * and each failed match leaks pcre2 memory (fixed upstream after 1.5).
 * Neither matters here: insteadOf rewriting is not applied and FETCH_HEAD
 * is not written.
 */
int repo_fetch(repo_handle *repo)
{
	git_remote_create_options copts;
	git_fetch_options opts;
	git_config *cfg = NULL;
	git_remote *remote = NULL;
	git_strarray specs;
	str_list list = {0};
	const char *url;
	int rc;

	if (!repo)
		return REPO_EINVAL;
	rc = git_repository_config_snapshot(&cfg, repo->repo);
	if (rc < 0)
		goto git_failed;
	rc = git_config_get_string(&url, cfg, "remote.origin.url");
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		rc = REPO_OK;
		goto out;
	}
	if (rc < 0)
		goto git_failed;
	rc = git_config_get_multivar_foreach(cfg, "remote.origin.fetch", NULL, add_refspec, &list);
	if (rc == GIT_EUSER) {
		rc = fail(repo, REPO_ENOMEM, "fetch origin: out of memory");
		goto out;
	}
	if (rc < 0 && rc != GIT_ENOTFOUND)
		goto git_failed;
	git_error_clear();
	if (list.n == 0 && str_list_add(&list, "+refs/heads/*:refs/remotes/origin/*") < 0) {
		rc = fail(repo, REPO_ENOMEM, "fetch origin: out of memory");
		goto out;
	}
	rc = git_remote_create_options_init(&copts, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	if (rc < 0)
		goto git_failed;
	copts.repository = repo->repo;
	copts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	rc = git_remote_create_with_opts(&remote, url, &copts);
	if (rc < 0)
		goto git_failed;
	rc = git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	if (rc < 0)
		goto git_failed;
	opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
	opts.update_fetchhead = 0;
	opts.prune = GIT_FETCH_NO_PRUNE;
	specs.strings = list.v;
	specs.count = list.n;
	rc = git_remote_fetch(remote, &specs, &opts, "prosum sync");
	if (rc < 0)
		goto git_failed;
	rc = REPO_OK;
	goto out;
git_failed:
	rc = git_fail(repo, rc, "fetch origin");
out:
	/* Even a failed fetch may have moved some refs. */
	repo_cache_clear(repo);
	git_remote_free(remote);
	git_config_free(cfg);
	str_list_free(&list);
	return rc;
}

