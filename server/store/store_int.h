/* store_int.h - private interfaces of the store: callable only by other store routines. */
#ifndef PROSUM_STORE_INT_H
#define PROSUM_STORE_INT_H

#include <assert.h>
#include <sqlite3.h>
#include <stdint.h>

#include "common/buf.h"
#include "store/store.h"

/*
 * How the store speaks SQL: each statement is written where it is used, as a
 * string literal beside its only user, with bound parameters only: by number
 * (?1, ?2...), or by name (:p, :now) where a long statement uses a value in
 * several places and a name reads better:
 *
 *	sqlite3_stmt *s = st_stmt(db, "SELECT id FROM projects WHERE name = ?1");
 *
 * st_stmt() prepares it on the connection's first use and keeps it, keyed by
 * the address of the literal (no text comparison, no re-prepare): the
 * writer's per-report statements cost a hash probe per call. A statement
 * several functions share, or one passed as a parameter, is a static const
 * char array in the file that uses it (the address is the key all the same).
 * Reading a function then shows its SQL, and no table of statements far away
 * has to be kept in step with its users.
 *
 * Queries assembled at run time from fixed fragments (list filters) go through
 * st_shape(), which keys on the text and keeps the last STORE_SHAPE_CACHE
 * shapes; their values are bound by name (:p, :status...), since which
 * parameters a shape holds depends on the fragments chosen. No value is ever
 * written into SQL text.
 */
#define STORE_STMT_SLOTS 512 /* power of two, well above the store's statement count */
#define STORE_SHAPE_CACHE 32

/*
 * A report's status, the one rule every list, filter, export and the tester's
 * view use: the report's own once set on it (a PATCH of the report, a commit
 * that fixes it), else its group's. One exception keeps an answer from being
 * wrong: a group fixed by a commit gives "fixed" only to the reports whose
 * build prosum checked and found without that commit (fix_checked, has_fix:
 * schema/0010). A build that holds the fix, one prosum cannot identify, or one
 * not checked yet is not told it is fixed.
 */
#define REPORT_STATUS                                                                      \
	"(CASE WHEN r.status_own THEN r.status WHEN g.status = 'fixed' AND g.fixed_by IS NOT " \
	"NULL AND NOT (r.fix_checked IS g.fixed_by AND r.has_fix IS 0) THEN r.status "         \
	"ELSE g.status END)"

/* The first release (in history order) holding a commit that implements suggestion s. */
#define SHIPPED_BY_GIT                                                                      \
	"(SELECT rl.name FROM links l JOIN commits c ON c.project_id = l.project_id AND "   \
	"c.id = l.commit_id JOIN releases rl ON rl.project_id = c.project_id AND rl.name = " \
	"c.release WHERE l.project_id = s.project_id AND l.ref_type = 'S' AND l.ref_num = "  \
	"s.num AND l.kind = 'implement' ORDER BY rl.position LIMIT 1)"
#define SHIPPED_IN "coalesce(" SHIPPED_BY_GIT ", s.shipped_in)"

/*
 * Who is told of a tester-facing event: the one rule the news in the beta build
 * (store_news.c) and the testers' e-mail (store_mail_queue.c) both read, so that the two
 * channels never tell different people different things (docs/notifications.md, "Who is told
 * what"). For o, a row of outbox, rows (event, install, num, voter), one per item of an
 * install the event is about:
 *  - group.fixed_in_release: each report of the group that is "fixed" for its tester now
 *    (REPORT_STATUS: its build was checked and lacks the fix; a build that holds it, or one
 *    prosum cannot identify, is told nothing), by the event's commit (a fix that did not
 *    hold is no news); num the report;
 *  - suggestion.shipped: its author (voter 0) and each install that voted for it (voter 1);
 *    num the suggestion;
 *  - report.comment (the team's: testers' own replies are no events), while not hidden: on a
 *    report, that report's tester; on a group, the tester of each report in the group.
 * Only what existed when the event happened is told of it: a report sent, or a vote given,
 * after it is not (so a channel that reads an event late tells the same people as one that
 * read it at once). WHERE is a condition on o ("o.id = :e"); WHO follows an install column
 * to choose the installs (" = :i" one install, " IS NOT NULL" every one).
 */
