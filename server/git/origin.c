/* origin.c - a project repository's "origin" remote URL, read and set by the project command. */
#include "git/origin.h"

#include <git2.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what, char *err, size_t errlen)
{
	const git_error *e = git_error_last();

	snprintf(err, errlen, "%s: %s", what, e && e->message ? e->message : "failed");
	git_error_clear();
	return -1;
}

/*
 * Only the config API is used: git_remote_lookup() and git_remote_set_url() go through
 * libgit2's regular expressions, whose pcre2 match data the sanitizers see leaking.
 */
int origin_get(const char *path, char *out, size_t outsz, char *err, size_t errlen)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	const char *url;
	int rc = -1, g;

	out[0] = '\0';
	if (git_repository_open(&repo, path) < 0)
		return fail(path, err, errlen);
	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		fail(path, err, errlen);
		goto out;
	}
	g = git_config_get_string(&url, cfg, "remote.origin.url");
	if (g == GIT_ENOTFOUND) {
		git_error_clear();
		rc = 0;
	} else if (g < 0) {
		fail(path, err, errlen);
	} else {
		snprintf(out, outsz, "%s", url);
		rc = 0;
	}
out:
	git_config_free(cfg);
	git_repository_free(repo);
	return rc;
}

int origin_set(const char *path, const char *url, char *err, size_t errlen)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	int rc = -1;

	if (git_repository_open(&repo, path) < 0)
		return fail(path, err, errlen);
	/* A remote with a URL alone fetches every branch (fetch.c's default refspec). */
	if (git_repository_config(&cfg, repo) < 0 ||
	    git_config_set_string(cfg, "remote.origin.url", url) < 0)
		fail(path, err, errlen);
	else
		rc = 0;
	git_config_free(cfg);
	git_repository_free(repo);
	return rc;
}

int origin_url_ok(const char *url)
{
	size_t i, n = url ? strlen(url) : 0;

	if (n == 0 || n > 1000 || url[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] <= ' ' || (unsigned char)url[i] >= 0x7f)
			return 0;
	return 1;
}
