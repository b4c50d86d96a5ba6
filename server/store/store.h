/* store.h - SQLite storage: migrations, queries, and the writer and reader threads with group commit. */
#ifndef PROSUM_STORE_H
#define PROSUM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "perror.h"
#include "net/loop.h"

/* A validated report (model/report.h); store_report_insert() reads its fields. */
typedef struct report report;

/*
 * The store (server/store/store_*.c, private parts in store_int.h) is the only
 * code that speaks SQL. A store_db is one connection with
 * its prepared statements and is used by one thread at a time. The `store`
 * runs one writer thread (the only write connection) and a few reader
 * threads; I/O threads hand them jobs and get the outcome back as a task
 * posted to their loop, so they never wait on the disk.
 */
typedef struct store_db store_db;
typedef struct store store;

/* The store's names of the server's PE_* codes (perror.h), kept because every store file uses them. */
#define STORE_OK PE_OK
#define STORE_ERROR PE_ERROR         /* SQLite failed: the detail is in store_db_error() */
#define STORE_NOTFOUND PE_NOTFOUND
#define STORE_EXISTS PE_EXISTS
#define STORE_BUSY PE_BUSY           /* the queue is full: try again later */
#define STORE_STOPPED PE_STOPPED     /* the store is shutting down */
#define STORE_CONFLICT PE_CONFLICT   /* not allowed from the item's current state */
#define STORE_INVALID PE_INVAL       /* refers to something that cannot be (merge into itself, ...) */
#define STORE_FULL PE_FULL           /* the disk is full (or a write failed): nothing was stored */
#define STORE_FORBIDDEN PE_FORBIDDEN /* the item is someone else's */

#define STORE_READ 0
#define STORE_WRITE 1       /* create the file when missing and apply migrations */

/* Open a connection. 0 and *out (free with store_db_close()), or STORE_ERROR with err. */
int store_db_open(store_db **out, const char *path, int mode, char *err, size_t errlen);
void store_db_close(store_db *db);
const char *store_db_error(store_db *db);
/* The schema level, PRAGMA user_version. */
int store_schema_version(store_db *db);

int store_begin(store_db *db);  /* BEGIN IMMEDIATE on a write connection, BEGIN otherwise */
int store_commit(store_db *db);
void store_rollback(store_db *db);

/*
 * Write transactions. These calls change several rows that must change together, or
 * leave work for store_commit() (a new report's group counts and full-text row), so
 * they must run between store_begin() and store_commit() on a write connection: in
 * prosumd, inside a job on the writer thread (store_submit(), which opens a savepoint
 * per job); in the admin commands, around their own store_begin(). Each asserts it.
 *
 *   store_report_insert, store_attachments_add, store_report_patch, store_group_patch,
 *   store_report_reply_add, store_suggestion_add, store_suggestion_patch, store_vote,
 *   store_commit_put, store_commit_set_release, store_revision_resolved, store_link_add,
 *   store_links_apply, store_tips_set, store_release_add, store_release_set_position,
 *   store_suspect_add, store_report_fix_check, store_fix_checked, store_group_regressed
 *
 * The other writes (projects, keys, tokens, meta, settings) are single statements
 * and may also run on their own (autocommit).
 */

/* Small settings kept in the database. *out is malloc'd (caller frees). */
int store_meta_get(store_db *db, const char *key, char **out);
int store_meta_set(store_db *db, const char *key, const char *value);

/* Projects and their ingest keys. `repo` may be NULL. */
int store_project_add(store_db *db, const char *name, const char *repo, int64_t now, int64_t *id);
int store_project_find(store_db *db, const char *name, int64_t *id);
int store_key_add(store_db *db, int64_t project_id, const char *key, int64_t now);
/* Revoke an ingest key (builds that ship it can no longer submit). STORE_NOTFOUND when unknown. */
int store_key_revoke(store_db *db, const char *key, int64_t now);
/* Every ingest key of every project: fn(ctx, key, project, created, revoked or 0). */
int store_key_list(store_db *db,
		   void (*fn)(void *ctx, const char *key, const char *project, int64_t created,
			      int64_t revoked),
		   void *ctx);