#define EVENT_NUM(path) "CAST(substr(json_extract(o.data, '" path "'), 3) AS INTEGER)"
#define EVENT_COMMENT_SHOWN                                                                  \
	"NOT EXISTS (SELECT 1 FROM comments c WHERE c.id = json_extract(o.data, '$.comment.id') " \
	"AND c.hidden <> 0)"
#define EVENT_GROUP_REPORTS                                                                  \
	"FROM outbox o JOIN groups g ON g.project_id = o.project_id AND g.num = "            \
	EVENT_NUM("$.group") " JOIN reports r ON r.group_id = g.id "
#define EVENT_SUGGESTION                                                                     \
	"FROM outbox o JOIN suggestions s ON s.project_id = o.project_id AND s.num = "       \
	EVENT_NUM("$.suggestion") " "
#define EVENT_AUDIENCE(WHERE, WHO)                                                           \
	"SELECT o.id AS event, r.install_id AS install, r.num AS num, 0 AS voter "           \
	EVENT_GROUP_REPORTS "WHERE o.type = 'group.fixed_in_release' AND " WHERE " AND "     \
	"r.install_id" WHO " AND r.received_at <= o.created_at AND " REPORT_STATUS " = "     \
	"'fixed' AND g.fixed_by IS json_extract(o.data, '$.commit') "                        \
	"UNION ALL SELECT o.id, s.install_id, s.num, 0 " EVENT_SUGGESTION "WHERE o.type = "  \
	"'suggestion.shipped' AND " WHERE " AND s.install_id" WHO " "                         \
	"UNION ALL SELECT o.id, v.install_id, s.num, 1 " EVENT_SUGGESTION "JOIN votes v ON " \
	"v.suggestion_id = s.id WHERE o.type = 'suggestion.shipped' AND " WHERE " AND "      \
	"v.install_id" WHO " AND v.install_id IS NOT s.install_id AND v.created_at <= "      \
	"o.created_at "                                                                        \
	"UNION ALL SELECT o.id, r.install_id, r.num, 0 FROM outbox o JOIN reports r ON "     \
	"r.project_id = o.project_id AND r.num = " EVENT_NUM("$.report") " WHERE o.type = "  \
	"'report.comment' AND " WHERE " AND r.install_id" WHO " AND " EVENT_COMMENT_SHOWN " " \
	"UNION ALL SELECT o.id, r.install_id, r.num, 0 " EVENT_GROUP_REPORTS "WHERE o.type = " \
	"'report.comment' AND json_extract(o.data, '$.report') IS NULL AND " WHERE " AND "   \
	"r.install_id" WHO " AND r.received_at <= o.created_at AND " EVENT_COMMENT_SHOWN

