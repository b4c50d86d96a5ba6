/* origin.h - a project repository's "origin" remote URL, read and set by the project command. */
#ifndef PROSUM_ORIGIN_H
#define PROSUM_ORIGIN_H

#include <stddef.h>

/*
 * The URL of remote "origin" of the repository at `path` (what a sync fetches) into out,
 * "" when it has none. 0, or -1 with err. repo_global_init() must have been called.
 */
int origin_get(const char *path, char *out, size_t outsz, char *err, size_t errlen);

/* Set remote "origin"'s URL (made when missing). 0, or -1 with err. */
int origin_set(const char *path, const char *url, char *err, size_t errlen);

/* Is url one a remote may have: 1 to 1000 printable ASCII characters, no space? 1 or 0. */
int origin_url_ok(const char *url);

#endif