/* The project an active ingest key belongs to; STORE_NOTFOUND when unknown or revoked. */
int store_key_project(store_db *db, const char *key, int64_t *project_id);

#define STORE_ROLE_DEVELOPER 1
#define STORE_ROLE_RELEASE 2
#define STORE_ROLE_ADMIN 3

typedef struct store_token {
	int64_t id;
	int role;           /* STORE_ROLE_* */
	int64_t project_id; /* 0: every project */
	char name[64];      /* the label given at creation, may be empty */
} store_token;

/* `hash` is the keyed hash of the token (auth.c); the token itself is never stored. */
int store_token_add(store_db *db, const uint8_t hash[32], int role, int64_t project_id,
		    const char *name, int64_t now, int64_t *id);
int store_token_find(store_db *db, const uint8_t hash[32], store_token *out);
/* Every token, one call of fn each: id, role, project name (NULL: all), label, created, revoked (0: active). */
int store_token_list(store_db *db,
		     void (*fn)(void *ctx, int64_t id, const char *role, const char *project,
				const char *name, int64_t created, int64_t revoked),
		     void *ctx);
/* Revoke token `id` at `now`. STORE_NOTFOUND when there is no such active token. */
int store_token_revoke(store_db *db, int64_t id, int64_t now);
const char *store_role_name(int role);
int store_role_parse(const char *name); /* STORE_ROLE_* or 0 */

/* Outcome of storing a report: its number, its group's number, whether it is new. */
typedef struct store_ingest {
	int64_t num;
	int64_t group_num;
	int created; /* 0: the uuid was already stored, nums are those of the stored report */
} store_ingest;

/* Store a validated report in its group (made when the fingerprint is new).
 * Idempotent on (project, uuid). Call inside a write transaction: the report's
 * full-text row is written by store_commit(), so r is borrowed until the
 * transaction commits or rolls back. */
int store_report_insert(store_db *db, int64_t project_id, const report *r, int64_t now,
			store_ingest *out);

/* A file that came with a report, already written under attachments/ by attach_store(). */
typedef struct store_attachment {
	const char *name;
	const char *content_type;
	const char *sha256;  /* 64 hex digits */
	int64_t size;
} store_attachment;

/* Record the files of report `num`. Call in the write transaction that stored the report. */
int store_attachments_add(store_db *db, int64_t project_id, int64_t num,
			  const store_attachment *a, size_t n);
/* The stored file of one attachment: hash, type and size. STORE_NOTFOUND when there is none. */
int store_attachment_find(store_db *db, int64_t project_id, int64_t num, const char *name,
			  char sha256[65], char type[128], int64_t *size);

typedef struct store_report_filter {
	const char *kind;      /* each NULL or 0: not filtered */
	const char *status;
	const char *revision;
	const char *version;
	const char *platform;  /* platform.os */
	const char *release;   /* reports whose resolved build belongs to this release */
	const char *tag_key;   /* with tag_value: reports carrying that tag */
	const char *tag_value;
	const char *q;         /* full-text query: ranked by relevance, cursor is an offset */
	int64_t group;
	int64_t since;         /* received_at >= since */
	int64_t until;         /* received_at < until */
	int oldest;            /* oldest first instead of newest first */
	int64_t cursor;        /* from a previous page's `next`; 0: the first page */
	int limit;
} store_report_filter;

/* Is `name` a registered release of the project? 1 yes, 0 no, or STORE_ERROR. */
int store_release_known(store_db *db, int64_t project_id, const char *name);

/* A change to a report or group. NULL fields are left as they are; "" clears a text. */
typedef struct store_patch {
	const char *status;
	const char *assignee;
	const char *fixed_by;
	const char *comment;
	int64_t merge_into;    /* groups only: G-n to merge into; 0: none */
} store_patch;

