/* store_suggestions.h - suggestions and votes, releases' reads, the tester's view, the board. */
#ifndef PROSUM_STORE_SUGGESTIONS_H
#define PROSUM_STORE_SUGGESTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* ---- suggestions, releases, contributors and the tester's view: rows for callbacks ----
 *
 * These reads hand each row to a callback as a struct whose strings are borrowed from the
 * store: valid during the call only (copy what must outlive it). Nothing is allocated for
 * the caller, so there is nothing to free. A callback returns 0 to go on; any other value
 * stops the read, which then returns STORE_ERROR. Callbacks must not write.
 */

/* A suggestion as the team and the tester see it. */
typedef struct store_suggestion_row {
	int64_t num;
	const char *title;
	const char *status;
	int64_t votes;
	const char *shipped_in;  /* the release that shipped it; NULL: none */
	int64_t created_at;
	int64_t updated_at;
	int64_t duplicate_of;    /* S-n it is a duplicate of; 0: none */
	const char *body;        /* NULL: none */
	int mine;                /* store_mine only: this install sent it */
	int voted;               /* store_mine only: this install voted for it */
} store_suggestion_row;
typedef int (*store_row_fn_suggestion)(void *ctx, const store_suggestion_row *row);

/* One of the tester's own reports, as `mine` shows it. */
typedef struct store_mine_report {
	int64_t num;
	const char *title;
	const char *kind;
	const char *status;      /* as the tester's report has it (its own or its group's) */
	int64_t group_num;
	int64_t others;          /* other testers who hit it */
	const char *fixed_in;    /* the release of the fix, only when fixed; else NULL */
	int64_t received_at;
	int64_t updated_at;
} store_mine_report;

/* A comment shown to a tester: body and time, never who in the team wrote it. */
typedef struct store_thread_entry {
	const char *body;
	int64_t at;
	int from_tester;         /* 1: the tester's own reply */
	int64_t id;              /* the comment's id */
} store_thread_entry;

/*
 * store_mine calls, in this order: report() for each of the install's reports (newest
 * first) each followed by comment() for its thread (the team's comments on the report and
 * its group, and the tester's replies, in the order written); then suggestion() for each
 * suggestion it sent or voted for (newest first), each followed by comment() for the
 * team's comments on it. Any of them may be NULL.
 */
typedef struct store_mine_fns {
	int (*report)(void *ctx, const store_mine_report *r);
	store_row_fn_suggestion suggestion;
	int (*comment)(void *ctx, const store_thread_entry *c);
} store_mine_fns;

/* A release; the three counts are filled by store_release_each only. */
typedef struct store_release_row {
	const char *name;
	const char *ref;
	const char *commit;
	int64_t position;
	int64_t created_at;
	int64_t fixed_reports;
	int64_t fixed_groups;
	int64_t shipped_suggestions;
} store_release_row;

/* A report (type 'R') or group ('G') a release fixed; count and testers for groups only. */
typedef struct store_fixed_item {
	char type;
	int64_t num;
	const char *title;
	const char *fixed_by;
	int64_t count;
	int64_t testers;
} store_fixed_item;

/* A suggestion a release shipped, with the credit its author opted into (NULL: none). */
typedef struct store_shipped_row {
	int64_t num;
	const char *title;
	int64_t votes;
	const char *suggested_by;
} store_shipped_row;

/* A tester to thank: shipped suggestions (sent or voted for) and fixed reports. */
typedef struct store_contributor_row {
	const char *name;
	int64_t suggestions;
	int64_t fixed_reports;
} store_contributor_row;
typedef int (*store_row_fn_contributor)(void *ctx, const store_contributor_row *row);

/*
 * store_release_get calls, in this order: release() once; fixed() for each report it
 * fixed, then for each group; shipped() for each suggestion it shipped, most votes first,
 * each followed by credited() with the opted-in name of each voter; contributor() for
 * each tester to thank for it. Any of them may be NULL.
 */
typedef struct store_release_fns {
	int (*release)(void *ctx, const store_release_row *r);
	int (*fixed)(void *ctx, const store_fixed_item *it);
	int (*shipped)(void *ctx, const store_shipped_row *s);
	int (*credited)(void *ctx, const char *name);
	store_row_fn_contributor contributor;
} store_release_fns;