struct store_db {
	sqlite3 *db;
	int write;
	int in_write_txn; /* inside store_begin() .. store_commit()/store_rollback() of a writer */
	int64_t audit_mark; /* the last audit row before this write transaction (store_events.h) */
	struct st_cached {
		const char *sql; /* the statement's text, a string literal: the key is its address */
		sqlite3_stmt *s;
	} stmts[STORE_STMT_SLOTS];
	sqlite3_stmt *shape[STORE_SHAPE_CACHE]; /* SQL assembled at run time, by its text */
	char *shape_sql[STORE_SHAPE_CACHE];
	unsigned shape_next;
	void *aux; /* the thread's open repositories (gitwork.c) */
	void (*aux_free)(void *aux);
	/*
	 * Answers that cannot change while this connection's transaction lasts
	 * (nobody else can write meanwhile), so a batch of reports for one project
	 * looks its key, project, repository and links up once, not once per report.
	 */
	uint64_t txn;
	struct memo {
		uint64_t txn;
		char key[129];
		int64_t id;
		int rc;
	} key_memo, project_memo;
	struct {
		uint64_t txn;
		int64_t project_id;
		int has_links;
	} links_memo;
	/*
	 * The reports stored in this transaction, whose group statistics and
	 * full-text rows are written at commit. FTS5 writes its pending terms out
	 * at every savepoint, and the writer opens one per job: rows added job by
	 * job would cost an index segment (and merges) per report instead of one
	 * per batch. A group that several reports of the batch join is updated
	 * once for all of them.
	 */
	struct fresh {
		int64_t rowid, group_id, now;
		size_t seq;      /* arrival in the transaction */
		const report *r; /* the caller's, valid until the transaction ends */
	} *fresh;
	size_t fresh_n, fresh_cap;
#ifdef PROSUM_OMIT_GROUPING
	struct {
		uint64_t txn;
		int64_t project_id, group_id, group_num;
	} one_group; /* the group every report of the project goes to */
#endif
};


/* The statement `sql` (a string literal, see above), reset and unbound; NULL when it cannot
 * be prepared (or the cache is full: a programming error, said on stderr). */
sqlite3_stmt *st_stmt(store_db *db, const char *sql);
/* The same for SQL assembled at run time from fixed fragments, cached by text. */
sqlite3_stmt *st_shape(store_db *db, const char *sql);

int st_exec(store_db *db, const char *sql);
void st_bind_text_or_null(sqlite3_stmt *s, int i, const char *v);
void st_bind_named_text(sqlite3_stmt *s, const char *name, const char *v);
void st_bind_named_int(sqlite3_stmt *s, const char *name, int64_t v);
const char *st_col_text(sqlite3_stmt *s, int i);
/* Run a statement that returns nothing; STORE_EXISTS on a uniqueness conflict. */
int st_step_done(sqlite3_stmt *s);
/* Run a statement that returns one integer; STORE_NOTFOUND when it returns no row. */
int st_step_int(sqlite3_stmt *s, int64_t *out);
/* Step s to its one row: STORE_OK with s on that row (the caller resets s), else s reset and
 * STORE_NOTFOUND when there is none or STORE_ERROR. */
int st_step_row(sqlite3_stmt *s);
/* The end of a loop over a page of s's rows that stopped with rc (SQLITE_DONE at the end,
 * SQLITE_ROW at the row after the page): s reset; STORE_OK then, else STORE_ERROR. */
int st_page_end(sqlite3_stmt *s, int rc);
/* What a person typed as an FTS5 query (search.h): 1, 0 when nothing searchable, or STORE_ERROR. */
int st_fts_query(store_db *db, const char *q, buf *out);
int st_fts_query_prefix(store_db *db, const char *q, int prefix, buf *out);

/* Is this the writer's connection inside a write transaction (store_begin .. commit)? The
 * functions store.h marks "write transaction" assert it. */
#define ST_IN_WRITE_TXN(db) ((db)->write && (db)->in_write_txn && !sqlite3_get_autocommit((db)->db))

/* store_ingest.c: the reports of this transaction, counted in their groups and indexed. */
int st_fresh_flush(store_db *db);

/* store_reports.c: allocation in a result's arena. Each returns NULL (and sets a->failed) when
 * out of memory; st_dup(a, NULL) is NULL. st_push adds a zeroed slot to a growing array. */
void *st_alloc(store_arena *a, size_t n);
const char *st_dup(store_arena *a, const char *s);
const char *st_col_dup(store_arena *a, sqlite3_stmt *s, int i);
void *st_push(store_arena *a, void *arrp, size_t *n, size_t *cap, size_t size);
/* st_grow makes room for slot n of a heap array (arrp: T **, realloc'd, owned by the caller),
 * doubling *cap from `first`; 0, or -1 out of memory with the array left as it was. */
int st_grow(void *arrp, size_t n, size_t *cap, size_t size, size_t first);