/*
 * Apply a patch, recording each change (and the comment) with `actor` in the
 * item's history. STORE_NOTFOUND, STORE_CONFLICT (a status change that is not
 * allowed) or STORE_INVALID (a bad merge) come with a reason in `why`.
 * Call inside a write transaction.
 */
int store_report_patch(store_db *db, int64_t project_id, int64_t num, const store_patch *p,
		       const char *actor, int64_t now, char *why, size_t whylen);
int store_group_patch(store_db *db, int64_t project_id, int64_t num, const store_patch *p,
		      const char *actor, int64_t now, char *why, size_t whylen);

#define STORE_GROUP_SORT_RECENT 0  /* last seen, newest first */
#define STORE_GROUP_SORT_OLDEST 1  /* first seen, oldest first */
#define STORE_GROUP_SORT_COUNT 2   /* most reports first */
#define STORE_GROUP_SORT_TESTERS 3 /* most testers first */
#define STORE_CURSOR_MAX 48

typedef struct store_group_filter {
	const char *status;
	const char *kind;
	const char *version;
	const char *platform;
	int64_t since;         /* last_seen >= since */
	int64_t until;         /* first_seen < until */
	int sort;              /* STORE_GROUP_SORT_* */
	int has_cursor;        /* cursor_key and cursor_num come from a previous `next` */
	int64_t cursor_key;
	int64_t cursor_num;
	int limit;
} store_group_filter;

/* ---- reports, groups, their comments, history and suspects, as the store returns them ----
 *
 * Strings are NULL when the column is empty (SQL NULL). A "detail" result owns its strings and
 * arrays in one arena (store_arena): free it with its _free(), which accepts NULL. Rows given to
 * a list callback are borrowed: valid during the call only. api/render_reports.c makes the
 * API's JSON of them.
 */
typedef struct store_arena_block store_arena_block;
typedef struct store_arena {
	store_arena_block *head;
	int failed; /* an allocation failed: the result is incomplete */
} store_arena;
/* Free every block; the arena is empty (and reusable) afterwards. NULL is fine. */
void store_arena_free(store_arena *a);

/* What a report was built from and, once resolved, its commit and the release holding it. */
typedef struct store_revision {
	const char *input;
	const char *commit;
	const char *release; /* NULL or "" when no release holds the commit yet */
} store_revision;

typedef struct store_comment {
	const char *author;
	const char *body;
	int64_t at;
	int from_tester; /* 1: a tester's reply, 0: the team's comment */
	int64_t id;      /* the comment's id (PATCH .../comments/{id}) */
	int hidden;      /* hidden by the team (store_board_comment_hide) */
} store_comment;

typedef struct store_history_entry {
	const char *actor;
	const char *field;
	const char *old_value;
	const char *new_value;
	int64_t at;
} store_history_entry;

/* The comments and the audit trail of one item, oldest first. */
typedef struct store_thread {
	store_comment *comments;
	size_t ncomments;
	store_history_entry *history;
	size_t nhistory;
} store_thread;

/* Comments and history of R-num, G-num or S-num (type 'R', 'G' or 'S'), allocated in `a`. */
int store_thread_load(store_db *db, int64_t project_id, char type, int64_t num, store_arena *a,
		      store_thread *out);

typedef struct store_suspect_frame {
	const char *function;
	const char *file;
	int64_t line;
} store_suspect_frame;

/* A commit suspected of a report's or a group's failure, with the frames it is blamed for. */
typedef struct store_suspect {
	const char *id;
	const char *author;
	const char *email;
	int64_t date;
	const char *summary;
	int64_t reports; /* a group's: how many of its reports blame it; -1 for a report's */
	store_suspect_frame *frames;
	size_t nframes;
} store_suspect;

typedef struct store_attachment_info {
	const char *name;
	int64_t size;
	const char *content_type;
	const char *sha256;
} store_attachment_info;

/* A report as lists show it. */
typedef struct store_report_row {
	int64_t num;
	int64_t group_num;
	const char *kind;
	const char *title;
	const char *status;
	int64_t received_at;
	store_revision revision;
	const char *version;
	const char *severity;
	const char *install_id;
	const char *assignee;
	const char *platform; /* platform.os */
} store_report_row;

