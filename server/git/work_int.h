/* work_int.h - internals shared by the files behind git/gitwork.h: a project's open repository. */
#ifndef PROSUM_WORK_INT_H
#define PROSUM_WORK_INT_H

#include <stddef.h>
#include <stdint.h>

#include "git/gitwork.h"
#include "git/repo.h"

/*
 * Which release first contains each commit, for every commit below a release
 * tip: built in two walks of the history when the release list changes, then
 * a lookup per commit instead of containment walks (a second or more each at
 * 100,000 commits). A commit that is not in it is in no release: newer than
 * all of them, or unknown. Keyed by binary commit id, open addressing.
 */
typedef struct rel_index {
	uint64_t sig;            /* the release list it was built for; 0: none yet */
	size_t cap;              /* slots, a power of two */
	unsigned char (*ids)[20]; /* all zero: an empty slot */
	uint16_t *rel;           /* index into names */
	char **names;
	size_t nnames;
} rel_index;


typedef struct blame_answer blame_answer; /* blamejob.c */
typedef struct border_memo border_memo;   /* buildorder.c */

typedef struct rel_list rel_list;

typedef struct open_repo {
	int64_t project_id;
	char *path;
	repo_handle *repo;
	rel_index index;
	uint64_t rels_txn;   /* the transaction `rels` was read in; 0: not read */
	struct rel_list *rels;
	uint64_t put_txn;    /* the commit last remembered, in that transaction */
	char put[41];
	blame_answer *blamed; /* BLAME_MEMO of them, made on first use */
	size_t blamed_next;   /* round-robin eviction */
	uint64_t vtag_txn;    /* the transaction `vtag` was read in; 0: not read */
	char *vtag;           /* the project's version tag pattern; NULL: none */
	border_memo *border;  /* build orders answered lately (buildorder.c); NULL: none */
} open_repo;

/* The registered releases in history order; both arrays freed by project_releases_free(). */
struct rel_list {
	char **names;
	char **tips;
	size_t n;
	uint64_t sig;
};

/* Commit ids collected from the store or a walk. */
typedef struct idlist {
	char (*ids)[41];
	size_t n, cap;
} idlist;

/* The thread's open repository of a project; NULL when it has none or it cannot be opened. */
open_repo *project_repo(store_db *db, int64_t project_id);

void project_releases_free(rel_list *l);
int project_releases_load(store_db *db, int64_t project_id, rel_list *l);
/* The releases, read once per transaction (reports of one batch share them). Owned by o. */
const rel_list *project_releases_for(store_db *db, int64_t project_id, open_repo *o);
/* The first release (history order) containing `commit`; "" when none. */
int project_release_of(open_repo *o, const rel_list *l, const char *commit, char out[128]);
/* Remember a commit and the release it first shipped in. */
int project_put_commit(store_db *db, int64_t project_id, open_repo *o, const rel_list *l,
		       const store_commit_info *c);
/* Add a full commit id to an idlist (a store_commits_each() callback); others are skipped. */
int project_collect(void *ctx, const char *id);
/* Give remembered commits (all, or those in `only`) the first release that contains them. */
int project_reassign(store_db *db, int64_t project_id, open_repo *o, const rel_list *l,
		     idlist *only);

/* Free the blame answers an open repository remembers (blamejob.c). */
void blamejob_memo_free(open_repo *o);
/* Free the build orders it remembers (buildorder.c). */
void buildorder_memo_free(open_repo *o);

#endif