/* store_git.c: suspect commits of one report (of_report, key its number) or of one group
 * (key = group row id), allocated in `a`. */
int st_suspects_load(store_db *db, int of_report, int64_t project_id, int64_t key, store_arena *a,
		     store_suspect **out, size_t *n);

/* store_history.c: the audit trail and comments. */
int st_audit(store_db *db, int64_t project_id, const char *type, int64_t num, const char *actor,
	     const char *field, const char *old_value, const char *new_value, int64_t now);
int st_comment_add(store_db *db, int64_t project_id, const char *type, int64_t num,
		   const char *author, const char *body, int64_t now);
/* A comment on item type-num; install_id: the tester's install it came from, NULL for the
 * team's. Its id into *id when id is not NULL. */
int st_comment_insert(store_db *db, int64_t project_id, const char *type, int64_t num,
		      const char *author, const char *body, const char *install_id, int64_t now,
		      int64_t *id);


/* store_groups.c: the columns of a group as lists show it (14 of them, from "g", a row of
 * groups) and the row they make, borrowed from the statement. */
#define GROUP_COLUMNS                                                                       \
	"g.num, g.status, g.kind, g.title, g.count, g.testers, g.first_seen, g.last_seen, " \
	"g.first_revision, g.last_revision, g.assignee, g.fixed_by, "                       \
	"(SELECT m.num FROM groups m WHERE m.id = g.merged_into), "                          \
	"(SELECT c.release FROM commits c WHERE c.project_id = g.project_id "               \
	"AND c.id = g.fixed_by) "
void st_group_row(sqlite3_stmt *s, store_group_row *g);

/* store_writer.c: run one job of a batch in the writer's transaction, in a savepoint of its
 * own so that a refused job undoes only itself; sets job->result. Exposed for the storage
 * benchmark (scripts/bench.d/storage_limit.c), which runs the writer's batches without its
 * thread. */
void st_writer_job(store_db *db, store_job *job);

/* store_suggestions.c: suggestions whose implementing commit reached a release, shipped. */
int st_suggestions_ship(store_db *db, int64_t project_id, int64_t now);

/*
 * store_suggestions.c: the query the team's suggestion list and the public board share
 * (alias s for suggestions). The SQL fragments each end in a space ("" for none): the
 * projection, conditions after the project's ("AND ..."), the condition a status filter adds
 * (it reads :status), keys every order starts with, the order when not searching. The values
 * are bound by name where the fragments hold them. row reads the row at the statement's
 * current step and hands it on; non-zero stops.
 */
typedef struct st_suggestion_query {
	const char *columns, *where, *status_where, *first, *order;
	const char *q;       /* full text; NULL: all */
	int prefix;          /* q's last word, while it is typed, matches the start of words */
	const char *status;  /* NULL: all but duplicates */
	const char *install; /* :i */
	int64_t team, since; /* :team, :since */
	int64_t offset;      /* cursor */
	int limit;
	int (*row)(void *ctx, sqlite3_stmt *s);
} st_suggestion_query;
/* A page of rows: q->row per row in order; *next the offset of the next page or 0. */
int st_suggestion_page(store_db *db, int64_t project_id, const st_suggestion_query *q, void *ctx,
		       int64_t *next);
/* Suggestion `num` by `sql` (a string literal reading :p and :n, and the query's :team,
 * :since and :i where it holds them): q->row once. STORE_NOTFOUND when there is none. */
int st_suggestion_one(store_db *db, const char *sql, int64_t project_id, int64_t num,
		      const st_suggestion_query *q, void *ctx);

/* store_votes.c: set suggestion `id`'s vote count from its votes. */
int st_votes_recount(store_db *db, int64_t id);
/* store_votes.c: copy the voters of suggestion `from` to `into` (an install that voted for
 * both counts once); the caller recounts `into`. */
int st_votes_merge(store_db *db, int64_t from, int64_t into);

#endif
