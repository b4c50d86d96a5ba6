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

int origin_get(const char *path, char *out, size_t outsz, char *err, size_t errlen)
{
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	int rc = -1, g;

	out[0] = '\0';
	if (git_repository_open(&repo, path) < 0)
		return fail(path, err, errlen);
	g = git_remote_lookup(&remote, repo, "origin");
	if (g == GIT_ENOTFOUND) {
		git_error_clear();
		rc = 0;
	} else if (g < 0) {
		fail(path, err, errlen);
	} else {
		snprintf(out, outsz, "%s", git_remote_url(remote) ? git_remote_url(remote) : "");
		rc = 0;
	}
	git_remote_free(remote);
	git_repository_free(repo);
	return rc;
}

int origin_set(const char *path, const char *url, char *err, size_t errlen)
{
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	int rc = -1, g;

	if (git_repository_open(&repo, path) < 0)
		return fail(path, err, errlen);
	g = git_remote_lookup(&remote, repo, "origin");
	if (g == GIT_ENOTFOUND) {
		git_error_clear();
		g = git_remote_create(&remote, repo, "origin", url);
	} else if (g == 0) {
		g = git_remote_set_url(repo, "origin", url);
	}
	rc = g < 0 ? fail(path, err, errlen) : 0;
	git_remote_free(remote);
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