/* STORE_NOTFOUND when the project has no release `name`. */
int store_release_get(store_db *db, int64_t project_id, const char *name,
		      const store_release_fns *fns, void *ctx);
/* Every release with its counts: fn once each, newest position first. */
int store_release_each(store_db *db, int64_t project_id,
		       int (*fn)(void *ctx, const store_release_row *r), void *ctx);

/* ---- community suggestions ---- */

typedef struct store_suggestion {
	const char *uuid;
	const char *title;
	const char *body;        /* may be NULL */
	const char *install_id;
	const char *tester_name; /* NULL unless the tester opted in to credit */
} store_suggestion;

/* Store a suggestion (idempotent on uuid: *created 0 and the stored number); its
 * author's vote comes with it. */
int store_suggestion_add(store_db *db, int64_t project_id, const store_suggestion *in,
			 int64_t now, int64_t *num, int *created);
/* Add (add 1) or withdraw (add 0) the vote of one install; a vote on a duplicate lands on
 * its target. *votes (may be NULL) is the count afterwards. STORE_NOTFOUND: no such suggestion. */
int store_vote(store_db *db, int64_t project_id, int64_t num, const char *install_id,
	       const char *tester_name, int add, int64_t now, int64_t *votes);
/* *exists: 1 when the install has a vote on the suggestion (or on its target). STORE_NOTFOUND. */
int store_vote_exists(store_db *db, int64_t project_id, int64_t num, const char *install_id,
		      int *exists);

typedef struct store_suggestion_filter {
	const char *status;  /* NULL: all but duplicates */
	const char *q;       /* full-text */
	int newest;          /* newest first instead of most votes */
	int64_t offset;      /* cursor */
	int limit;
} store_suggestion_filter;

/* A page of suggestions: fn once per row in order; *next the offset of the next page or 0. */
int store_suggestion_list(store_db *db, int64_t project_id, const store_suggestion_filter *f,
			  store_row_fn_suggestion fn, void *ctx, int64_t *next);
/* One suggestion: fn once. STORE_NOTFOUND when there is none. Its comments and history come
 * from store_thread_load() ('S'). */
int store_suggestion_get(store_db *db, int64_t project_id, int64_t num,
			 store_row_fn_suggestion fn, void *ctx);

typedef struct store_suggestion_patch {
	const char *status;
	int64_t duplicate_of; /* S-n whose duplicate this is: votes and voters move there */
	const char *shipped_in; /* a release name, for a status set to shipped by hand */
	const char *comment;
} store_suggestion_change;

int store_suggestion_patch(store_db *db, int64_t project_id, int64_t num,
			   const store_suggestion_change *p, const char *actor, int64_t now,
			   char *why, size_t whylen);

/* A tester's own reports and suggestions (changed at or after `since`, 0: all): see
 * store_mine_fns. */
int store_mine(store_db *db, int64_t project_id, const char *install_id, int64_t since,
	       const store_mine_fns *fns, void *ctx);
/* Testers to thank across releases (opted-in names only): fn once each, most credited first. */
int store_contributors(store_db *db, int64_t project_id, store_row_fn_contributor fn, void *ctx);

/* ---- The community board: public reads and moderation (store_board.c) ----
 * Rows are borrowed by the callback (valid during the call); a non-zero return stops the
 * read with STORE_ERROR. `team` 1: hidden items are included (marked); 0: left out. */

/* The project `name` when it is public: STORE_OK and *id, else STORE_NOTFOUND. */
int store_board_public(store_db *db, const char *name, int64_t *id);

#define STORE_BOARD_VOTES 0    /* most votes first */
#define STORE_BOARD_TRENDING 1 /* most votes since `since` first */
#define STORE_BOARD_NEWEST 2   /* newest first */

typedef struct store_board_filter {
	const char *status; /* NULL: all but duplicates; "under_review" takes "new" too */
	const char *q;      /* full-text, as the suggestions list */
	int prefix;         /* q's last word, while it is typed, matches the start of words */
	int sort;           /* STORE_BOARD_*; pinned ones come first in every sort */
	int team;
	const char *install; /* a tester's install: its own hidden suggestions are included */
	int64_t since;      /* votes cast at or after it are votes_7d */
	int64_t offset;     /* cursor */
	int limit;
} store_board_filter;

