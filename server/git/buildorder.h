/* buildorder.h - builds (revisions) in the order of the project's git history, for the health answer. */
#ifndef PROSUM_BUILDORDER_H
#define PROSUM_BUILDORDER_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * On a store thread: the builds revs[0, n) (a revision as a build names it: a full or short
 * commit id, a tag) resolved in the project's repository and ordered as releases are
 * (repo_order_releases(): an ancestor before its descendants, unrelated ones by commit
 * time), never by the order they were first seen. order[0, n) gets indexes into revs: the
 * *resolved resolved builds in history order, then the others in their input order. Without
 * a repository (or an unreadable history) order is the input's and *resolved 0. Walks the
 * history below the builds (about a second at 100,000 commits) once per set of builds: the
 * thread's open repository remembers the last few answers.
 */
int gitwork_order_builds(store_db *db, int64_t project_id, const char *const *revs, size_t n,
			 size_t *order, size_t *resolved);

/* The same, and commits[i] (when not NULL) the full id of the commit revs[i] names, "" when it
 * did not resolve: two builds made from one commit (a tag and a hash, say) are one point of
 * the history. */
int gitwork_order_builds_at(store_db *db, int64_t project_id, const char *const *revs, size_t n,
			    size_t *order, size_t *resolved, char (*commits)[41]);

#endif