/* One report: the document as sent (body, JSON text) and what the server knows of it. */
typedef struct store_report_detail {
	store_arena arena; /* owns everything below */
	int64_t num;
	int64_t group_num;
	const char *kind;
	const char *title;
	const char *status;
	int64_t received_at;
	store_revision revision; /* input: the revision, else the version */
	const char *body;
	size_t body_len;
	const char *assignee;
	const char *fixed_by;
	const char *fixed_in;
	store_attachment_info *attachments; /* by name */
	size_t nattachments;
	store_suspect *suspects;
	size_t nsuspects;
	store_thread thread;
} store_report_detail;

/* *out: a new detail (free with store_report_detail_free()); STORE_NOTFOUND when none. */
int store_report_load(store_db *db, int64_t project_id, int64_t num, store_report_detail **out);
void store_report_detail_free(store_report_detail *r);

/* A page of reports: fn per row (a non-zero return stops with STORE_ERROR), in page order;
 * *next the cursor of the next page or 0. Constant memory whatever the page size. */
int store_report_each(store_db *db, int64_t project_id, const store_report_filter *f,
		      int (*fn)(void *ctx, const store_report_row *row), void *ctx,
		      int64_t *next);

/* A group as lists show it. */
typedef struct store_group_row {
	int64_t num;
	const char *status;
	const char *kind;
	const char *title;
	int64_t count;
	int64_t testers;
	int64_t first_seen;
	int64_t last_seen;
	const char *first_revision;
	const char *last_revision;
	const char *assignee;
	const char *fixed_by;
	int64_t merged_into; /* G-n it was merged into; 0: none */
	const char *fixed_in;
} store_group_row;

/* A value of a group's facet (build version, platform) and how many reports have it. */
typedef struct store_facet {
	const char *value;
	int64_t count;
} store_facet;

typedef struct store_group_detail {
	store_arena arena; /* owns everything below */
	store_group_row group;
	store_suspect *suspects;
	size_t nsuspects;
	store_facet *versions; /* most reports first */
	size_t nversions;
	store_facet *platforms;
	size_t nplatforms;
	store_thread thread;
} store_group_detail;

int store_group_load(store_db *db, int64_t project_id, int64_t num, store_group_detail **out);
void store_group_detail_free(store_group_detail *g);

/* A page of groups (merged ones left out): fn per row as for store_report_each(). `next` is
 * "" on the last page, else a cursor "KEY.NUM" for the same filter and sort. */
int store_group_each(store_db *db, int64_t project_id, const store_group_filter *f,
		     int (*fn)(void *ctx, const store_group_row *row), void *ctx,
		     char next[STORE_CURSOR_MAX]);

/* The frames report `num` was sent with, as JSON text: *frames malloc'd (caller frees), NULL
 * when it has none. STORE_NOTFOUND when there is no such report. */
int store_report_frames_text(store_db *db, int64_t project_id, int64_t num, char **frames);

/* A reply of the tester who sent report `num` (install_id must be the report's, else
 * STORE_FORBIDDEN), shown to the team among the report's comments as written by the
 * tester's opted-in name, else "tester": `author` gets that name. Call inside a write
 * transaction. */
int store_report_reply_add(store_db *db, int64_t project_id, int64_t num,
			   const char *install_id, const char *body, int64_t now, char *author,
			   size_t authorlen);

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
/* The web address of a commit, with {id} for its id; *url NULL when none. Caller frees. */
int store_project_commit_url(store_db *db, int64_t project_id, char **url);
int store_project_set_commit_url(store_db *db, int64_t project_id, const char *url);
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
/* The git ref a build.version names when no release is named like it: a pattern with
 * {version}, such as "v{version}"; *pattern NULL when the project has none. Caller frees.
 * Setting NULL or "" removes it. */
int store_project_version_tag(store_db *db, int64_t project_id, char **pattern);
int store_project_set_version_tag(store_db *db, int64_t project_id, const char *pattern);

