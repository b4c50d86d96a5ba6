/* adminrules.h - what project names, settings and token labels may hold (commands and API). */
#ifndef PROSUM_ADMINRULES_H
#define PROSUM_ADMINRULES_H

#include <limits.h>
#include <stddef.h>

#define ADMINRULES_NAME_MAX 64         /* a project name */
#define ADMINRULES_LABEL_MAX 63        /* a token's label (store_token.name holds 64 bytes) */
#define ADMINRULES_VERSION_TAG_MAX 200 /* a version tag pattern */
#define ADMINRULES_COMMIT_URL_MAX 500  /* a commit URL pattern */

/* The rules in words, for error messages (the API's and prosumd's). */
#define ADMINRULES_NAME_RULE                                                                       \
	"a name of 1-64 characters a-z 0-9 - _ . starting with a letter or digit"
#define ADMINRULES_LABEL_RULE "1-63 printable characters, no leading or trailing space"
#define ADMINRULES_VERSION_TAG_RULE                                                                \
	"a git ref with {version} in it, such as 'v{version}' (at most 200 bytes, no spaces)"
#define ADMINRULES_COMMIT_URL_RULE                                                                 \
	"an http:// or https:// URL with {id} standing for the commit id, such as "                \
	"'https://example.org/commit/{id}' (at most 500 bytes, no spaces, quotes, parentheses, < " \
	"> ` or \\)"

/* Project names appear in URLs and DSNs: plain. 1 when `s` is one, else 0. */
int adminrules_name_ok(const char *s);
/* A token's label names a person or a machine in history and comments: printable, short. */
int adminrules_label_ok(const char *s);
/* A version tag pattern names a ref once "{version}" is replaced (the full check is made
 * on the ref, per report). */
int adminrules_version_tag_ok(const char *s);
/* A commit URL pattern: http(s), a host, {id} somewhere; nothing that could break out of a
 * Markdown link or an HTML attribute. */
int adminrules_commit_url_ok(const char *s);

/*
 * A repository path a project may be given: `path` must exist and open as a git
 * repository (libgit2, the path itself, no parent searched). Its absolute form goes to
 * `abs`. 0, or -1 with the reason in why ("... does not exist", "... is not a git
 * repository"). Touches the disk: never on an event-loop thread. In prosumd serve the
 * caller must have run repo_global_init().
 */
int adminrules_repo(const char *path, char abs[PATH_MAX], char *why, size_t whylen);

#endif
