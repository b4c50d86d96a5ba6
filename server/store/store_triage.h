/* store_triage.h - reports and groups: ingest, attachments, lists, patches, details, threads. */
#ifndef PROSUM_STORE_TRIAGE_H
#define PROSUM_STORE_TRIAGE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Outcome of storing a report: its number, its group's number, whether it is new. */
typedef struct store_ingest {
	int64_t num;
	int64_t group_num;
	int created; /* 0: the uuid was already stored, nums are those of the stored report */
} store_ingest;

/* Store a validated report in its group (made when the fingerprint is new).
 * Idempotent on (project, uuid). Call inside a write transaction: the report's
 * full-text row is written by store_commit(), so r is borrowed until the
 * transaction commits or rolls back. The report keeps r->cohort ("" none), which the caller
 * resolves (store_cohort_resolve()). */
int store_report_insert(store_db *db, int64_t project_id, const report *r, int64_t now,
			store_ingest *out);

/* The report with this uuid (lower case, dashed): its number, its group's and its status as
 * every answer shows it (docs/linking.md, "A report's status").
 * STORE_NOTFOUND when the project has none. */
int store_report_of_uuid(store_db *db, int64_t project_id, const char *uuid, store_ingest *out,
			 char status[32]);

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
	const char *cohort;    /* the cohort fixed at ingest ("": reports of none) */
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
	const char *cohort;   /* fixed at ingest; "" none */
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
	const char *cohort; /* fixed at ingest; "" none */
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

#endif