/* ---- projects, their keys and API tokens as the admin API shows and changes them ----
 * Rows are borrowed by the callback (valid during the call); a non-zero return stops the
 * read with STORE_ERROR. */
typedef struct store_project_row {
	int64_t id;
	const char *name;
	const char *repo;        /* NULL: none (the same for the two below) */
	const char *commit_url;
	const char *version_tag;
	int is_public;
	int64_t created_at;
	const char *key;         /* the newest active ingest key, for the DSN; NULL: none */
} store_project_row;
/* Every project by name: only `project_id` unless 0, only public ones when `public_only`. */
int store_project_each(store_db *db, int64_t project_id, int public_only,
		       int (*fn)(void *ctx, const store_project_row *row), void *ctx);
int store_project_set_public(store_db *db, int64_t project_id, int is_public);
/* NULL or "" removes the repository. The path is stored as given: check it first. */
int store_project_set_repo(store_db *db, int64_t project_id, const char *repo);

typedef struct store_key_row {
	const char *key;
	int64_t created_at;
	int64_t revoked_at; /* 0: active */
} store_key_row;
/* The project's ingest keys, oldest first. */
int store_project_keys_each(store_db *db, int64_t project_id,
			    int (*fn)(void *ctx, const store_key_row *row), void *ctx);
/* Revoke one of the project's keys: STORE_NOTFOUND when it is not the project's,
 * STORE_CONFLICT when it is revoked already. */
int store_project_key_revoke(store_db *db, int64_t project_id, const char *key, int64_t now);

typedef struct store_token_row {
	int64_t id;
	const char *role;
	int64_t project_id;  /* 0: every project */
	const char *project; /* its name; NULL: every project */
	const char *name;    /* the label; NULL: none */
	int64_t created_at;
	int64_t revoked_at;  /* 0: active */
} store_token_row;
/* Tokens by id: only those limited to `project_id` unless 0, only token `id` unless 0. The
 * hash is never read out. */
int store_token_each(store_db *db, int64_t project_id, int64_t id,
		     int (*fn)(void *ctx, const store_token_row *row), void *ctx);
/* Revoke token `id`, which must be limited to `project_id` unless that is 0: STORE_NOTFOUND
 * when there is no such token (for that project), STORE_CONFLICT when revoked already. */
int store_token_revoke_in(store_db *db, int64_t id, int64_t project_id, int64_t now);

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

/* ---- People, their one-time links and sessions (store_users.c) ---- */

#define STORE_USER_NAME_MAX 64
#define STORE_SALT_LEN 16

/* A person as stored. Strings are copies: valid as long as the struct. */
typedef struct store_user {
	int64_t id;
	char name[STORE_USER_NAME_MAX + 1];
	int role;                 /* STORE_ROLE_* */
	int64_t project_id;       /* 0: every project */
	char project[STORE_USER_NAME_MAX + 1]; /* its name, "" when unlimited */
	int disabled;
	int has_password;
	uint8_t salt[STORE_SALT_LEN];
	uint8_t hash[32];
	int iterations;
	int64_t created_at;
} store_user;

/* A new person with a one-time link (its keyed hash) valid until link_expires. STORE_EXISTS
 * when the name is taken. */
int store_user_add(store_db *db, const char *name, int role, int64_t project_id,
		   const uint8_t link_hash[32], int64_t link_expires, int64_t now, int64_t *id);
/* By name. STORE_NOTFOUND when there is none. */
int store_user_find(store_db *db, const char *name, store_user *out);
/* Everyone, by name: fn once each. */
int store_user_list(store_db *db, void (*fn)(void *ctx, const store_user *u), void *ctx);
/* A fresh one-time link for `name`; the previous one is void. STORE_NOTFOUND. */
int store_user_set_link(store_db *db, const char *name, const uint8_t link_hash[32],
			int64_t link_expires);
/* The enabled person whose link this is, still valid at `now`. STORE_NOTFOUND. */
int store_user_by_link(store_db *db, const uint8_t link_hash[32], int64_t now, store_user *out);
/* Set the password of the person whose valid link this is and void the link, in one
 * statement (a link works once, even raced). *user_id; STORE_NOTFOUND when the link is
 * unknown, used, replaced, expired or its person disabled. */
