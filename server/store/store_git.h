/* store_git.h - the project's git history: commits, fix links, tips, releases, fix checks. */
#ifndef PROSUM_STORE_GIT_H
#define PROSUM_STORE_GIT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* ---- the project's git history (see gitwork.c for what is done with it) ---- */

/* Extra state a store thread keeps beside its connection (its open repositories).
 * free_fn(aux) runs when the connection closes. */
void store_db_set_aux(store_db *db, void *aux, void (*free_fn)(void *aux));
void *store_db_aux(store_db *db);
/* Changes with every transaction begun on this connection: what was read inside one
 * transaction may be remembered until this changes. */
uint64_t store_db_txn(store_db *db);

/* The repository path of a project; *path NULL when it has none. Caller frees *path. */
int store_project_repo(store_db *db, int64_t project_id, char **path);

/* A commit id and what prosum shows of it. */
typedef struct store_commit {
	const char *id;
	const char *author_name;
	const char *author_email;
	int64_t author_time;
	const char *summary;
} store_commit_info;

/* Remember a commit (details updated when given again). */
int store_commit_put(store_db *db, int64_t project_id, const store_commit_info *c);
int store_commit_set_release(store_db *db, int64_t project_id, const char *id,
			     const char *release);
/* Every remembered commit id, one call each (ids are valid during the call). */
int store_commits_each(store_db *db, int64_t project_id,
		       int (*fn)(void *ctx, const char *id), void *ctx);

/* The resolved commit and release of a stored report. */
int store_report_commit(store_db *db, int64_t project_id, int64_t num, char commit[41]);
/* Distinct build revisions still unresolved; fn is called with each. */
int store_unresolved_each(store_db *db, int64_t project_id,
			  int (*fn)(void *ctx, const char *revision), void *ctx);
/* The reports built from `revision` that are not resolved yet: fn with each number
 * (fn must not run statements). */
int store_unresolved_reports_each(store_db *db, int64_t project_id, const char *revision,
				  int (*fn)(void *ctx, int64_t num), void *ctx);
/* Set the commit of every report built from `revision`. */
int store_revision_resolved(store_db *db, int64_t project_id, const char *revision,
			    const char *commit_id);

/* For each group that `fix` fixes (status fixed, not merged), each distinct build
 * (resolved commit) of its reports, with the first report from that build. fn may
 * write; a negative return stops with STORE_ERROR. */
int store_fix_builds_each(store_db *db, int64_t project_id, const char *fix,
			  int (*fn)(void *ctx, int64_t group_num, const char *build,
				    int64_t report_num),
			  void *ctx);
/* A group's fixing commit ("" when none) and status. */
int store_group_fix(store_db *db, int64_t project_id, int64_t group_num, char fixed_by[41],
		    char status[32]);
/* Report `report_num` came from a build that contains the fix: the group has regressed
 * (recorded in its history with the report as the actor). */
int store_group_regressed(store_db *db, int64_t project_id, int64_t group_num,
			  int64_t report_num, int64_t now);

/* "Fixes R-12" and the like. Applied only to an item that exists now; one naming no
 * item is recorded apart (links_missing) and never applied to an item made later. */
int store_link_add(store_db *db, int64_t project_id, char type, int64_t num,
		   const char *commit_id, int implement);
/*
 * Apply fix links to the items they name that have no fixing commit yet:
 * record the commit, mark them fixed (from new, triaged or in_progress), note
 * it in their history as done by "git"; a fixed report fixes its group too.
 * `num` 0 applies every link; else only those naming R-num or G-num of `type`.
 */
int store_links_apply(store_db *db, int64_t project_id, char type, int64_t num, int64_t now);

/* Are there fix links naming R-num / G-num? 1 or 0, or STORE_ERROR. */
int store_links_pending(store_db *db, int64_t project_id, char type, int64_t num);

/* Scan tips: the history already walked. get fills a malloc'd array of ids (caller frees). */
int store_tips_get(store_db *db, int64_t project_id, char (**ids)[41], size_t *n);
int store_tips_set(store_db *db, int64_t project_id, const char (*ids)[41], size_t n);

/* Releases. */
int store_release_add(store_db *db, int64_t project_id, const char *name, const char *ref,
		      const char *commit_id, int64_t now);
/* Every release: names and tips, in history order (by position, then registration). Caller
 * frees both arrays with free() (each string inside is part of the same allocation). */
int store_releases(store_db *db, int64_t project_id, char ***names, char ***tips, size_t *n);
int store_release_set_position(store_db *db, int64_t project_id, const char *name, int pos);
/* One release with what it shipped and fixed (store_release_fns); every release with its
 * counts, newest position first (store_release_each). Declared with the suggestions below. */

/* A suspect commit for the line of a report's frame (the commit itself via store_commit_put). */
int store_suspect_add(store_db *db, int64_t project_id, int64_t report_num, const char *commit_id,
		      const char *path, int64_t line);

/* Record that report `num`'s build was checked against the fixing commit `fix`:
 * has_fix 1 it holds the commit, 0 it lacks it, -1 prosum could not tell (unknown
 * build). Only a report checked and found without its group's fix inherits the
 * group's "fixed" (store_int.h, REPORT_STATUS). */
int store_report_fix_check(store_db *db, int64_t project_id, int64_t num, const char *fix,
			   int has_fix);
/* Each (fixing commit, build, group; only group `group_num` unless 0) whose reports were not checked against their
 * group's fixing commit yet, or could not tell and are resolved now; build is ""
 * for an unresolved build, report_num the first such report, late 1 when they were
 * checked against this fix before, while the build was unknown. fn may write. */
int store_fix_unchecked_each(store_db *db, int64_t project_id, int64_t group_num,
			     int (*fn)(void *ctx, const char *fix, const char *build,
				       int64_t group_num, int64_t report_num, int late),
			     void *ctx);
/* The projects with a repository and a report of a fixed group not checked yet against
 * its group's fixing commit (what store_fix_unchecked_each() would list): *ids (owned, free()),
 * *n of them. One query for the whole store. */
int store_fix_unchecked_projects(store_db *db, int64_t **ids, size_t *n);
/* The verdict for every report of group `group_num` (still fixed by `fix`) from build
 * `build` ("" or NULL: unresolved); has_fix as for store_report_fix_check(). */
int store_fix_checked(store_db *db, int64_t project_id, int64_t group_num, const char *fix,
		      const char *build, int has_fix);

#endif
