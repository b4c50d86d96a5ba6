/* adminrules.c - what project names, settings and token labels may hold (commands and API). */
#include "model/adminrules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/repo.h"

int adminrules_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > ADMINRULES_NAME_MAX ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_' || s[i] == '.'))
			return 0;
	return 1;
}

int adminrules_label_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > ADMINRULES_LABEL_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return s[0] != ' ' && s[n - 1] != ' ';
}

int adminrules_version_tag_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > ADMINRULES_VERSION_TAG_MAX || !strstr(s, "{version}"))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	return 1;
}

int adminrules_commit_url_ok(const char *s)
{
	size_t i, n = strlen(s), skip, hostlen;
	const char *host;

	if (n == 0 || n > ADMINRULES_COMMIT_URL_MAX || !strstr(s, "{id}"))
		return 0;
	if (strncmp(s, "https://", 8) == 0)
		skip = 8;
	else if (strncmp(s, "http://", 7) == 0)
		skip = 7;
	else
		return 0;
	/* A host right after the scheme: not empty, no user part ("https://evil@host"). */
	host = s + skip;
	hostlen = strcspn(host, "/?#");
	if (hostlen == 0 || memchr(host, '@', hostlen))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= ' ' || ch == 0x7f || ch == '"' || ch == '\'' || ch == '<' || ch == '>' ||
		    ch == '`' || ch == '\\' || ch == '(' || ch == ')')
			return 0;
	}
	return 1;
}

int adminrules_repo(const char *path, char abs[PATH_MAX], char *why, size_t whylen)
{
	repo_handle *r = NULL;

	if (!realpath(path, abs)) {
		snprintf(why, whylen, "%s does not exist", path);
		return -1;
	}
	if (repo_open(&r, abs, NULL, 0) < 0) {
		snprintf(why, whylen, "%s is not a git repository", abs);
		return -1;
	}
	repo_close(r);
	return 0;
}