int store_user_set_password(store_db *db, const uint8_t link_hash[32], const uint8_t *salt,
			    const uint8_t hash[32], int iterations, int64_t now, int64_t *user_id);
/* Change a person: role (0 keeps it), project limit (-1 keeps it, 0 none), disabled (-1
 * keeps it). Disabling ends every session of the person. STORE_NOTFOUND. */
int store_user_patch(store_db *db, const char *name, int role, int64_t project_id,
		     int disabled, int64_t now);
/* May the enabled person `name` see project `project_id`? STORE_OK or STORE_NOTFOUND. */
int store_user_may_see(store_db *db, const char *name, int64_t project_id);
/* The enabled people who may see the project (who can be assigned), by name. */
int store_people(store_db *db, int64_t project_id,
		 void (*fn)(void *ctx, const char *name, const char *role), void *ctx);

/* A session, looked up by its keyed hash; a person's carries the person. */
#define STORE_INSTALL_MAX 128 /* an install id's bytes */
#define STORE_TESTER_NAME_MAX 128

typedef struct store_session {
	int64_t id;
	int64_t user_id; /* 0: a tester's session */
	store_user user; /* when user_id */
	/* A tester's session (user_id 0): its project (id and name), install and credit name ("" when
	 * none). */
	int64_t project_id;
	char project[STORE_USER_NAME_MAX + 1];
	char install_id[STORE_INSTALL_MAX + 1];
	char tester_name[STORE_TESTER_NAME_MAX + 1];
} store_session;

/* A new session of person user_id, ending at `expires` at the latest. */
int store_session_add(store_db *db, const uint8_t hash[32], int64_t user_id, int64_t now,
		      int64_t expires, int64_t *id);
/* The live session of `hash` at `now`: not ended, before its absolute end, seen within
 * `idle` seconds, its person enabled. On the writer its last use becomes now (at most once a
 * minute). STORE_NOTFOUND otherwise. */
int store_session_find(store_db *db, const uint8_t hash[32], int64_t now, int64_t idle,
		       store_session *out);
/* End session `id` (sign-out). */
int store_session_end(store_db *db, int64_t id, int64_t now);
/* End every live session of person user_id; *n how many. */
int store_sessions_end_user(store_db *db, int64_t user_id, int64_t now, int64_t *n);

/* ---- Testers' sign-in links to the board (store_board_links.c) ---- */

/* A new one-time link (its keyed hash) for `install_id` of project_id, valid until `expires`,
 * crediting `name` (NULL: none). Links that expired a day ago or more are deleted meanwhile. */
int store_board_link_add(store_db *db, const uint8_t hash[32], int64_t project_id,
			 const char *install_id, const char *name, int64_t now, int64_t expires);
/*
 * Use the link of `hash`, unused and valid at `now`: it is void from then on (a link works
 * once, even raced: on the writer), and a tester session (`session_hash`, ending at `expires`)
 * is made for its project and install. *out is that session. STORE_NOTFOUND when the link is
 * unknown, used or expired.
 */
int store_board_link_use(store_db *db, const uint8_t hash[32], const uint8_t session_hash[32],
			 int64_t now, int64_t expires, store_session *out);
/* End every live session of `install_id` on project_id (a tester signing out everywhere). */
int store_sessions_end_install(store_db *db, int64_t project_id, const char *install_id,
			       int64_t now, int64_t *n);

/* ---- what the web app's pages read (store_pages.c) ----
 *
 * Rows go to callbacks, borrowed for the call only; a callback returns 0 to go on, anything
 * else stops the read with STORE_ERROR. Every count comes from an index or an aggregate kept
 * at ingest (schema/0013), never from the reports' rows, so a page answers in milliseconds
 * whatever the project's size.
 */
