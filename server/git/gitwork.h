/* gitwork.h - what prosum does with a project's repository: builds, fixes, releases, blame, sync. */
#ifndef PROSUM_GITWORK_H
#define PROSUM_GITWORK_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "git/repo.h"
#include "model/report.h"
#include "store/store.h"

/*
 * Every function runs on a store thread, with that thread's connection:
 * repositories are opened once per thread and project (libgit2 handles are
 * not shared between threads) and kept as the connection's aux state.
 * Projects without a repository make every function a successful no-op.
 *
 * Behind this header, sharing the private git/work_int.h: project.c (a thread's
 * open repositories, the release list and its index, registering a release, a
 * release's commits), build.c (a report's build, known fixes, fix checks),
 * blamejob.c (blaming a report's frames, the blame memo) and sync.c.
 */

/* What the ingest answer says of a report's build and group. */
typedef struct gitwork_ingest {
	char commit[41];     /* the build resolved (revision, else version); "" when it could not be */
	char release[128];   /* first release containing that commit; "" when none */
	int known;           /* the group is fixed by a commit this build lacks */
	char fixed_in[128];  /* with known: the release with the fix ("" when not released yet) */
	int regressed;       /* the build contains the fix: the group was marked regressed */
} gitwork_ingest;

/* Before store_report_insert(): resolve the build into r->commit ("" when it cannot be:
 * no repository, or a build it does not know yet). A build.revision is resolved as
 * repo_resolve() does; a report with only a build.version takes the commit of the
 * release named like the version, else of the ref the project's version tag pattern
 * ("v{version}") makes of it. */
int gitwork_resolve_build(store_db *db, int64_t project_id, report *r);

/* After store_report_insert(), in the same transaction. */
int gitwork_ingest_report(store_db *db, int64_t project_id, const report *r,
			  const store_ingest *in, int64_t now, gitwork_ingest *out);

/* Check the reports of groups fixed by a commit (of group `group_num` only, unless 0)
 * against that commit, when not done yet (the group's fixing commit set or changed, a
 * report's build resolved since): only a report whose build lacks the fix inherits the
 * group's "fixed". A report that came into the fixed group from a build unknown then
 * and found now to hold the fix marks the group regressed, counted in *regressed (may
 * be NULL). One containment check per distinct build. */
int gitwork_fix_checks(store_db *db, int64_t project_id, int64_t group_num, int64_t now,
		       int64_t *regressed);

/* Blame the top in-app frames (file and line) of report `num` at its commit and
 * record the suspect commits. Heavy: run it as a job of its own, after the commit.
 * The answer is remembered per (commit, frames) by the thread. */
int gitwork_blame_report(store_db *db, int64_t project_id, int64_t num, const json_t *frames);

/* Does any frame name an in-app file and line, what gitwork_blame_report() blames? */
int gitwork_blameable(const json_t *frames);

/* When this thread blamed the same frames at `commit` before (another report of the
 * same crash from the same build), record those suspects for report `num` now and set
 * *done; else *done is 0 and the report wants gitwork_blame_report(). */
int gitwork_blame_known(store_db *db, int64_t project_id, int64_t num, const char *commit,
			const json_t *frames, int *done);

/* A commit named by a person (PATCH fixed_by): a full or short hash, a tag, a
 * branch, HEAD, each with ~N / ^N steps (see repo_resolve_expr()), resolved
 * against the project's repository to its full id in `out`. STORE_INVALID,
 * with the reason in `why`, when the repository has no such commit. Without a
 * repository only a commit id (7 to 40 hex digits) is taken, as given. */
int gitwork_fixing_commit(store_db *db, int64_t project_id, const char *rev, char out[41],
			  char *why, size_t whylen);

/* Register a release at a ref and put every release in history order again.
 * STORE_INVALID (no repository, unknown ref) or STORE_EXISTS, with `why`. */
int gitwork_release_add(store_db *db, int64_t project_id, const char *name, const char *ref,
			int64_t now, char *why, size_t whylen);

typedef struct gitwork_sync_stats {
	int64_t commits;    /* new commits walked */
	int64_t links;      /* references found in their messages */
	int64_t resolved;   /* report revisions resolved at last */
	int64_t regressed;  /* groups a new fix was linked to that a report's build already held */
	int fetched;        /* the remote was fetched */
	int64_t *blame;     /* the reports resolved now, to blame later (gitwork_blame_report);
			     * the caller frees it, whatever gitwork_sync() returned */
	size_t nblame;
} gitwork_sync_stats;

/* Fetch the remote when there is one, walk the new commits, record their links,
 * resolve what was unresolved, apply the fixes. A group a new commit fixes that
 * already has a report from a build containing that commit has regressed (the fix
 * did not hold), as at ingest. STORE_INVALID without a repository. */
int gitwork_sync(store_db *db, int64_t project_id, int64_t now, gitwork_sync_stats *out,
		 char *why, size_t whylen);

/* One commit a release brought, as its notes list it. */
typedef struct gitwork_note_commit {
	char id[41];
	char *summary; /* first line of the message, trimmed, at most 511 bytes */
	char *author;  /* author name */
} gitwork_note_commit;

#define GITWORK_NOTES_COMMITS_MAX 500 /* commits listed; the rest are counted in `more` */

/* The commits since the release before `name` in history order, for its notes. */
typedef struct gitwork_commit_list {
	int repo;                /* 0: the project has no repository (nothing else is set) */
	int failed;              /* the history could not be read (v holds what was read) */
	int linked_only;         /* the first release: only commits linking to items are listed */
	gitwork_note_commit *v;  /* newest first, merges left out */
	size_t n;
	size_t more;             /* past GITWORK_NOTES_COMMITS_MAX, not listed */
	size_t others;           /* with linked_only: commits linking to nothing, not listed */
} gitwork_commit_list;

/* The commits of release `name`, whose tip is commit `tip`, into *out (all zero but `repo`
 * when the project has no repository); free with gitwork_commit_list_free(). The
 * rendering is the API's (api/notes.c). */
int gitwork_release_commits(store_db *db, int64_t project_id, const char *name, const char *tip,
			    gitwork_commit_list *out);
void gitwork_commit_list_free(gitwork_commit_list *c);

/* The source lines around line `line` of the file a frame names (`file`, a build path or one
 * relative to the repository: repo_source_lines() finds it by suffix) at commit `commit` (full
 * hex), `context` lines on each side, into *out (free with repo_source_free()). A project
 * without a repository, a commit or file the repository lacks: STORE_OK with out->path ""
 * and no lines. Never read from another commit. (sourcejob.c) */
int gitwork_source(store_db *db, int64_t project_id, const char *commit, const char *file,
		   int64_t line, int context, repo_source *out);

#endif