typedef struct store_board_row {
	int64_t num;
	const char *title;
	const char *status;
	int64_t votes;
	int64_t votes_7d;
	const char *shipped_in;
	int64_t created_at;
	int pinned;
	int hidden;
	int64_t comments;     /* comments shown (team: all) */
	int64_t duplicate_of; /* 0: none */
	const char *body;     /* store_board_get only */
	const char *author;   /* store_board_get only: the credited name, NULL: none */
	int voted;            /* store_board_get with an install: it voted for it */
} store_board_row;

/* A page of the board: fn per row; *next the offset of the next page or 0. */
int store_board_list(store_db *db, int64_t project_id, const store_board_filter *f,
		     int (*fn)(void *ctx, const store_board_row *r), void *ctx, int64_t *next);
/* One suggestion of the board (install may be NULL: voted stays 0), then merged(ctx, S-n) for
 * each duplicate merged into it. STORE_NOTFOUND when none (or hidden and not `team`). */
int store_board_get(store_db *db, int64_t project_id, int64_t num, const store_board_filter *f,
		    const char *install, int (*fn)(void *ctx, const store_board_row *r),
		    int (*merged)(void *ctx, int64_t num), void *ctx);
/* Hide or show (hidden 0/1, -1 keeps), pin or unpin (pinned likewise) suggestion `num`, each
 * change in its history. STORE_NOTFOUND. Call inside a write transaction. */
int store_board_moderate(store_db *db, int64_t project_id, int64_t num, int hidden, int pinned,
			 const char *actor, int64_t now);

/* A comment as moderation shows it. */
typedef struct store_board_comment {
	int64_t id;
	char type;        /* 'R', 'G' or 'S': what it was written on */
	int64_t num;
	const char *author;
	const char *body;
	int64_t at;
	int from_tester;
	int hidden;
	const char *hidden_by;
	int64_t hidden_at;
} store_board_comment;
/* Hide (1) or show (0) comment `id` of the project, noted in its item's history as
 * "hidden_comment"; then fn with the comment. STORE_NOTFOUND. Write transaction. */
int store_board_comment_hide(store_db *db, int64_t project_id, int64_t id, int hidden,
			     const char *actor, int64_t now,
			     int (*fn)(void *ctx, const store_board_comment *c), void *ctx);
/* A comment on suggestion `num`: the team's (install_id NULL) or a tester's; *id the new
 * comment. STORE_NOTFOUND when there is no such suggestion (or it is hidden from a tester).
 * Write transaction. */
int store_board_comment_add(store_db *db, int64_t project_id, int64_t num, const char *author,
			    const char *install_id, const char *body, int64_t now, int64_t *id);

/* A credited name and what it contributed (opted-in contributions only). */
typedef struct store_fame_row {
	const char *name;
	int64_t reports_fixed;       /* reports sent under the name that a release fixed */
	int64_t suggestions_shipped; /* suggestions sent under the name that shipped */
	int64_t votes_shipped;       /* votes cast under the name on others' shipped suggestions */
} store_fame_row;
/* Credited names of `release` (NULL: every release), fn once each by name; *others the
 * installs that contributed without a credited name. STORE_NOTFOUND: no such release. */
int store_board_fame(store_db *db, int64_t project_id, const char *release, const char *name,
		     int (*fn)(void *ctx, const store_fame_row *r), void *ctx, int64_t *others);

/* store_board_shipped calls, per release newest first: release(), then suggestion() per
 * suggestion it shipped (most votes first), fixed() per group it fixed, credited() per
 * credited name (as store_board_fame) and others() once. */
typedef struct store_shipped_fns {
	int (*release)(void *ctx, const char *name, int64_t created_at);
	int (*suggestion)(void *ctx, int64_t num, const char *title, int64_t votes);
	int (*fixed)(void *ctx, int64_t group_num, const char *title, int64_t reports);
	int (*credited)(void *ctx, const char *name);
	int (*others)(void *ctx, int64_t others);
} store_shipped_fns;
int store_board_shipped(store_db *db, int64_t project_id, const store_shipped_fns *fns,
			void *ctx);

/* What was sent under credited name `name`: suggestion() per visible suggestion, fixed() per
 * report a release fixed (title and release). */
int store_board_profile(store_db *db, int64_t project_id, const char *name,
			int (*suggestion)(void *ctx, const store_board_row *r),
			int (*fixed)(void *ctx, const char *title, const char *release), void *ctx);

#endif