#define STORE_OVERVIEW_NEW 0       /* first seen in the last 24 h, newest first */
#define STORE_OVERVIEW_REGRESSED 1 /* status regressed, last seen first */
#define STORE_OVERVIEW_RISING 2    /* more reports in the last 24 h than the 24 h before */
#define STORE_OVERVIEW_LIST_MAX 20 /* groups per list */
#define STORE_OVERVIEW_RELEASES 10 /* releases, newest first */

typedef struct store_overview_group {
	store_group_row group;
	int64_t hourly[24];   /* reports per hour of the 24 h before `now`, oldest first */
	int64_t last_24h;     /* rising only (else 0): reports in the last 24 h */
	int64_t previous_24h; /* and in the 24 h before */
} store_overview_group;

typedef struct store_overview_totals {
	int64_t reports;      /* every report of the project's groups */
	int64_t groups;       /* groups not merged into another */
	int64_t open_groups;  /* of them: new, triaged, in_progress or regressed */
	int64_t reports_24h;  /* reports received in the last 24 h */
	int64_t groups_24h;   /* groups they belong to */
} store_overview_totals;

typedef struct store_overview_fns {
	int (*group)(void *ctx, int list, const store_overview_group *g); /* STORE_OVERVIEW_* */
	int (*release)(void *ctx, const char *name, int64_t reports, int64_t groups);
	int (*totals)(void *ctx, const store_overview_totals *t);
} store_overview_fns;

/* The home page as of `now`: group() for each group of each list (new, regressed, rising, in
 * that order), release() for the newest releases with the reports (and their groups) of the
 * last 24 h whose build is in that release, totals() once. */
int store_overview(store_db *db, int64_t project_id, int64_t now, const store_overview_fns *fns,
		   void *ctx);

typedef struct store_group_stats_fns {
	/* Each UTC day of the window, oldest first, zeros included: its start and count. */
	int (*day)(void *ctx, int64_t day, int64_t count);
	/* Counts of every report of the group: facet "version", "platform" or "tag:KEY". */
	int (*facet)(void *ctx, const char *facet, const char *value, int64_t count);
	/* Reports per release of their build; name NULL: a build in no release, or unresolved. */
	int (*release)(void *ctx, const char *name, int64_t count);
} store_group_stats_fns;

/* Group G-num's counts: `days` UTC days up to the day of `now` (today included), then its
 * breakdowns, most reports first. STORE_NOTFOUND when there is no such group. */
int store_group_stats(store_db *db, int64_t project_id, int64_t num, int64_t now, int days,
		      const store_group_stats_fns *fns, void *ctx);

/*
 * A unit of work for the store threads. The submitter owns the job (usually
 * embedded in a larger struct) and sets: run, owner, task.fn, write. On a
 * store thread run(job, db) is called; for writes it runs inside a savepoint
 * of the batch's transaction and a non-zero return rolls back its changes
 * alone. Then task.fn runs on the owner's loop thread, with `result` = what
 * run returned, or STORE_ERROR when the batch's commit failed (its work is lost
 * and must be reported as a failure).
 */
typedef struct store_job store_job;
struct store_job {
	loop_task task;
	int (*run)(store_job *job, store_db *db);
	loop *owner;
	int write;
	int result;
	store_job *next;
};

/* Start the writer (opening the file, migrating) and `readers` reader threads. */
int store_start(store **out, const char *path, int readers, int queue_max, int batch_max,
		char *err, size_t errlen);
/* Queue a job. STORE_OK; STORE_BUSY when the write queue holds queue_max jobs;
 * STORE_STOPPED after store_stop() began. On failure the job is not run. */
int store_submit(store *st, store_job *job);
/*
 * Finish every queued job, then stop the threads and close the connections. The store
 * itself stays, so that tasks still to run on the I/O loops (a job's completion that
 * queues the next job of a chain) get STORE_STOPPED from store_submit() rather than freed
 * memory: free it with store_free() once the loops are drained. NULL is fine; a second
 * call does nothing.
 */
void store_stop(store *st);
/* Stop (if not yet) and free the store. NULL is fine. */
void store_free(store *st);

#endif
