/* store.c - SQLite storage: migrations, queries, and the writer and reader threads with group commit. */
#include "store/store.h"

#include <assert.h>
#include <ctype.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "api/reply.h"
#include "store/schema.h"
#include "store/search.h"
#include "model/workflow.h"

/*
 * The one rule of a report's status: its group's, until one was set on the report
 * itself (status_own, schema/0008). Every query that shows or filters a report's
 * status uses this, with the report as r and its group as g.
 */
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

#define REPORT_COLUMNS                                                                     \
	"r.num, g.num, r.kind, r.title, " REPORT_STATUS ", r.received_at, r.revision, "    \
	"r.version, r.severity, r.install_id, r.assignee, r.os, r.commit_id, "             \
	"(SELECT c.release FROM commits c WHERE c.project_id = r.project_id "              \
	"AND c.id = r.commit_id) "

/* Does the item a link names (?2 type, ?3 number, in project ?1) exist? */
#define LINK_ITEM_EXISTS                                                                    \
	"(CASE ?2 WHEN 'R' THEN EXISTS (SELECT 1 FROM reports WHERE project_id = ?1 AND num = " \
	"?3) WHEN 'G' THEN EXISTS (SELECT 1 FROM groups WHERE project_id = ?1 AND num = ?3) " \
	"ELSE EXISTS (SELECT 1 FROM suggestions WHERE project_id = ?1 AND num = ?3) END)"

#define GROUP_COLUMNS                                                                       \
	"g.num, g.status, g.kind, g.title, g.count, g.testers, g.first_seen, g.last_seen, " \
	"g.first_revision, g.last_revision, g.assignee, g.fixed_by, "                       \
	"(SELECT m.num FROM groups m WHERE m.id = g.merged_into), "                          \
	"(SELECT c.release FROM commits c WHERE c.project_id = g.project_id "               \
	"AND c.id = g.fixed_by) "

/* The first release (in history order) holding a commit that implements suggestion s. */
#define SHIPPED_BY_GIT                                                                      \
	"(SELECT rl.name FROM links l JOIN commits c ON c.project_id = l.project_id AND "   \
	"c.id = l.commit_id JOIN releases rl ON rl.project_id = c.project_id AND rl.name = " \
	"c.release WHERE l.project_id = s.project_id AND l.ref_type = 'S' AND l.ref_num = "  \
	"s.num AND l.kind = 'implement' ORDER BY rl.position LIMIT 1)"
#define SHIPPED_IN "coalesce(" SHIPPED_BY_GIT ", s.shipped_in)"

/* The frame of report r that suspect s blames: same line, and s.path is the frame's file or
 * its tail (builds record absolute paths; gitwork.c strips leading directories). */
#define SUSPECT_FRAME                                                                       \
	"json_each(r.body, '$.frames') f WHERE json_extract(f.value, '$.line') = s.line AND "  \
	"(json_extract(f.value, '$.file') = s.path OR substr(json_extract(f.value, '$.file'), " \
	"-length(s.path) - 1) = '/' || s.path) ORDER BY f.key LIMIT 1"

/* Every statement, prepared once per connection on first use. */
enum {
	Q_META_GET,
	Q_META_SET,
	Q_PROJECT_ADD,
	Q_PROJECT_FIND,
	Q_KEY_ADD,
	Q_KEY_PROJECT,
	Q_TOKEN_ADD,
	Q_TOKEN_FIND,
	Q_TOKEN_LIST,
	Q_TOKEN_REVOKE,
	Q_REPORT_BY_UUID,
	Q_GROUP_BY_FP,
	Q_GROUP_BY_ID,
	Q_NEXT_GROUP,
	Q_GROUP_ADD,
	Q_NEXT_REPORT,
	Q_REPORT_ADD,
	Q_GROUP_TESTER,
	Q_GROUP_SEEN,
	Q_REPORT_GET,
	Q_FACET_SEEN,
	Q_TAG_ADD,
	Q_FTS_ADD,
	Q_COMMENTS,
	Q_AUDIT,
	Q_AUDIT_ADD,
	Q_COMMENT_ADD,
	Q_REPORT_CURRENT,
	Q_REPORT_SET_STATUS,
	Q_REPORT_SET_ASSIGNEE,
	Q_REPORT_SET_FIXED,
	Q_GROUP_CURRENT,
	Q_GROUP_SET_STATUS,
	Q_GROUP_SET_ASSIGNEE,
	Q_GROUP_SET_FIXED,
	Q_MERGE_TESTERS,
	Q_MERGE_FACETS,
	Q_MERGE_REPORTS,
	Q_MERGE_TOTALS,
	Q_MERGE_SOURCE,
	Q_GROUP_GET,
	Q_FACETS,
	Q_PROJECT_REPO,
	Q_COMMIT_PUT,
	Q_COMMIT_SET_RELEASE,
	Q_COMMITS_EACH,
	Q_REPORT_COMMIT,
	Q_UNRESOLVED,
	Q_REVISION_RESOLVED,
	Q_GROUP_FIX,
	Q_GROUP_REGRESSED,
	Q_LINK_ADD,
	Q_LINK_MISSING,
	Q_LINK_PENDING,
	Q_TIPS_GET,
	Q_TIPS_CLEAR,
	Q_TIPS_ADD,
	Q_RELEASE_ADD,
	Q_RELEASES,
	Q_RELEASE_POSITION,
	Q_RELEASE_GET,
	Q_RELEASE_FIXED_REPORTS,
	Q_RELEASE_FIXED_GROUPS,
	Q_RELEASE_LIST,
	Q_SUSPECT_ADD,
	Q_REPORT_SUSPECTS,
	Q_GROUP_SUSPECTS,
	Q_GROUP_SUSPECT_FRAMES,
	Q_ATTACH_ADD,
	Q_ATTACH_FIND,
	Q_ATTACH_LIST,
	Q_COUNT
};

static const char *const sql_text[Q_COUNT] = {
	[Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[Q_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2) "
		       "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[Q_PROJECT_ADD] = "INSERT INTO projects(name, repo, created_at) VALUES (?1, ?2, ?3)",
	[Q_PROJECT_FIND] = "SELECT id FROM projects WHERE name = ?1",
	[Q_KEY_ADD] = "INSERT INTO ingest_keys(key, project_id, created_at) VALUES (?1, ?2, ?3)",
	[Q_KEY_PROJECT] = "SELECT project_id FROM ingest_keys WHERE key = ?1 AND revoked_at IS NULL",
	[Q_TOKEN_ADD] = "INSERT INTO tokens(hash, role, project_id, name, created_at) "
			"VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_TOKEN_FIND] = "SELECT id, role, project_id, hash, name FROM tokens "
			 "WHERE hash = ?1 AND revoked_at IS NULL",
	[Q_TOKEN_LIST] = "SELECT t.id, t.role, p.name, t.name, t.created_at, t.revoked_at "
			 "FROM tokens t LEFT JOIN projects p ON p.id = t.project_id ORDER BY t.id",
	[Q_TOKEN_REVOKE] = "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
	[Q_REPORT_BY_UUID] = "SELECT r.num, g.num FROM reports r JOIN groups g ON g.id = r.group_id "
			     "WHERE r.project_id = ?1 AND r.uuid = ?2",
	[Q_GROUP_BY_FP] = "SELECT id, num, merged_into FROM groups "
			   "WHERE project_id = ?1 AND fingerprint = ?2",
	[Q_GROUP_BY_ID] = "SELECT num, merged_into FROM groups WHERE id = ?1",
	[Q_NEXT_GROUP] = "UPDATE projects SET next_group = next_group + 1 WHERE id = ?1 "
			 "RETURNING next_group - 1",
	[Q_GROUP_ADD] = "INSERT INTO groups(project_id, num, fingerprint, kind, title, first_seen, "
			"last_seen, first_revision, last_revision, updated_at) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?7, ?6)",
	[Q_NEXT_REPORT] = "UPDATE projects SET next_report = next_report + 1 WHERE id = ?1 "
			  "RETURNING next_report - 1",
	[Q_REPORT_ADD] = "INSERT INTO reports(project_id, num, uuid, group_id, kind, title, severity, "
			 "install_id, version, revision, received_at, body, os, arch, tester_name, "
			 "updated_at, commit_id) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?11, ?16)",
	[Q_GROUP_TESTER] = "INSERT OR IGNORE INTO group_testers(group_id, install_id) VALUES (?1, ?2)",
	[Q_GROUP_SEEN] = "UPDATE groups SET count = count + ?5, testers = testers + ?2, "
			 "last_seen = max(last_seen, ?3), "
			 "last_revision = coalesce(?4, last_revision) WHERE id = ?1",
	[Q_REPORT_GET] = "SELECT r.num, g.num, r.kind, r.title, " REPORT_STATUS ", r.received_at, "
			 "coalesce(r.revision, r.version), r.body, r.assignee, r.fixed_by, r.commit_id, "
			 "(SELECT c.release FROM commits c WHERE c.project_id = r.project_id "
			 " AND c.id = r.commit_id), "
			 "(SELECT c.release FROM commits c WHERE c.project_id = r.project_id "
			 " AND c.id = r.fixed_by) "
			 "FROM reports r JOIN groups g ON g.id = r.group_id "
			 "WHERE r.project_id = ?1 AND r.num = ?2",
	[Q_FACET_SEEN] = "INSERT INTO group_facets(group_id, facet, value, count) VALUES (?1, ?2, ?3, ?4) "
			 "ON CONFLICT DO UPDATE SET count = count + excluded.count",
	[Q_TAG_ADD] = "INSERT OR IGNORE INTO report_tags(project_id, key, value, report_id) "
		      "VALUES (?1, ?2, ?3, ?4)",
	[Q_FTS_ADD] = "INSERT INTO reports_fts(rowid, title, text, exception, functions) "
		      "VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_COMMENTS] = "SELECT author, body, created_at, install_id IS NOT NULL FROM comments "
		       "WHERE project_id = ?1 AND target_type = ?2 AND target_num = ?3 ORDER BY id",
	[Q_AUDIT] = "SELECT actor, field, old_value, new_value, at FROM audit "
		    "WHERE project_id = ?1 AND target_type = ?2 AND target_num = ?3 ORDER BY id",
	[Q_AUDIT_ADD] = "INSERT INTO audit(project_id, target_type, target_num, actor, field, "
			"old_value, new_value, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[Q_COMMENT_ADD] = "INSERT INTO comments(project_id, target_type, target_num, author, body, "
			  "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_REPORT_CURRENT] = "SELECT r.id, " REPORT_STATUS ", r.assignee, r.fixed_by, 0 "
			     "FROM reports r JOIN groups g ON g.id = r.group_id "
			     "WHERE r.project_id = ?1 AND r.num = ?2",
	[Q_REPORT_SET_STATUS] = "UPDATE reports SET status = ?2, status_own = 1 WHERE id = ?1",
	[Q_REPORT_SET_ASSIGNEE] = "UPDATE reports SET assignee = ?2 WHERE id = ?1",
	[Q_REPORT_SET_FIXED] = "UPDATE reports SET fixed_by = ?2 WHERE id = ?1",
	[Q_GROUP_CURRENT] = "SELECT id, status, assignee, fixed_by, merged_into FROM groups "
			    "WHERE project_id = ?1 AND num = ?2",
	[Q_GROUP_SET_STATUS] = "UPDATE groups SET status = ?2 WHERE id = ?1",
	[Q_GROUP_SET_ASSIGNEE] = "UPDATE groups SET assignee = ?2 WHERE id = ?1",
	[Q_GROUP_SET_FIXED] = "UPDATE groups SET fixed_by = ?2 WHERE id = ?1",
	/* A merge, in order; ?1 is the group merged away, ?2 the one it joins. */
	[Q_MERGE_TESTERS] = "INSERT OR IGNORE INTO group_testers(group_id, install_id) "
			    "SELECT ?2, install_id FROM group_testers WHERE group_id = ?1",
	[Q_MERGE_FACETS] = "INSERT INTO group_facets(group_id, facet, value, count) "
			   "SELECT ?2, facet, value, count FROM group_facets WHERE group_id = ?1 "
			   "ON CONFLICT DO UPDATE SET count = count + excluded.count",
	[Q_MERGE_REPORTS] = "UPDATE reports SET group_id = ?2 WHERE group_id = ?1",
	[Q_MERGE_TOTALS] = "UPDATE groups SET "
			   "count = count + (SELECT count FROM groups WHERE id = ?1), "
			   "testers = (SELECT count(*) FROM group_testers WHERE group_id = ?2), "
			   "first_seen = min(first_seen, (SELECT first_seen FROM groups WHERE id = ?1)), "
			   "last_seen = max(last_seen, (SELECT last_seen FROM groups WHERE id = ?1)) "
			   "WHERE id = ?2",
	[Q_MERGE_SOURCE] = "UPDATE groups SET merged_into = ?2, status = 'duplicate', count = 0, "
			   "testers = 0 WHERE id = ?1",
	[Q_GROUP_GET] = "SELECT " GROUP_COLUMNS ", g.id FROM groups g "
			"WHERE g.project_id = ?1 AND g.num = ?2",
	[Q_PROJECT_REPO] = "SELECT repo FROM projects WHERE id = ?1",
	[Q_COMMIT_PUT] = "INSERT INTO commits(project_id, id, author_name, author_email, author_time, "
			 "summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO UPDATE SET "
			 "author_name = coalesce(excluded.author_name, author_name), "
			 "author_email = coalesce(excluded.author_email, author_email), "
			 "author_time = coalesce(excluded.author_time, author_time), "
			 "summary = coalesce(excluded.summary, summary)",
	[Q_COMMIT_SET_RELEASE] = "UPDATE commits SET release = ?3 WHERE project_id = ?1 AND id = ?2",
	[Q_COMMITS_EACH] = "SELECT id FROM commits WHERE project_id = ?1",
	[Q_REPORT_COMMIT] = "SELECT coalesce(commit_id, '') FROM reports WHERE project_id = ?1 AND num = ?2",
	[Q_UNRESOLVED] = "SELECT DISTINCT revision FROM reports "
			 "WHERE project_id = ?1 AND commit_id IS NULL AND revision IS NOT NULL",
	[Q_REVISION_RESOLVED] = "UPDATE reports SET commit_id = ?3 WHERE project_id = ?1 "
				"AND revision = ?2 AND commit_id IS NULL",
	[Q_GROUP_FIX] = "SELECT coalesce(fixed_by, ''), status FROM groups "
			"WHERE project_id = ?1 AND num = ?2",
	[Q_GROUP_REGRESSED] = "UPDATE groups SET status = 'regressed' WHERE project_id = ?1 "
			      "AND num = ?2 AND status <> 'regressed'",
	/* A link names an item that exists when the commit is read; one naming no item is
	 * recorded apart (links_missing) and never applied to an item made later. */
	[Q_LINK_ADD] = "INSERT OR IGNORE INTO links(project_id, ref_type, ref_num, commit_id, kind) "
		       "SELECT ?1, ?2, ?3, ?4, ?5 WHERE " LINK_ITEM_EXISTS,
	[Q_LINK_MISSING] = "INSERT OR IGNORE INTO links_missing(project_id, ref_type, ref_num, "
			   "commit_id, kind) SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT " LINK_ITEM_EXISTS,
	[Q_LINK_PENDING] = "SELECT count(*) FROM links WHERE project_id = ?1 AND ref_type = ?2 "
			   "AND ref_num = ?3 AND kind = 'fix'",
	[Q_TIPS_GET] = "SELECT id FROM scan_tips WHERE project_id = ?1",
	[Q_TIPS_CLEAR] = "DELETE FROM scan_tips WHERE project_id = ?1",
	[Q_TIPS_ADD] = "INSERT OR IGNORE INTO scan_tips(project_id, id) VALUES (?1, ?2)",
	[Q_RELEASE_ADD] = "INSERT INTO releases(project_id, name, ref, commit_id, position, created_at) "
			  "VALUES (?1, ?2, ?3, ?4, (SELECT count(*) FROM releases WHERE project_id = ?1), ?5)",
	[Q_RELEASES] = "SELECT name, commit_id FROM releases WHERE project_id = ?1 "
		       "ORDER BY position, created_at, name",
	[Q_RELEASE_POSITION] = "UPDATE releases SET position = ?3 WHERE project_id = ?1 AND name = ?2",
	[Q_RELEASE_GET] = "SELECT name, ref, commit_id, position, created_at FROM releases "
			  "WHERE project_id = ?1 AND name = ?2",
	/* Driven from the release's commits (CROSS JOIN keeps that order): never a scan of reports. */
	/* Only what is fixed (the report's status by the one rule) counts as fixed by a release. */
	[Q_RELEASE_FIXED_REPORTS] = "SELECT r.num, r.title, r.fixed_by FROM commits c CROSS JOIN reports r "
				    "ON r.project_id = c.project_id AND r.fixed_by = c.id "
				    "JOIN groups g ON g.id = r.group_id "
				    "WHERE c.project_id = ?1 AND c.release = ?2 AND " REPORT_STATUS
				    " = 'fixed' ORDER BY r.num",
	[Q_RELEASE_FIXED_GROUPS] = "SELECT g.num, g.title, g.fixed_by, g.count, g.testers FROM commits c "
				   "CROSS JOIN groups g ON g.project_id = c.project_id AND g.fixed_by = c.id "
				   "WHERE c.project_id = ?1 AND c.release = ?2 AND g.merged_into IS NULL "
				   "AND g.status = 'fixed' ORDER BY g.num",
	[Q_RELEASE_LIST] = "SELECT r.name, r.ref, r.commit_id, r.position, r.created_at, "
			   "(SELECT count(*) FROM commits c CROSS JOIN reports x ON x.project_id = "
			   " c.project_id AND x.fixed_by = c.id JOIN groups y ON y.id = x.group_id "
			   " WHERE c.project_id = r.project_id AND c.release = r.name AND (CASE WHEN "
			   " x.status_own THEN x.status WHEN y.status = 'fixed' AND NOT (x.fix_checked "
			   " IS y.fixed_by AND x.has_fix IS 0) THEN x.status ELSE y.status END) = "
			   " 'fixed'), "
			   "(SELECT count(*) FROM commits c CROSS JOIN groups x ON x.project_id = "
			   " c.project_id AND x.fixed_by = c.id WHERE c.project_id = r.project_id AND "
			   " c.release = r.name AND x.merged_into IS NULL AND x.status = 'fixed'), "
			   "(SELECT count(*) FROM suggestions s WHERE s.project_id = r.project_id AND "
			   " s.duplicate_of IS NULL AND " SHIPPED_IN " = r.name) "
			   "FROM releases r WHERE r.project_id = ?1 ORDER BY r.position DESC, r.created_at DESC",
	[Q_SUSPECT_ADD] = "INSERT OR REPLACE INTO suspects(report_id, commit_id, path, line) "
			  "SELECT id, ?3, ?4, ?5 FROM reports WHERE project_id = ?1 AND num = ?2",
	/* One row per frame blamed; a commit's rows together, the commit of the innermost frame first. */
	[Q_REPORT_SUSPECTS] = "SELECT id, author_name, author_email, author_time, summary, path, line, "
			      "fn FROM (SELECT c.id, c.author_name, c.author_email, c.author_time, "
			      "c.summary, s.path, s.line, coalesce((SELECT f.key FROM " SUSPECT_FRAME
			      "), 1000000) AS pos, (SELECT json_extract(f.value, '$.function') FROM "
			      SUSPECT_FRAME ") AS fn FROM suspects s JOIN reports r ON r.id = "
			      "s.report_id JOIN commits c ON c.project_id = r.project_id AND c.id = "
			      "s.commit_id WHERE r.project_id = ?1 AND r.num = ?2) "
			      "ORDER BY min(pos) OVER (PARTITION BY id), id, pos, path, line",
	/* A group's suspect commits by how many of its reports (not frames) blame each. */
	[Q_GROUP_SUSPECTS] = "SELECT c.id, c.author_name, c.author_email, c.author_time, c.summary, "
			     "count(DISTINCT s.report_id) AS n FROM suspects s JOIN reports r ON "
			     "r.id = s.report_id JOIN commits c ON c.project_id = r.project_id AND "
			     "c.id = s.commit_id WHERE r.group_id = ?1 GROUP BY c.id "
			     "ORDER BY n DESC, c.author_time DESC LIMIT 10",
	/* The lines of a group's reports one suspect commit is blamed for, each once. */
	[Q_GROUP_SUSPECT_FRAMES] = "SELECT s.path, s.line, (SELECT json_extract(f.value, '$.function') "
				   "FROM " SUSPECT_FRAME ") FROM suspects s JOIN reports r ON r.id = "
				   "s.report_id WHERE s.commit_id = ?2 AND r.group_id = ?1 "
				   "GROUP BY s.path, s.line ORDER BY count(*) DESC, s.path, s.line "
				   "LIMIT 10",
	[Q_ATTACH_ADD] = "INSERT INTO attachments(report_id, name, size, content_type, sha256) "
			 "SELECT id, ?3, ?4, ?5, ?6 FROM reports WHERE project_id = ?1 AND num = ?2",
	[Q_ATTACH_FIND] = "SELECT a.sha256, a.content_type, a.size FROM attachments a "
			  "JOIN reports r ON r.id = a.report_id "
			  "WHERE r.project_id = ?1 AND r.num = ?2 AND a.name = ?3",
	[Q_ATTACH_LIST] = "SELECT a.name, a.size, a.content_type, a.sha256 FROM attachments a "
			  "JOIN reports r ON r.id = a.report_id "
			  "WHERE r.project_id = ?1 AND r.num = ?2 ORDER BY a.name",
	[Q_FACETS] = "SELECT facet, value, count FROM group_facets WHERE group_id = ?1 "
		     "ORDER BY count DESC, value LIMIT 100",
};

#define STORE_DYN_CACHE 32
#define STORE_SEARCH_WINDOW "1000" /* newest full-text matches (per kind of hit) searched */

struct store_db {
	sqlite3 *db;
	int write;
	sqlite3_stmt *stmt[Q_COUNT];
	sqlite3_stmt *dyn[STORE_DYN_CACHE]; /* list queries, by shape */
	char *dyn_sql[STORE_DYN_CACHE];
	unsigned dyn_next;
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

static sqlite3_stmt *dyn_stmt(store_db *db, const char *sql);
static int step_int(sqlite3_stmt *s, int64_t *out);
static int suggestions_ship(store_db *db, int64_t project_id, int64_t now);
static void bind_named_text(sqlite3_stmt *s, const char *name, const char *v);
static void bind_named_int(sqlite3_stmt *s, const char *name, int64_t v);

struct store {
	pthread_mutex_t lock;
	pthread_cond_t wcond; /* jobs for the writer */
	pthread_cond_t rcond; /* jobs for the readers */
	store_job *wq_head, *wq_tail;
	store_job *rq_head, *rq_tail;
	int wq_len, wq_max, batch_max;
	int stopping;
	pthread_t writer;
	/*
	 * Checkpoints copy the WAL back into the database file and fsync it: a
	 * thread of their own does them, with its own connection, so the writer
	 * never stops for one (SQLite's automatic checkpoint would run inside the
	 * commit of whichever batch crossed the threshold).
	 */
	pthread_t checkpointer;
	pthread_cond_t ccond;
	int checkpoint_due;
	store_db *cdb;
	pthread_t *readers;
	int nreaders;
	store_db *wdb;
	store_db **rdbs;
};

/* A statement ready for binding, or NULL when it cannot be prepared. */
static sqlite3_stmt *stmt(store_db *db, int q)
{
	sqlite3_stmt *s = db->stmt[q];

	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if (sqlite3_prepare_v3(db->db, sql_text[q], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "prosumd: cannot prepare statement %d: %s\n", q,
			sqlite3_errmsg(db->db));
		return NULL;
	}
	db->stmt[q] = s;
	return s;
}

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static int exec(store_db *db, const char *sql)
{
	return sqlite3_exec(db->db, sql, NULL, NULL, NULL) == SQLITE_OK ? STORE_OK : STORE_ERROR;
}

const char *store_db_error(store_db *db)
{
	return db ? sqlite3_errmsg(db->db) : "no database";
}

int store_schema_version(store_db *db)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Bring the schema up to date in one transaction: all migrations or none. */
static int migrate(store_db *db, char *err, size_t errlen)
{
	int have, i, n;
	char pragma[64];

	for (n = 0; schema_migrations[n].sql; n++)
		;
	if (exec(db, "BEGIN IMMEDIATE") < 0)
		goto fail;
	have = store_schema_version(db);
	if (have > n) {
		snprintf(err, errlen, "database schema %d is newer than this prosumd (%d)", have, n);
		store_rollback(db);
		return STORE_ERROR;
	}
	for (i = have; i < n; i++) {
		if (exec(db, schema_migrations[i].sql) < 0) {
			snprintf(err, errlen, "migration %s failed: %s", schema_migrations[i].name,
				 sqlite3_errmsg(db->db));
			store_rollback(db);
			return STORE_ERROR;
		}
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", n);
	if (exec(db, pragma) < 0 || exec(db, "COMMIT") < 0)
		goto fail;
	return STORE_OK;
fail:
	snprintf(err, errlen, "migration failed: %s", sqlite3_errmsg(db->db));
	store_rollback(db);
	return STORE_ERROR;
}

int store_db_open(store_db **out, const char *path, int mode, char *err, size_t errlen)
{
	store_db *db = calloc(1, sizeof(*db));
	int flags = SQLITE_OPEN_NOMUTEX;

	*out = NULL;
	if (!db) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	db->write = mode == STORE_WRITE;
	flags |= db->write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	if (sqlite3_open_v2(path, &db->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 db->db ? sqlite3_errmsg(db->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->db, 1);
	sqlite3_busy_timeout(db->db, 5000);
	/* synchronous=FULL: an acknowledged report survives power loss; the
	 * writer's group commit pays the fsync once per batch, not per report. */
	if (exec(db, "PRAGMA foreign_keys = ON") < 0 || exec(db, "PRAGMA synchronous = FULL") < 0)
		goto sqlfail;
	if (db->write) {
		/* The writer opens a savepoint per job; their undo pages (the
		 * sub-journal) stay in memory rather than in a temporary file. */
		if (exec(db, "PRAGMA journal_mode = WAL") < 0 ||
		    exec(db, "PRAGMA temp_store = MEMORY") < 0)
			goto sqlfail;
		if (migrate(db, err, errlen) < 0)
			goto fail;
	} else if (exec(db, "PRAGMA query_only = ON") < 0) {
		goto sqlfail;
	}
	*out = db;
	return STORE_OK;
sqlfail:
	snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db->db));
fail:
	store_db_close(db);
	return STORE_ERROR;
}

void store_db_close(store_db *db)
{
	int i;

	if (!db)
		return;
	if (db->aux_free)
		db->aux_free(db->aux);
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(db->stmt[i]);
	for (i = 0; i < STORE_DYN_CACHE; i++) {
		sqlite3_finalize(db->dyn[i]);
		free(db->dyn_sql[i]);
	}
	free(db->fresh);
	sqlite3_close(db->db);
	free(db);
}

int store_begin(store_db *db)
{
	db->txn++; /* what was remembered belongs to the previous transaction */
	db->fresh_n = 0;
	return exec(db, db->write ? "BEGIN IMMEDIATE" : "BEGIN");
}

/* Look a text key up once per transaction: a memo hit, or the query's answer remembered. */
static int memo_lookup(store_db *db, int q, const char *key, int64_t *out, int memo_project)
{
	sqlite3_stmt *s;
	int rc;
	struct memo *m = memo_project ? &db->project_memo : &db->key_memo;
	int in_txn = !sqlite3_get_autocommit(db->db);

	if (in_txn && m->txn == db->txn && strcmp(m->key, key) == 0) {
		*out = m->id;
		return m->rc;
	}
	s = stmt(db, q);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = step_int(s, out);
	if (in_txn && rc != STORE_ERROR && strlen(key) < sizeof(m->key)) {
		m->txn = db->txn;
		memcpy(m->key, key, strlen(key) + 1);
		m->id = rc == STORE_OK ? *out : 0;
		m->rc = rc;
	}
	return rc;
}

static int fresh_flush(store_db *db);

int store_commit(store_db *db)
{
	if (fresh_flush(db) < 0)
		return STORE_ERROR;
	return exec(db, "COMMIT");
}

void store_rollback(store_db *db)
{
	db->fresh_n = 0;
	if (!sqlite3_get_autocommit(db->db))
		exec(db, "ROLLBACK");
}

int store_meta_get(store_db *db, const char *key, char **out)
{
	sqlite3_stmt *s = stmt(db, Q_META_GET);
	int rc;

	*out = NULL;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = strdup(col_text(s, 0));
		rc = *out ? STORE_OK : STORE_ERROR;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

int store_meta_set(store_db *db, const char *key, const char *value)
{
	sqlite3_stmt *s = stmt(db, Q_META_SET);
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? STORE_OK : STORE_ERROR;
	sqlite3_reset(s);
	return rc;
}

/* Run a statement that returns nothing; STORE_EXISTS on a uniqueness conflict. */
static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return STORE_OK;
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return STORE_EXISTS;
	return STORE_ERROR;
}

/* Run a statement that returns one integer. */
static int step_int(sqlite3_stmt *s, int64_t *out)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

int store_project_add(store_db *db, const char *name, const char *repo, int64_t now, int64_t *id)
{
	sqlite3_stmt *s = stmt(db, Q_PROJECT_ADD);
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	bind_text_or_null(s, 2, repo);
	sqlite3_bind_int64(s, 3, now);
	rc = step_done(s);
	if (rc == STORE_OK)
		*id = sqlite3_last_insert_rowid(db->db);
	return rc;
}

int store_project_find(store_db *db, const char *name, int64_t *id)
{
	return memo_lookup(db, Q_PROJECT_FIND, name, id, 1);
}

int store_key_add(store_db *db, int64_t project_id, const char *key, int64_t now)
{
	sqlite3_stmt *s = stmt(db, Q_KEY_ADD);

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, project_id);
	sqlite3_bind_int64(s, 3, now);
	return step_done(s);
}

int store_key_revoke(store_db *db, const char *key, int64_t now)
{
	sqlite3_stmt *s = dyn_stmt(db, "UPDATE ingest_keys SET revoked_at = :now "
				       "WHERE key = :k AND revoked_at IS NULL");

	if (!s)
		return STORE_ERROR;
	bind_named_text(s, ":k", key);
	bind_named_int(s, ":now", now);
	if (step_done(s) != STORE_OK)
		return STORE_ERROR;
	return sqlite3_changes(db->db) ? STORE_OK : STORE_NOTFOUND;
}

int store_key_list(store_db *db,
		   void (*fn)(void *ctx, const char *key, const char *project, int64_t created,
			      int64_t revoked),
		   void *ctx)
{
	sqlite3_stmt *s = dyn_stmt(db, "SELECT k.key, p.name, k.created_at, k.revoked_at FROM "
				       "ingest_keys k JOIN projects p ON p.id = k.project_id "
				       "ORDER BY p.name, k.created_at");
	int rc;

	if (!s)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, col_text(s, 0), col_text(s, 1), sqlite3_column_int64(s, 2),
		   sqlite3_column_int64(s, 3));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_key_project(store_db *db, const char *key, int64_t *project_id)
{
	return memo_lookup(db, Q_KEY_PROJECT, key, project_id, 0);
}

static const char *const role_names[] = {NULL, "developer", "release", "admin"};

const char *store_role_name(int role)
{
	return role >= STORE_ROLE_DEVELOPER && role <= STORE_ROLE_ADMIN ? role_names[role] : "none";
}

int store_role_parse(const char *name)
{
	int r;

	for (r = STORE_ROLE_DEVELOPER; r <= STORE_ROLE_ADMIN; r++)
		if (name && strcmp(name, role_names[r]) == 0)
			return r;
	return 0;
}

int store_token_add(store_db *db, const uint8_t hash[32], int role, int64_t project_id,
		    const char *name, int64_t now, int64_t *id)
{
	sqlite3_stmt *s = stmt(db, Q_TOKEN_ADD);
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, store_role_name(role), -1, SQLITE_STATIC);
	if (project_id)
		sqlite3_bind_int64(s, 3, project_id);
	else
		sqlite3_bind_null(s, 3);
	bind_text_or_null(s, 4, name);
	sqlite3_bind_int64(s, 5, now);
	rc = step_done(s);
	if (rc == STORE_OK)
		*id = sqlite3_last_insert_rowid(db->db);
	return rc;
}

int store_token_find(store_db *db, const uint8_t hash[32], store_token *out)
{
	sqlite3_stmt *s = stmt(db, Q_TOKEN_FIND);
	const unsigned char *h;
	unsigned char diff = 0;
	int rc, i;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
		goto out;
	}
	/* The index found it; compare again in constant time all the same. */
	h = sqlite3_column_blob(s, 3);
	if (!h || sqlite3_column_bytes(s, 3) != 32) {
		rc = STORE_NOTFOUND;
		goto out;
	}
	for (i = 0; i < 32; i++)
		diff |= h[i] ^ hash[i];
	if (diff) {
		rc = STORE_NOTFOUND;
		goto out;
	}
	out->id = sqlite3_column_int64(s, 0);
	out->role = store_role_parse(col_text(s, 1));
	snprintf(out->name, sizeof(out->name), "%s", col_text(s, 4) ? col_text(s, 4) : "");
	out->project_id = sqlite3_column_int64(s, 2);
	rc = out->role ? STORE_OK : STORE_NOTFOUND;
out:
	sqlite3_reset(s);
	return rc;
}

static json_t *suspects_json(store_db *db, int q, int64_t project_id, int64_t key);
static json_t *shipped_json(store_db *db, int64_t project_id, const char *release, int names);
static json_t *contributors_json(store_db *db, int64_t project_id, const char *release);
static int audit(store_db *db, int64_t project_id, const char *type, int64_t num,
		 const char *actor, const char *field, const char *old_value, const char *new_value,
		 int64_t now);

/* ---- statements built from fixed fragments (filters), prepared once per shape ---- */

/*
 * List queries vary with the filters given. Their SQL is assembled from
 * fixed fragments only (every value is bound), and each shape is prepared
 * once and kept: a handful of shapes cover what clients ask.
 */
static sqlite3_stmt *dyn_stmt(store_db *db, const char *sql)
{
	int i, slot;
	sqlite3_stmt *s;

	for (i = 0; i < STORE_DYN_CACHE; i++) {
		if (db->dyn_sql[i] && strcmp(db->dyn_sql[i], sql) == 0) {
			sqlite3_reset(db->dyn[i]);
			sqlite3_clear_bindings(db->dyn[i]);
			return db->dyn[i];
		}
	}
	if (sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "prosumd: cannot prepare a list query: %s\n", sqlite3_errmsg(db->db));
		return NULL;
	}
	slot = db->dyn_next++ % STORE_DYN_CACHE;
	sqlite3_finalize(db->dyn[slot]);
	free(db->dyn_sql[slot]);
	db->dyn[slot] = s;
	db->dyn_sql[slot] = strdup(sql);
	if (!db->dyn_sql[slot]) {
		sqlite3_finalize(s);
		db->dyn[slot] = NULL;
		return NULL;
	}
	return s;
}

static void bind_named_text(sqlite3_stmt *s, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i > 0)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

static void bind_named_int(sqlite3_stmt *s, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i > 0)
		sqlite3_bind_int64(s, i, v);
}

/*
 * What a person typed, as an FTS5 query that cannot be a syntax error: split
 * by the index's own tokenizer, every token a quoted term, all of them required
 * (search.h). 1, or 0 when nothing searchable is left, or STORE_ERROR.
 */
static int fts_query(store_db *db, const char *q, buf *out)
{
	int n = search_match(out, db->db, q, strlen(q));

	if (n < 0)
		return STORE_ERROR;
	return n > 0;
}

/* ---- reports ---- */

int store_token_list(store_db *db,
		     void (*fn)(void *ctx, int64_t id, const char *role, const char *project,
				const char *name, int64_t created, int64_t revoked),
		     void *ctx)
{
	sqlite3_stmt *s = stmt(db, Q_TOKEN_LIST);
	int rc;

	if (!s)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(s, 0), col_text(s, 1), col_text(s, 2), col_text(s, 3),
		   sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_token_revoke(store_db *db, int64_t id, int64_t now)
{
	sqlite3_stmt *s = stmt(db, Q_TOKEN_REVOKE);

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	if (step_done(s) != STORE_OK)
		return STORE_ERROR;
	return sqlite3_changes(db->db) ? STORE_OK : STORE_NOTFOUND;
}

/* The existing report with this uuid, if any. */
static int report_by_uuid(store_db *db, int64_t project_id, const char *uuid, store_ingest *out)
{
	sqlite3_stmt *s = stmt(db, Q_REPORT_BY_UUID);
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->num = sqlite3_column_int64(s, 0);
		out->group_num = sqlite3_column_int64(s, 1);
		out->created = 0;
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

/* Find the group of a fingerprint, making it when it is new; merged groups lead to their target. */
static int group_for(store_db *db, int64_t project_id, const report *r, int64_t now,
		     int64_t *group_id, int64_t *group_num)
{
	sqlite3_stmt *s = stmt(db, Q_GROUP_BY_FP);
	int rc, hops;
	int64_t into;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, r->fingerprint, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*group_id = sqlite3_column_int64(s, 0);
		*group_num = sqlite3_column_int64(s, 1);
		into = sqlite3_column_int64(s, 2);
		sqlite3_reset(s);
		/* A merged group hands its new reports on; merges never form a cycle,
		 * but the walk is bounded all the same. */
		for (hops = 0; into && hops < 32; hops++) {
			s = stmt(db, Q_GROUP_BY_ID);
			if (!s)
				return STORE_ERROR;
			sqlite3_bind_int64(s, 1, into);
			if (sqlite3_step(s) != SQLITE_ROW) {
				sqlite3_reset(s);
				return STORE_ERROR;
			}
			*group_id = into;
			*group_num = sqlite3_column_int64(s, 0);
			into = sqlite3_column_int64(s, 1);
			sqlite3_reset(s);
		}
		return STORE_OK;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return STORE_ERROR;

	s = stmt(db, Q_NEXT_GROUP);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	if (step_int(s, group_num) != STORE_OK)
		return STORE_ERROR;
	s = stmt(db, Q_GROUP_ADD);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, *group_num);
	sqlite3_bind_text(s, 3, r->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, now);
	bind_text_or_null(s, 7, r->revision ? r->revision : r->version);
	if (step_done(s) != STORE_OK)
		return STORE_ERROR;
	*group_id = sqlite3_last_insert_rowid(db->db);
	return STORE_OK;
}

/* The tags of a new report. */
static int report_tags(store_db *db, int64_t project_id, int64_t report_id, const report *r)
{
	json_t *tags = json_object_get(r->root, "tags"), *v;
	const char *k;
	sqlite3_stmt *s;

	json_object_foreach(tags, k, v)
	{
		s = stmt(db, Q_TAG_ADD);
		if (!s || !json_is_string(v))
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_text(s, 2, k, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, json_string_value(v), -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, report_id);
		if (step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

/* The full-text row of a report: title, description and steps, exception, frame functions. */
static int fts_add(store_db *db, int64_t report_id, const report *r)
{
	json_t *frames = json_object_get(r->root, "frames"), *v;
	sqlite3_stmt *s;
	buf text, fns, exc;
	size_t i;
	int rc = STORE_ERROR;

	buf_init(&text, 1 << 20);
	buf_init(&fns, 1 << 20);
	buf_init(&exc, 1 << 16);
	buf_printf(&text, "%s\n%s", r->description ? r->description : "", r->steps ? r->steps : "");
	buf_printf(&exc, "%s %s", r->exception_type ? r->exception_type : "",
		   r->exception_value ? r->exception_value : "");
	json_array_foreach(frames, i, v)
	{
		const char *fn = json_string_value(json_object_get(v, "function"));
		if (fn)
			buf_printf(&fns, "%s ", fn);
	}
	s = stmt(db, Q_FTS_ADD);
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, report_id);
	sqlite3_bind_text(s, 2, r->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, text.p ? text.p : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, exc.p ? exc.p : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, fns.p ? fns.p : "", -1, SQLITE_STATIC);
	rc = step_done(s);
out:
	buf_free(&text);
	buf_free(&fns);
	buf_free(&exc);
	return rc;
}

#ifndef PROSUM_OMIT_GROUPING
static void platform_of(const report *r, char out[300])
{
	out[0] = '\0';
	if (r->os)
		snprintf(out, 300, "%s%s%s", r->os, r->arch ? " " : "", r->arch ? r->arch : "");
}

/* A facet's value for report f: its version, or its platform (written into tmp). */
static const char *facet_value(const struct fresh *f, int platform, char tmp[300])
{
	if (!platform)
		return f->r->version;
	platform_of(f->r, tmp);
	return tmp;
}

/* Count each value of a facet among reports f[0..n) of one group, once per value. */
static int facets_seen(store_db *db, const struct fresh *f, size_t n, int platform)
{
	char a[300], b[300];
	size_t i, k, count;
	sqlite3_stmt *s;

	for (i = 0; i < n; i++) {
		const char *v = facet_value(&f[i], platform, a);

		if (!v || !*v)
			continue;
		for (k = 0; k < i; k++) { /* counted with an earlier one */
			const char *w = facet_value(&f[k], platform, b);

			if (w && strcmp(v, w) == 0)
				break;
		}
		if (k < i)
			continue;
		for (count = 1, k = i + 1; k < n; k++) {
			const char *w = facet_value(&f[k], platform, b);

			count += w && strcmp(v, w) == 0;
		}
		s = stmt(db, Q_FACET_SEEN);
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, f[i].group_id);
		sqlite3_bind_text(s, 2, platform ? "platform" : "version", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, v, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 4, (int64_t)count);
		if (step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

/* New reports f[0..n) of one group, in arrival order: count, distinct testers, last seen, facets. */
static int group_seen(store_db *db, const struct fresh *f, size_t n)
{
	sqlite3_stmt *s;
	const char *revision = NULL;
	int64_t seen = 0, testers = 0;
	size_t i, k;

	for (i = 0; i < n; i++) {
		const report *r = f[i].r;

		for (k = 0; k < i && strcmp(f[k].r->install_id, r->install_id) != 0; k++)
			;
		if (k == i) { /* not asked for already */
			s = stmt(db, Q_GROUP_TESTER);
			if (!s)
				return STORE_ERROR;
			sqlite3_bind_int64(s, 1, f[i].group_id);
			sqlite3_bind_text(s, 2, r->install_id, -1, SQLITE_STATIC);
			if (step_done(s) != STORE_OK)
				return STORE_ERROR;
			testers += sqlite3_changes(db->db) > 0;
		}
		if (f[i].now > seen)
			seen = f[i].now;
		if (r->revision || r->version)
			revision = r->revision ? r->revision : r->version;
	}
	s = stmt(db, Q_GROUP_SEEN);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, f[0].group_id);
	sqlite3_bind_int64(s, 2, testers);
	sqlite3_bind_int64(s, 3, seen);
	bind_text_or_null(s, 4, revision);
	sqlite3_bind_int64(s, 5, (int64_t)n);
	if (step_done(s) != STORE_OK)
		return STORE_ERROR;
	if (facets_seen(db, f, n, 0) < 0 || facets_seen(db, f, n, 1) < 0)
		return STORE_ERROR;
	return STORE_OK;
}

static int by_group(const void *a, const void *b)
{
	const struct fresh *x = a, *y = b;

	if (x->group_id != y->group_id)
		return x->group_id < y->group_id ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The group statistics of f[0..n), one update per group. Reorders f. */
static int groups_seen(store_db *db, struct fresh *f, size_t n)
{
	size_t i, j;

	qsort(f, n, sizeof(*f), by_group);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && f[j].group_id == f[i].group_id; j++)
			;
		if (group_seen(db, f + i, j - i) < 0)
			return STORE_ERROR;
	}
	return STORE_OK;
}

/* The group a new report joins. */
static int group_of_report(store_db *db, int64_t project_id, const report *r, int64_t now,
			   int64_t *group_id, int64_t *group_num)
{
	return group_for(db, project_id, r, now, group_id, group_num);
}
#else
/* Built without grouping: no group statistics. */
static int groups_seen(store_db *db, struct fresh *f, size_t n)
{
	(void)db;
	(void)f;
	(void)n;
	return STORE_OK;
}

/*
 * A prosumd built with PROSUM_OMIT_GROUPING exists only so that scripts/bench
 * can measure what grouping costs ingestion: no fingerprint (report.c), every
 * report of a project in one group looked up once per transaction, and no
 * group counters or facets.
 */
static int group_of_report(store_db *db, int64_t project_id, const report *r, int64_t now,
			   int64_t *group_id, int64_t *group_num)
{
	if (db->one_group.txn != db->txn || db->one_group.project_id != project_id) {
		if (group_for(db, project_id, r, now, &db->one_group.group_id,
			      &db->one_group.group_num) < 0)
			return STORE_ERROR;
		db->one_group.txn = db->txn;
		db->one_group.project_id = project_id;
	}
	*group_id = db->one_group.group_id;
	*group_num = db->one_group.group_num;
	return STORE_OK;
}
#endif

/* Group statistics and full-text rows of a new report: at commit, or now outside a transaction. */
static int fresh_later(store_db *db, int64_t report_id, int64_t group_id, int64_t now,
		       const report *r)
{
	struct fresh one = {report_id, group_id, now, 0, r}, *grown;

	if (sqlite3_get_autocommit(db->db)) {
		if (groups_seen(db, &one, 1) < 0)
			return STORE_ERROR;
		return fts_add(db, report_id, r);
	}
	if (db->fresh_n == db->fresh_cap) {
		size_t cap = db->fresh_cap ? 2 * db->fresh_cap : 64;

		grown = realloc(db->fresh, cap * sizeof(*grown));
		if (!grown)
			return STORE_ERROR;
		db->fresh = grown;
		db->fresh_cap = cap;
	}
	one.seq = db->fresh_n;
	db->fresh[db->fresh_n++] = one;
	return STORE_OK;
}

static int fresh_flush(store_db *db)
{
	size_t i, n = db->fresh_n;

	db->fresh_n = 0;
	/* In arrival order, which is rowid order: FTS5 writes its pending terms
	 * out whenever a rowid is lower than the one before. */
	for (i = 0; i < n; i++)
		if (fts_add(db, db->fresh[i].rowid, db->fresh[i].r) < 0)
			return STORE_ERROR;
	return n ? groups_seen(db, db->fresh, n) : STORE_OK;
}

int store_report_insert(store_db *db, int64_t project_id, const report *r, int64_t now,
			store_ingest *out)
{
	sqlite3_stmt *s;
	int64_t group_id, report_id;
	char *body = NULL;
	int rc;

	rc = report_by_uuid(db, project_id, r->uuid, out);
	if (rc != STORE_NOTFOUND)
		return rc; /* already stored (OK), or an error */
	if (group_of_report(db, project_id, r, now, &group_id, &out->group_num) < 0)
		return STORE_ERROR;
	s = stmt(db, Q_NEXT_REPORT);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	if (step_int(s, &out->num) != STORE_OK)
		return STORE_ERROR;

	/* The text as sent is kept when it is already canonical: no need to print it again. */
	if (!r->raw)
		body = json_dumps(r->root, JSON_COMPACT);
	s = stmt(db, Q_REPORT_ADD);
	if ((!r->raw && !body) || !s) {
		rc = STORE_ERROR;
		goto out;
	}
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, out->num);
	sqlite3_bind_text(s, 3, r->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, group_id);
	sqlite3_bind_text(s, 5, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->title, -1, SQLITE_STATIC);
	bind_text_or_null(s, 7, r->severity);
	sqlite3_bind_text(s, 8, r->install_id, -1, SQLITE_STATIC);
	bind_text_or_null(s, 9, r->version);
	bind_text_or_null(s, 10, r->revision);
	sqlite3_bind_int64(s, 11, now);
	if (body)
		sqlite3_bind_text(s, 12, body, -1, SQLITE_STATIC);
	else
		sqlite3_bind_text(s, 12, r->raw, (int)r->raw_len, SQLITE_STATIC);
	bind_text_or_null(s, 13, r->os);
	bind_text_or_null(s, 14, r->arch);
	bind_text_or_null(s, 15, r->tester_name && *r->tester_name ? r->tester_name : NULL);
	bind_text_or_null(s, 16, r->commit[0] ? r->commit : NULL);
	rc = step_done(s);
	if (rc != STORE_OK)
		goto out;
	report_id = sqlite3_last_insert_rowid(db->db);
	rc = report_tags(db, project_id, report_id, r);
	if (rc == STORE_OK)
		rc = fresh_later(db, report_id, group_id, now, r);
	out->created = 1;
out:
	free(body);
	return rc;
}

int store_attachments_add(store_db *db, int64_t project_id, int64_t num,
			  const store_attachment *a, size_t n)
{
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < n; i++) {
		s = stmt(db, Q_ATTACH_ADD);
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_int64(s, 2, num);
		sqlite3_bind_text(s, 3, a[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, a[i].size);
		sqlite3_bind_text(s, 5, a[i].content_type, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, a[i].sha256, -1, SQLITE_STATIC);
		if (step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int store_attachment_find(store_db *db, int64_t project_id, int64_t num, const char *name,
			  char sha256[65], char type[128], int64_t *size)
{
	sqlite3_stmt *s = stmt(db, Q_ATTACH_FIND);
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(sha256, 65, "%s", col_text(s, 0));
		snprintf(type, 128, "%s", col_text(s, 1));
		*size = sqlite3_column_int64(s, 2);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

static json_t *attachments_json(store_db *db, int64_t project_id, int64_t num)
{
	sqlite3_stmt *s = stmt(db, Q_ATTACH_LIST);
	json_t *arr = json_array();
	char url[256];

	if (!s || !arr)
		return arr;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	while (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(url, sizeof(url), "attachments/%s", col_text(s, 0));
		json_array_append_new(arr, json_pack("{s:s,s:I,s:s,s:s,s:s}", "name", col_text(s, 0),
						     "size", (json_int_t)sqlite3_column_int64(s, 1),
						     "content_type", col_text(s, 2), "sha256",
						     col_text(s, 3), "path", url));
	}
	sqlite3_reset(s);
	return arr;
}

/* The revision link of a report: what it was built from and, later, its commit and release. */
static json_t *revision_json(const char *input, const char *commit, const char *release)
{
	return json_pack("{s:o,s:o,s:o}", "input", input ? json_string(input) : json_null(),
			 "commit", commit ? json_string(commit) : json_null(), "release",
			 release && *release ? json_string(release) : json_null());
}

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *col_json(sqlite3_stmt *s, int i)
{
	return text_or_null(col_text(s, i));
}

/* Comments and the audit trail of one item, oldest first. */
static int history(store_db *db, int64_t project_id, const char *type, int64_t num,
		   json_t *item)
{
	json_t *comments = json_array(), *audit = json_array();
	sqlite3_stmt *s = stmt(db, Q_COMMENTS);
	int rc;

	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, num);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(comments,
				      json_pack("{s:o,s:o,s:o,s:s}", "author", col_json(s, 0), "body",
						col_json(s, 1), "at",
						reply_time(sqlite3_column_int64(s, 2)), "from",
						sqlite3_column_int(s, 3) ? "tester" : "team"));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	s = stmt(db, Q_AUDIT);
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, num);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(
			audit, json_pack("{s:o,s:o,s:o,s:o,s:o}", "actor", col_json(s, 0), "field",
					 col_json(s, 1), "old", col_json(s, 2), "new",
					 col_json(s, 3), "at", reply_time(sqlite3_column_int64(s, 4))));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	json_object_set_new(item, "comments", comments);
	json_object_set_new(item, "history", audit);
	return STORE_OK;
fail:
	json_decref(comments);
	json_decref(audit);
	return STORE_ERROR;
}

int store_report_get(store_db *db, int64_t project_id, int64_t num, json_t **out)
{
	sqlite3_stmt *s = stmt(db, Q_REPORT_GET);
	json_t *r = NULL;
	json_error_t jerr;
	int rc;

	*out = NULL;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
		sqlite3_reset(s);
		goto out;
	}
	r = json_loads(col_text(s, 7), 0, &jerr);
	if (!json_is_object(r)) {
		rc = STORE_ERROR;
		sqlite3_reset(s);
		goto out;
	}
	/* The document as sent, with what the server knows of it on top. */
	json_object_set_new(r, "id", reply_id('R', sqlite3_column_int64(s, 0)));
	json_object_set_new(r, "group", reply_id('G', sqlite3_column_int64(s, 1)));
	json_object_set_new(r, "kind", json_string(col_text(s, 2)));
	json_object_set_new(r, "title", json_string(col_text(s, 3)));
	json_object_set_new(r, "status", json_string(col_text(s, 4)));
	json_object_set_new(r, "received_at", reply_time(sqlite3_column_int64(s, 5)));
	json_object_set_new(r, "revision",
			    revision_json(col_text(s, 6), col_text(s, 10), col_text(s, 11)));
	json_object_set_new(r, "assignee", col_json(s, 8));
	json_object_set_new(r, "fixed_by", col_json(s, 9));
	json_object_set_new(r, "fixed_in", col_json(s, 12));
	if (!json_object_get(r, "frames"))
		json_object_set_new(r, "frames", json_array());
	sqlite3_reset(s);
	json_object_set_new(r, "attachments", attachments_json(db, project_id, num));
	json_object_set_new(r, "suspects", suspects_json(db, Q_REPORT_SUSPECTS, project_id, num));
	rc = history(db, project_id, "R", num, r);
	if (rc != STORE_OK)
		goto out;
	*out = r;
	r = NULL;
out:
	json_decref(r);
	return rc;
}

static json_t *report_item(sqlite3_stmt *s)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
			 reply_id('R', sqlite3_column_int64(s, 0)), "group",
			 reply_id('G', sqlite3_column_int64(s, 1)), "kind", col_json(s, 2), "title",
			 col_json(s, 3), "status", col_json(s, 4), "received_at",
			 reply_time(sqlite3_column_int64(s, 5)), "revision",
			 revision_json(col_text(s, 6), col_text(s, 12), col_text(s, 13)), "version",
			 col_json(s, 7), "severity",
			 col_json(s, 8), "install_id", col_json(s, 9), "assignee", col_json(s, 10),
			 "platform", col_json(s, 11));
}

int store_release_known(store_db *db, int64_t project_id, const char *name)
{
	sqlite3_stmt *s = dyn_stmt(db, "SELECT EXISTS (SELECT 1 FROM releases WHERE "
				       "project_id = :p AND name = :r)");
	int64_t n = 0;

	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":r", name);
	if (step_int(s, &n) < 0)
		return STORE_ERROR;
	return n > 0;
}

int store_report_list(store_db *db, int64_t project_id, const store_report_filter *f,
		      json_t **items, int64_t *next)
{
	buf sql, q;
	sqlite3_stmt *s = NULL;
	json_t *arr = json_array();
	int rc = STORE_ERROR, n = 0, ranked = f->q != NULL;
	int64_t last = 0;

	*items = NULL;
	*next = 0;
	buf_init(&sql, 8192);
	buf_init(&q, 8192);
	if (!arr)
		goto out;
	if (ranked) {
		rc = fts_query(db, f->q, &q);
		if (rc == STORE_ERROR)
			goto out;
		if (rc == 0) /* nothing searchable: nothing found */
			goto done;
	}
	buf_puts(&sql, "SELECT " REPORT_COLUMNS "FROM reports r JOIN groups g ON g.id = r.group_id ");
	if (ranked)
		/*
		 * Relevance: a hit in the title first, then hits anywhere, newest first in
		 * each. bm25() would need every match's statistics, seconds for a common
		 * word at a million reports; walking the newest matches by rowid is cheap.
		 */
		buf_puts(&sql, "JOIN (SELECT rowid, min(rk) AS rank FROM (SELECT rowid, 0 AS rk FROM "
			       "(SELECT rowid FROM reports_fts WHERE reports_fts MATCH :qt ORDER BY "
			       "rowid DESC LIMIT " STORE_SEARCH_WINDOW ") UNION ALL SELECT rowid, 1 "
			       "FROM (SELECT rowid FROM reports_fts WHERE reports_fts MATCH :q ORDER "
			       "BY rowid DESC LIMIT " STORE_SEARCH_WINDOW ")) GROUP BY rowid) f "
			       "ON f.rowid = r.id ");
	buf_puts(&sql, "WHERE r.project_id = :p ");
	if (f->kind)
		buf_puts(&sql, "AND r.kind = :kind ");
	if (f->status)
		buf_puts(&sql, "AND " REPORT_STATUS " = :status ");
	if (f->revision)
		buf_puts(&sql, "AND r.revision = :revision ");
	if (f->version)
		buf_puts(&sql, "AND r.version = :version ");
	if (f->platform)
		buf_puts(&sql, "AND r.os = :os ");
	if (f->release) /* the same release as the report's revision.release */
		buf_puts(&sql, "AND r.commit_id IN (SELECT c.id FROM commits c WHERE "
			       "c.project_id = :p AND c.release = :release) ");
	if (f->group)
		buf_puts(&sql, "AND r.group_id = (SELECT id FROM groups WHERE project_id = :p "
			       "AND num = :group) ");
	if (f->tag_key)
		buf_puts(&sql, "AND r.id IN (SELECT report_id FROM report_tags "
			       "WHERE project_id = :p AND key = :tk AND value = :tv) ");
	if (f->since)
		buf_puts(&sql, "AND r.received_at >= :since ");
	if (f->until)
		buf_puts(&sql, "AND r.received_at < :until ");
	if (ranked) {
		/* Ranked by relevance, a title hit weighing most; the cursor is an offset. */
		buf_puts(&sql, "ORDER BY f.rank, r.num DESC "
			       "LIMIT :limit OFFSET :offset");
	} else if (f->oldest) {
		buf_puts(&sql, "AND r.num > :cursor ORDER BY r.num ASC LIMIT :limit");
	} else {
		buf_puts(&sql, "AND r.num < :cursor ORDER BY r.num DESC LIMIT :limit");
	}
	s = dyn_stmt(db, sql.p);
	if (!s)
		goto out;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":q", q.p);
	if (ranked) {
		buf qt;

		buf_init(&qt, 8192);
		buf_printf(&qt, "{title} : (%s)", q.p);
		bind_named_text(s, ":qt", qt.p);
		buf_free(&qt);
	}
	bind_named_text(s, ":kind", f->kind);
	bind_named_text(s, ":status", f->status);
	bind_named_text(s, ":revision", f->revision);
	bind_named_text(s, ":version", f->version);
	bind_named_text(s, ":os", f->platform);
	bind_named_text(s, ":release", f->release);
	bind_named_int(s, ":group", f->group);
	bind_named_text(s, ":tk", f->tag_key);
	bind_named_text(s, ":tv", f->tag_value);
	bind_named_int(s, ":since", f->since);
	bind_named_int(s, ":until", f->until);
	bind_named_int(s, ":offset", f->cursor);
	bind_named_int(s, ":cursor", f->cursor > 0 ? f->cursor : f->oldest ? 0 : INT64_MAX);
	bind_named_int(s, ":limit", f->limit + 1); /* one more tells whether a next page exists */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == f->limit) {
			*next = ranked ? f->cursor + n : last;
			break;
		}
		last = sqlite3_column_int64(s, 0);
		json_array_append_new(arr, report_item(s));
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		rc = STORE_ERROR;
		goto out;
	}
done:
	*items = arr;
	arr = NULL;
	rc = STORE_OK;
out:
	json_decref(arr);
	buf_free(&sql);
	buf_free(&q);
	return rc;
}

/* Record one change in the audit trail. */
static int audit(store_db *db, int64_t project_id, const char *type, int64_t num,
		 const char *actor, const char *field, const char *old_value, const char *new_value,
		 int64_t now)
{
	sqlite3_stmt *s = stmt(db, Q_AUDIT_ADD);

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, num);
	sqlite3_bind_text(s, 4, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, field, -1, SQLITE_STATIC);
	bind_text_or_null(s, 6, old_value);
	bind_text_or_null(s, 7, new_value);
	sqlite3_bind_int64(s, 8, now);
	return step_done(s);
}

static int comment_add(store_db *db, int64_t project_id, const char *type, int64_t num,
		       const char *actor, const char *body, int64_t now)
{
	sqlite3_stmt *s = stmt(db, Q_COMMENT_ADD);

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, num);
	sqlite3_bind_text(s, 4, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, now);
	return step_done(s);
}

/* Set one text column of a report or group, recording the change when there is one. */
static int set_field(store_db *db, int q, int64_t id, int64_t project_id, const char *type,
		     int64_t num, const char *field, const char *old_value, const char *value,
		     const char *actor, int64_t now)
{
	sqlite3_stmt *s;
	const char *v = value && *value ? value : NULL; /* "" clears */

	if ((!old_value && !v) || (old_value && v && strcmp(old_value, v) == 0))
		return STORE_OK;
	s = stmt(db, q);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	bind_text_or_null(s, 2, v);
	if (step_done(s) != STORE_OK)
		return STORE_ERROR;
	return audit(db, project_id, type, num, actor, field, old_value, v, now);
}

/* The current row of a report or group for a patch: id, status, assignee, fixed_by. */
typedef struct current {
	int64_t id;
	char status[32];
	char *assignee;
	char *fixed_by;
	int64_t merged_into;
} current;

static void current_free(current *c)
{
	free(c->assignee);
	free(c->fixed_by);
}

static int load_current(store_db *db, int q, int64_t project_id, int64_t num, current *c)
{
	sqlite3_stmt *s = stmt(db, q);
	int rc;

	memset(c, 0, sizeof(*c));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->id = sqlite3_column_int64(s, 0);
		snprintf(c->status, sizeof(c->status), "%s", col_text(s, 1));
		c->assignee = col_text(s, 2) ? strdup(col_text(s, 2)) : NULL;
		c->fixed_by = col_text(s, 3) ? strdup(col_text(s, 3)) : NULL;
		c->merged_into = sqlite3_column_int64(s, 4);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

/* The history of fixed_in, which follows fixed_by: the release that first holds the
 * fixing commit. A fixing commit changed by hand says so too, as a link does. */
static int fixed_in_audit(store_db *db, int64_t project_id, const char *type, int64_t num,
			  const char *old_fix, const char *new_fix, const char *actor, int64_t now)
{
	sqlite3_stmt *s = dyn_stmt(db, "SELECT (SELECT release FROM commits WHERE project_id = :p AND "
				"id = :o), (SELECT release FROM commits WHERE project_id = :p AND "
				"id = :n)");
	char *was = NULL, *is = NULL;
	int rc = STORE_ERROR;

	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":o", old_fix ? old_fix : "");
	bind_named_text(s, ":n", new_fix ? new_fix : "");
	if (sqlite3_step(s) == SQLITE_ROW) {
		was = col_text(s, 0) ? strdup(col_text(s, 0)) : NULL;
		is = col_text(s, 1) ? strdup(col_text(s, 1)) : NULL;
		rc = STORE_OK;
		if ((col_text(s, 0) && !was) || (col_text(s, 1) && !is))
			rc = STORE_ERROR;
	}
	sqlite3_reset(s);
	if (rc == STORE_OK && !(was == NULL && is == NULL) &&
	    !(was && is && strcmp(was, is) == 0))
		rc = audit(db, project_id, type, num, actor, "fixed_in", was, is, now);
	free(was);
	free(is);
	return rc;
}

/* What a report and a group have alike: status, assignee, fixed_by, comment. */
static int patch_common(store_db *db, const current *c, int64_t project_id, const char *type,
			int64_t num, const store_patch *p, const char *actor, int64_t now,
			int q_status, int q_assignee, int q_fixed, char *why, size_t whylen)
{
	if (p->status && !workflow_report_transition_ok(c->status, p->status)) {
		snprintf(why, whylen, "cannot go from %s to %s", c->status, p->status);
		return STORE_CONFLICT;
	}
	if (p->status && set_field(db, q_status, c->id, project_id, type, num, "status", c->status,
				   p->status, actor, now) < 0)
		return STORE_ERROR;
	if (p->assignee && set_field(db, q_assignee, c->id, project_id, type, num, "assignee",
				     c->assignee, p->assignee, actor, now) < 0)
		return STORE_ERROR;
	if (p->fixed_by && (set_field(db, q_fixed, c->id, project_id, type, num, "fixed_by",
				      c->fixed_by, p->fixed_by, actor, now) < 0 ||
			    fixed_in_audit(db, project_id, type, num, c->fixed_by, p->fixed_by,
					   actor, now) < 0))
		return STORE_ERROR;
	if (p->comment && comment_add(db, project_id, type, num, actor, p->comment, now) < 0)
		return STORE_ERROR;
	return STORE_OK;
}

int store_report_patch(store_db *db, int64_t project_id, int64_t num, const store_patch *p,
		       const char *actor, int64_t now, char *why, size_t whylen)
{
	current c;
	int rc = load_current(db, Q_REPORT_CURRENT, project_id, num, &c);

	if (rc != STORE_OK)
		return rc;
	rc = patch_common(db, &c, project_id, "R", num, p, actor, now, Q_REPORT_SET_STATUS,
			  Q_REPORT_SET_ASSIGNEE, Q_REPORT_SET_FIXED, why, whylen);
	current_free(&c);
	return rc;
}

/* Merge group `c` into the group numbered `into`: its reports, testers and counts move. */
static int merge_group(store_db *db, const current *c, int64_t project_id, int64_t num,
		       int64_t into, const char *actor, int64_t now, char *why, size_t whylen)
{
	current t;
	sqlite3_stmt *s;
	char target[32];
	int rc, i;
	static const int steps[] = {Q_MERGE_TESTERS, Q_MERGE_FACETS, Q_MERGE_REPORTS,
				    Q_MERGE_TOTALS, Q_MERGE_SOURCE};

	if (into == num) {
		snprintf(why, whylen, "a group cannot be merged into itself");
		return STORE_INVALID;
	}
	if (c->merged_into) {
		snprintf(why, whylen, "G-%lld is already merged", (long long)num);
		return STORE_CONFLICT;
	}
	rc = load_current(db, Q_GROUP_CURRENT, project_id, into, &t);
	if (rc == STORE_NOTFOUND) {
		snprintf(why, whylen, "no group G-%lld to merge into", (long long)into);
		return STORE_INVALID;
	}
	if (rc != STORE_OK)
		return rc;
	if (t.merged_into) {
		current_free(&t);
		snprintf(why, whylen, "G-%lld is itself merged; merge into its target",
			 (long long)into);
		return STORE_INVALID;
	}
	for (i = 0; i < (int)(sizeof(steps) / sizeof(steps[0])); i++) {
		s = stmt(db, steps[i]);
		if (!s) {
			rc = STORE_ERROR;
			break;
		}
		sqlite3_bind_int64(s, 1, c->id);
		sqlite3_bind_int64(s, 2, t.id);
		rc = step_done(s);
		if (rc != STORE_OK)
			break;
	}
	current_free(&t);
	if (rc != STORE_OK)
		return STORE_ERROR;
	snprintf(target, sizeof(target), "G-%lld", (long long)into);
	return audit(db, project_id, "G", num, actor, "merged_into", NULL, target, now);
}

int store_group_patch(store_db *db, int64_t project_id, int64_t num, const store_patch *p,
		      const char *actor, int64_t now, char *why, size_t whylen)
{
	current c;
	int rc = load_current(db, Q_GROUP_CURRENT, project_id, num, &c);

	if (rc != STORE_OK)
		return rc;
	/* Refused before any other change of the patch is made. */
	if (p->merge_into && c.merged_into && p->merge_into != num) {
		snprintf(why, whylen, "G-%lld is already merged", (long long)num);
		current_free(&c);
		return STORE_CONFLICT;
	}
	rc = patch_common(db, &c, project_id, "G", num, p, actor, now, Q_GROUP_SET_STATUS,
			  Q_GROUP_SET_ASSIGNEE, Q_GROUP_SET_FIXED, why, whylen);
	if (rc == STORE_OK && p->merge_into)
		rc = merge_group(db, &c, project_id, num, p->merge_into, actor, now, why, whylen);
	current_free(&c);
	return rc;
}

/*
 * A group as lists show it. No "suspects" here: an empty list would claim "no
 * suspects", and finding them costs a walk over each group's reports, too much
 * for every item of a page. The single group (store_group_get) carries them.
 */
static json_t *group_item(sqlite3_stmt *s)
{
	int64_t merged = sqlite3_column_int64(s, 12);

	return json_pack("{s:o,s:o,s:o,s:o,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
			 reply_id('G', sqlite3_column_int64(s, 0)), "status", col_json(s, 1),
			 "kind", col_json(s, 2), "title", col_json(s, 3), "count",
			 (json_int_t)sqlite3_column_int64(s, 4), "testers",
			 (json_int_t)sqlite3_column_int64(s, 5), "first_seen",
			 reply_time(sqlite3_column_int64(s, 6)), "last_seen",
			 reply_time(sqlite3_column_int64(s, 7)), "first_revision", col_json(s, 8),
			 "last_revision", col_json(s, 9), "assignee", col_json(s, 10), "fixed_by",
			 col_json(s, 11), "merged_into",
			 merged ? reply_id('G', merged) : json_null(), "fixed_in", col_json(s, 13));
}

int store_group_get(store_db *db, int64_t project_id, int64_t num, json_t **out)
{
	sqlite3_stmt *s = stmt(db, Q_GROUP_GET);
	json_t *g = NULL, *versions = json_object(), *platforms = json_object();
	int rc;
	int64_t id;

	*out = NULL;
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		json_decref(versions);
		json_decref(platforms);
		return rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	g = group_item(s);
	id = sqlite3_column_int64(s, 14);
	sqlite3_reset(s);
	s = stmt(db, Q_FACETS);
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_object_set_new(strcmp(col_text(s, 0), "version") == 0 ? versions : platforms,
				    col_text(s, 1), json_integer(sqlite3_column_int64(s, 2)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	json_object_set_new(g, "suspects", suspects_json(db, Q_GROUP_SUSPECTS, project_id, id));
	json_object_set_new(g, "versions", versions);
	json_object_set_new(g, "platforms", platforms);
	versions = platforms = NULL;
	if (history(db, project_id, "G", num, g) < 0)
		goto fail;
	*out = g;
	return STORE_OK;
fail:
	json_decref(g);
	json_decref(versions);
	json_decref(platforms);
	return STORE_ERROR;
}

int store_group_list(store_db *db, int64_t project_id, const store_group_filter *f,
		     json_t **items, char next[STORE_CURSOR_MAX])
{
	static const char *const order[] = {
		[STORE_GROUP_SORT_RECENT] = "g.last_seen DESC, g.num DESC",
		[STORE_GROUP_SORT_OLDEST] = "g.first_seen ASC, g.num ASC",
		[STORE_GROUP_SORT_COUNT] = "g.count DESC, g.num DESC",
		[STORE_GROUP_SORT_TESTERS] = "g.testers DESC, g.num DESC",
	};
	/* Keyset pagination: the sort key and the number of the last row seen. */
	static const char *const after[] = {
		[STORE_GROUP_SORT_RECENT] = "AND (g.last_seen < :ck OR (g.last_seen = :ck AND g.num < :cn)) ",
		[STORE_GROUP_SORT_OLDEST] = "AND (g.first_seen > :ck OR (g.first_seen = :ck AND g.num > :cn)) ",
		[STORE_GROUP_SORT_COUNT] = "AND (g.count < :ck OR (g.count = :ck AND g.num < :cn)) ",
		[STORE_GROUP_SORT_TESTERS] = "AND (g.testers < :ck OR (g.testers = :ck AND g.num < :cn)) ",
	};
	static const int key_col[] = {[STORE_GROUP_SORT_RECENT] = 7, [STORE_GROUP_SORT_OLDEST] = 6,
				      [STORE_GROUP_SORT_COUNT] = 4, [STORE_GROUP_SORT_TESTERS] = 5};
	buf sql;
	sqlite3_stmt *s;
	json_t *arr = json_array();
	int rc = STORE_ERROR, n = 0, sort = f->sort;
	int64_t last_key = 0, last_num = 0;

	*items = NULL;
	next[0] = '\0';
	if (sort < 0 || sort > STORE_GROUP_SORT_TESTERS)
		sort = STORE_GROUP_SORT_RECENT;
	buf_init(&sql, 8192);
	buf_puts(&sql, "SELECT " GROUP_COLUMNS ", g.id FROM groups g WHERE g.project_id = :p "
		       "AND g.merged_into IS NULL ");
	if (f->status)
		buf_puts(&sql, "AND g.status = :status ");
	if (f->kind)
		buf_puts(&sql, "AND g.kind = :kind ");
	if (f->version)
		buf_puts(&sql, "AND EXISTS (SELECT 1 FROM group_facets x WHERE x.group_id = g.id "
			       "AND x.facet = 'version' AND x.value = :version) ");
	if (f->platform)
		buf_puts(&sql, "AND EXISTS (SELECT 1 FROM group_facets x WHERE x.group_id = g.id "
			       "AND x.facet = 'platform' AND (x.value = :os OR x.value LIKE :osp)) ");
	if (f->since)
		buf_puts(&sql, "AND g.last_seen >= :since ");
	if (f->until)
		buf_puts(&sql, "AND g.first_seen < :until ");
	if (f->has_cursor)
		buf_puts(&sql, after[sort]);
	buf_printf(&sql, "ORDER BY %s LIMIT :limit", order[sort]);
	s = dyn_stmt(db, sql.p);
	if (!s || !arr)
		goto out;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":status", f->status);
	bind_named_text(s, ":kind", f->kind);
	bind_named_text(s, ":version", f->version);
	bind_named_text(s, ":os", f->platform);
	if (f->platform) {
		char like[300];
		snprintf(like, sizeof(like), "%s %%", f->platform);
		bind_named_text(s, ":osp", like);
	}
	bind_named_int(s, ":since", f->since);
	bind_named_int(s, ":until", f->until);
	bind_named_int(s, ":ck", f->cursor_key);
	bind_named_int(s, ":cn", f->cursor_num);
	bind_named_int(s, ":limit", f->limit + 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == f->limit) {
			snprintf(next, STORE_CURSOR_MAX, "%lld.%lld", (long long)last_key,
				 (long long)last_num);
			break;
		}
		last_num = sqlite3_column_int64(s, 0);
		last_key = sqlite3_column_int64(s, key_col[sort]);
		json_array_append_new(arr, group_item(s));
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		rc = STORE_ERROR;
		goto out;
	}
	*items = arr;
	arr = NULL;
	rc = STORE_OK;
out:
	json_decref(arr);
	buf_free(&sql);
	return rc;
}

/* ---- the project's git history ---- */

void store_db_set_aux(store_db *db, void *aux, void (*free_fn)(void *aux))
{
	db->aux = aux;
	db->aux_free = free_fn;
}

void *store_db_aux(store_db *db)
{
	return db->aux;
}

uint64_t store_db_txn(store_db *db)
{
	return db->txn;
}

int store_project_repo(store_db *db, int64_t project_id, char **path)
{
	sqlite3_stmt *s = stmt(db, Q_PROJECT_REPO);
	int rc;

	*path = NULL;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (col_text(s, 0))
			*path = strdup(col_text(s, 0));
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

int store_commit_put(store_db *db, int64_t project_id, const store_commit_info *c)
{
	sqlite3_stmt *s = stmt(db, Q_COMMIT_PUT);

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, c->id, -1, SQLITE_STATIC);
	bind_text_or_null(s, 3, c->author_name);
	bind_text_or_null(s, 4, c->author_email);
	if (c->author_time)
		sqlite3_bind_int64(s, 5, c->author_time);
	else
		sqlite3_bind_null(s, 5);
	bind_text_or_null(s, 6, c->summary);
	return step_done(s);
}

/* A single text value of a query keyed by (project, text). */
static int text_of(store_db *db, int q, int64_t project_id, const char *key, int64_t num,
		   char *out, size_t outsz)
{
	sqlite3_stmt *s = stmt(db, q);
	int rc;

	out[0] = '\0';
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	if (key)
		sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 2, num);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(out, outsz, "%s", col_text(s, 0) ? col_text(s, 0) : "");
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

int store_commit_set_release(store_db *db, int64_t project_id, const char *id,
			     const char *release)
{
	sqlite3_stmt *s = stmt(db, Q_COMMIT_SET_RELEASE);

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	bind_text_or_null(s, 3, release && *release ? release : NULL);
	return step_done(s);
}

/* Run a one-column query and call fn on each value. The values are copied first, so fn
 * may run other statements. */
static int each_text(store_db *db, int q, int64_t project_id,
		     int (*fn)(void *ctx, const char *v), void *ctx)
{
	sqlite3_stmt *s = stmt(db, q);
	char **vals = NULL, **nv;
	size_t n = 0, cap = 0, i;
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(vals, cap * sizeof(*vals));
			if (!nv) {
				rc = SQLITE_NOMEM;
				break;
			}
			vals = nv;
		}
		vals[n] = strdup(col_text(s, 0) ? col_text(s, 0) : "");
		if (!vals[n]) {
			rc = SQLITE_NOMEM;
			break;
		}
		n++;
	}
	sqlite3_reset(s);
	rc = rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
	for (i = 0; i < n; i++) {
		if (rc == STORE_OK && fn(ctx, vals[i]) < 0)
			rc = STORE_ERROR;
		free(vals[i]);
	}
	free(vals);
	return rc;
}

int store_commits_each(store_db *db, int64_t project_id,
		       int (*fn)(void *ctx, const char *id), void *ctx)
{
	return each_text(db, Q_COMMITS_EACH, project_id, fn, ctx);
}

int store_report_commit(store_db *db, int64_t project_id, int64_t num, char commit[41])
{
	return text_of(db, Q_REPORT_COMMIT, project_id, NULL, num, commit, 41);
}

int store_unresolved_each(store_db *db, int64_t project_id,
			  int (*fn)(void *ctx, const char *revision), void *ctx)
{
	return each_text(db, Q_UNRESOLVED, project_id, fn, ctx);
}

int store_unresolved_reports_each(store_db *db, int64_t project_id, const char *revision,
				  int (*fn)(void *ctx, int64_t num), void *ctx)
{
	sqlite3_stmt *s = dyn_stmt(db, "SELECT num FROM reports WHERE project_id = :p AND "
				       "revision = :r AND commit_id IS NULL");
	int rc;

	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":r", revision);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(ctx, sqlite3_column_int64(s, 0)) < 0) {
			sqlite3_reset(s);
			return STORE_ERROR;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_report_frames(store_db *db, int64_t project_id, int64_t num, json_t **frames)
{
	sqlite3_stmt *s = dyn_stmt(db, "SELECT json_extract(body, '$.frames') FROM reports "
				       "WHERE project_id = :p AND num = :n");
	const char *text;
	int rc;

	*frames = NULL;
	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_int(s, ":n", num);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		text = col_text(s, 0);
		if (text)
			*frames = json_loads(text, 0, NULL);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

int store_revision_resolved(store_db *db, int64_t project_id, const char *revision,
			    const char *commit_id)
{
	sqlite3_stmt *s = stmt(db, Q_REVISION_RESOLVED);

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, revision, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, commit_id, -1, SQLITE_STATIC);
	return step_done(s);
}

int store_fix_builds_each(store_db *db, int64_t project_id, const char *fix,
			  int (*fn)(void *ctx, int64_t group_num, const char *build,
				    int64_t report_num),
			  void *ctx)
{
	sqlite3_stmt *s = dyn_stmt(db, "SELECT g.num, r.commit_id, min(r.num) FROM groups g "
				       "JOIN reports r ON r.group_id = g.id WHERE g.project_id = :p "
				       "AND g.fixed_by = :c AND g.status = 'fixed' AND "
				       "g.merged_into IS NULL AND r.commit_id IS NOT NULL "
				       "GROUP BY g.num, r.commit_id ORDER BY g.num, 3");
	struct build {
		int64_t group, report;
		char commit[41];
	} *rows = NULL, *nr;
	size_t n = 0, cap = 0, i;
	int rc;

	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":c", fix);
	/* Copied first: fn marks groups regressed, which this statement reads. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nr = realloc(rows, cap * sizeof(*rows));
			if (!nr) {
				rc = SQLITE_NOMEM;
				break;
			}
			rows = nr;
		}
		rows[n].group = sqlite3_column_int64(s, 0);
		snprintf(rows[n].commit, sizeof(rows[n].commit), "%s", col_text(s, 1));
		rows[n].report = sqlite3_column_int64(s, 2);
		n++;
	}
	sqlite3_reset(s);
	rc = rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
	for (i = 0; rc == STORE_OK && i < n; i++)
		if (fn(ctx, rows[i].group, rows[i].commit, rows[i].report) < 0)
			rc = STORE_ERROR;
	free(rows);
	return rc;
}

int store_group_fix(store_db *db, int64_t project_id, int64_t group_num, char fixed_by[41],
		    char status[32])
{
	sqlite3_stmt *s = stmt(db, Q_GROUP_FIX);
	int rc;

	fixed_by[0] = status[0] = '\0';
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, group_num);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(fixed_by, 41, "%s", col_text(s, 0));
		snprintf(status, 32, "%s", col_text(s, 1));
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

int store_group_regressed(store_db *db, int64_t project_id, int64_t group_num,
			  int64_t report_num, int64_t now)
{
	sqlite3_stmt *s = stmt(db, Q_GROUP_REGRESSED);
	char status[32], fix[41], actor[40];

	if (!s || store_group_fix(db, project_id, group_num, fix, status) < 0)
		return STORE_ERROR;
	s = stmt(db, Q_GROUP_REGRESSED);
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, group_num);
	if (step_done(s) != STORE_OK)
		return STORE_ERROR;
	if (sqlite3_changes(db->db) == 0)
		return STORE_OK;
	/* The report whose build holds the fix is what showed the regression. */
	snprintf(actor, sizeof(actor), "report R-%lld", (long long)report_num);
	return audit(db, project_id, "G", group_num, actor, "status", status, "regressed", now);
}

int store_link_add(store_db *db, int64_t project_id, char type, int64_t num,
		   const char *commit_id, int implement)
{
	char t[2] = {type, '\0'};
	int i, qs[] = {Q_LINK_ADD, Q_LINK_MISSING};

	for (i = 0; i < 2; i++) {
		sqlite3_stmt *s = stmt(db, qs[i]);

		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_text(s, 2, t, 1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, num);
		sqlite3_bind_text(s, 4, commit_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, implement ? "implement" : "fix", -1, SQLITE_STATIC);
		if (step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	db->links_memo.txn = 0; /* the project has links now */
	return STORE_OK;
}

/*
 * Set-based and driven by the links table (a few thousand rows at most), never
 * by a scan of reports: the candidate items are those a fix link names, or the
 * groups of the reports a link fixed. Rare (a sync, a new item), so prepared
 * per shape like the list queries.
 *
 * The fix an item records is its newest fixing commit (by commit date; the
 * larger id when two share a second): the item is fixed only once every commit
 * that fixes it is in, so "fixed in" names the first release that holds the
 * last of them. A link sets the fix of an item that has none; and it replaces
 * the fix of an item that is open again (regressed, or reopened to new, triaged
 * or in_progress) when its commit is newer than the recorded one: the new fix
 * is what fixes the regression. An item still fixed keeps its fix.
 */
#define FIX_REOPENED "('new', 'triaged', 'in_progress', 'regressed')" /* a link fixes these */
#define COMMIT_TIME(id)                                                                     \
	"(SELECT t.author_time FROM commits t WHERE t.project_id = :p AND t.id = " id ")"
/* Is link l's commit newer than `fix`, the one recorded? Unknown dates never are. */
#define LINK_NEWER(fix)                                                                     \
	"(l.commit_id <> " fix " AND coalesce(" COMMIT_TIME("l.commit_id") ", -1) > "        \
	"coalesce(" COMMIT_TIME(fix) ", 9223372036854775807))"
#define LINKED_REPORTS                                                                      \
	"SELECT r.id FROM links l JOIN reports r ON r.project_id = l.project_id AND r.num = " \
	"l.ref_num WHERE l.project_id = :p AND l.ref_type = 'R' AND l.kind = 'fix' AND "      \
	"(r.fixed_by IS NULL OR (r.status IN " FIX_REOPENED " AND " LINK_NEWER("r.fixed_by") \
	")) AND (:n = 0 OR (:t = 'R' AND l.ref_num = :n))"
#define REPORT_FIX                                                                          \
	"(SELECT l.commit_id FROM links l LEFT JOIN commits c ON c.project_id = l.project_id " \
	"AND c.id = l.commit_id WHERE l.project_id = r.project_id AND l.ref_type = 'R' AND "  \
	"l.ref_num = r.num AND l.kind = 'fix' ORDER BY c.author_time DESC, l.commit_id DESC " \
	"LIMIT 1)"
#define LINKED_GROUPS                                                                       \
	"SELECT g.id FROM links l JOIN groups g ON g.project_id = l.project_id AND g.num = "  \
	"l.ref_num WHERE l.project_id = :p AND l.ref_type = 'G' AND l.kind = 'fix' AND "      \
	"(g.fixed_by IS NULL OR (g.status IN " FIX_REOPENED " AND " LINK_NEWER("g.fixed_by") \
	")) AND g.merged_into IS NULL AND (:n = 0 OR (:t = 'G' AND "                          \
	"l.ref_num = :n)) UNION SELECT g.id FROM links l JOIN reports r ON r.project_id = "   \
	"l.project_id AND r.num = l.ref_num AND r.fixed_by = l.commit_id JOIN groups g ON "   \
	"g.id = r.group_id WHERE l.project_id = :p AND l.ref_type = 'R' AND l.kind = 'fix' "  \
	"AND (g.fixed_by IS NULL OR (g.status IN " FIX_REOPENED " AND "                       \
	LINK_NEWER("g.fixed_by") ")) AND g.merged_into IS NULL AND (:n = 0 OR (:t = 'R' AND " \
	"l.ref_num = :n) OR (:t = 'G' AND g.num = :n))"
/* The newest of the group's own fixing commits and those of its reports' fixes. */
#define GROUP_FIX                                                                           \
	"(SELECT u.id FROM (SELECT l.commit_id AS id FROM links l WHERE l.project_id = "     \
	"g.project_id AND l.ref_type = 'G' AND l.ref_num = g.num AND l.kind = 'fix' UNION "   \
	"SELECT x.fixed_by FROM reports x JOIN links l ON l.project_id = x.project_id AND "   \
	"l.ref_type = 'R' AND l.ref_num = x.num AND l.commit_id = x.fixed_by WHERE "          \
	"x.group_id = g.id) u LEFT JOIN commits c ON c.project_id = g.project_id AND c.id = " \
	"u.id ORDER BY c.author_time DESC, u.id DESC LIMIT 1)"
#define RELEASE_OF(id)                                                                      \
	"(SELECT v.release FROM commits v WHERE v.project_id = :p AND v.id = " id ")"

/* Who made the change, in the history: the fixing commit ("commit abc1234"). */
#define REPORT_FIX_ACTOR "'commit ' || substr(" REPORT_FIX ", 1, 7)"
#define GROUP_FIX_ACTOR "'commit ' || substr(" GROUP_FIX ", 1, 7)"
#define AUDIT_INSERT                                                                        \
	"INSERT INTO audit(project_id, target_type, target_num, actor, field, old_value, "  \
	"new_value, at) "

int store_links_apply(store_db *db, int64_t project_id, char type, int64_t num, int64_t now)
{
	static const char *const steps[] = {
		/* history first, while the old values are still there: every change a link makes */
		AUDIT_INSERT "SELECT r.project_id, 'R', r.num, " REPORT_FIX_ACTOR ", 'fixed_by', "
		"r.fixed_by, " REPORT_FIX ", :now FROM reports r WHERE r.id IN (" LINKED_REPORTS ")",
		AUDIT_INSERT "SELECT r.project_id, 'R', r.num, " REPORT_FIX_ACTOR ", 'status', "
		"r.status, 'fixed', :now FROM reports r WHERE r.status IN " FIX_REOPENED
		" AND r.id IN (" LINKED_REPORTS ")",
		AUDIT_INSERT "SELECT r.project_id, 'R', r.num, " REPORT_FIX_ACTOR ", 'fixed_in', "
		RELEASE_OF("r.fixed_by") ", " RELEASE_OF(REPORT_FIX) ", :now FROM reports r WHERE "
		RELEASE_OF(REPORT_FIX) " IS NOT " RELEASE_OF("r.fixed_by") " AND r.id IN ("
		LINKED_REPORTS ")",
		"UPDATE reports AS r SET fixed_by = " REPORT_FIX ", status = CASE WHEN status IN "
		FIX_REOPENED " THEN 'fixed' ELSE status END WHERE r.id IN (" LINKED_REPORTS ")",
		/* groups named by a link, or holding a report a link fixed */
		AUDIT_INSERT "SELECT g.project_id, 'G', g.num, " GROUP_FIX_ACTOR ", 'fixed_by', "
		"g.fixed_by, " GROUP_FIX ", :now FROM groups g WHERE g.id IN (" LINKED_GROUPS ")",
		AUDIT_INSERT "SELECT g.project_id, 'G', g.num, " GROUP_FIX_ACTOR ", 'status', "
		"g.status, 'fixed', :now FROM groups g WHERE g.status IN " FIX_REOPENED
		" AND g.id IN (" LINKED_GROUPS ")",
		AUDIT_INSERT "SELECT g.project_id, 'G', g.num, " GROUP_FIX_ACTOR ", 'fixed_in', "
		RELEASE_OF("g.fixed_by") ", " RELEASE_OF(GROUP_FIX) ", :now FROM groups g WHERE "
		RELEASE_OF(GROUP_FIX) " IS NOT " RELEASE_OF("g.fixed_by") " AND g.id IN ("
		LINKED_GROUPS ")",
		"UPDATE groups AS g SET fixed_by = " GROUP_FIX ", status = CASE WHEN status IN "
		FIX_REOPENED " THEN 'fixed' ELSE status END WHERE g.id IN (" LINKED_GROUPS ")",
	};
	char t[2] = {type ? type : 'R', '\0'};
	size_t i;

	if (suggestions_ship(db, project_id, now) < 0)
		return STORE_ERROR;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		sqlite3_stmt *s = dyn_stmt(db, steps[i]);

		if (!s)
			return STORE_ERROR;
		bind_named_int(s, ":p", project_id);
		bind_named_int(s, ":now", now);
		bind_named_text(s, ":t", t);
		bind_named_int(s, ":n", num);
		if (step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int store_links_pending(store_db *db, int64_t project_id, char type, int64_t num)
{
	sqlite3_stmt *s;
	char t[2] = {type, '\0'};
	int64_t n = 0;

	/* Most projects have no links at all (or none yet): learn that once per transaction. */
	if (db->links_memo.txn != db->txn || db->links_memo.project_id != project_id) {
		s = dyn_stmt(db, "SELECT EXISTS (SELECT 1 FROM links WHERE project_id = :p)");
		if (!s)
			return STORE_ERROR;
		bind_named_int(s, ":p", project_id);
		if (step_int(s, &n) < 0)
			return STORE_ERROR;
		db->links_memo.txn = db->txn;
		db->links_memo.project_id = project_id;
		db->links_memo.has_links = n > 0;
	}
	if (!db->links_memo.has_links)
		return 0;
	s = stmt(db, Q_LINK_PENDING);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, t, 1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, num);
	if (step_int(s, &n) < 0)
		return STORE_ERROR;
	return n > 0;
}

int store_tips_get(store_db *db, int64_t project_id, char (**ids)[41], size_t *n)
{
	sqlite3_stmt *s = stmt(db, Q_TIPS_GET);
	char(*v)[41] = NULL, (*nv)[41];
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = nv;
		}
		snprintf(v[*n], 41, "%s", col_text(s, 0));
		(*n)++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(v);
		*n = 0;
		return STORE_ERROR;
	}
	*ids = v;
	return STORE_OK;
}

int store_tips_set(store_db *db, int64_t project_id, const char (*ids)[41], size_t n)
{
	sqlite3_stmt *s = stmt(db, Q_TIPS_CLEAR);
	size_t i;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	if (step_done(s) != STORE_OK)
		return STORE_ERROR;
	for (i = 0; i < n; i++) {
		s = stmt(db, Q_TIPS_ADD);
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_text(s, 2, ids[i], -1, SQLITE_STATIC);
		if (step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int store_release_add(store_db *db, int64_t project_id, const char *name, const char *ref,
		      const char *commit_id, int64_t now)
{
	sqlite3_stmt *s = stmt(db, Q_RELEASE_ADD);

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, commit_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now);
	return step_done(s);
}

int store_releases(store_db *db, int64_t project_id, char ***names, char ***tips, size_t *n)
{
	sqlite3_stmt *s = stmt(db, Q_RELEASES);
	char **nm = NULL, **tp = NULL, **x;
	size_t cap = 0, i;
	int rc;

	*names = *tips = NULL;
	*n = 0;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			x = realloc(nm, cap * sizeof(*nm));
			if (x)
				nm = x;
			x = x ? realloc(tp, cap * sizeof(*tp)) : NULL;
			if (!x) {
				rc = SQLITE_NOMEM;
				break;
			}
			tp = x;
		}
		nm[*n] = strdup(col_text(s, 0));
		tp[*n] = strdup(col_text(s, 1));
		(*n)++;
		if (!nm[*n - 1] || !tp[*n - 1]) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		for (i = 0; i < *n; i++) {
			free(nm[i]);
			free(tp[i]);
		}
		free(nm);
		free(tp);
		*n = 0;
		return STORE_ERROR;
	}
	*names = nm;
	*tips = tp;
	return STORE_OK;
}

int store_release_set_position(store_db *db, int64_t project_id, const char *name, int pos)
{
	sqlite3_stmt *s = stmt(db, Q_RELEASE_POSITION);

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, pos);
	return step_done(s);
}

int store_release_get(store_db *db, int64_t project_id, const char *name, json_t **out)
{
	sqlite3_stmt *s = stmt(db, Q_RELEASE_GET);
	json_t *rel = NULL, *reports = json_array(), *groups = json_array();
	int rc;

	*out = NULL;
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		json_decref(reports);
		json_decref(groups);
		return rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	rel = json_pack("{s:o,s:o,s:o,s:I,s:o}", "name", col_json(s, 0), "ref", col_json(s, 1),
			"commit", col_json(s, 2), "position", (json_int_t)sqlite3_column_int64(s, 3),
			"created_at", reply_time(sqlite3_column_int64(s, 4)));
	sqlite3_reset(s);
	s = stmt(db, Q_RELEASE_FIXED_REPORTS);
	if (!s || !rel)
		goto fail;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(reports, json_pack("{s:o,s:o,s:o}", "id",
							 reply_id('R', sqlite3_column_int64(s, 0)),
							 "title", col_json(s, 1), "fixed_by",
							 col_json(s, 2)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	s = stmt(db, Q_RELEASE_FIXED_GROUPS);
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(
			groups, json_pack("{s:o,s:o,s:o,s:I,s:I}", "id",
					  reply_id('G', sqlite3_column_int64(s, 0)), "title",
					  col_json(s, 1), "fixed_by", col_json(s, 2), "count",
					  (json_int_t)sqlite3_column_int64(s, 3), "testers",
					  (json_int_t)sqlite3_column_int64(s, 4)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	json_object_set_new(rel, "fixed_reports", reports);
	json_object_set_new(rel, "fixed_groups", groups);
	json_object_set_new(rel, "shipped_suggestions", shipped_json(db, project_id, name, 1));
	json_object_set_new(rel, "contributors", contributors_json(db, project_id, name));
	*out = rel;
	return STORE_OK;
fail:
	json_decref(rel);
	json_decref(reports);
	json_decref(groups);
	return STORE_ERROR;
}

int store_release_list(store_db *db, int64_t project_id, json_t **out)
{
	sqlite3_stmt *s = stmt(db, Q_RELEASE_LIST);
	json_t *arr = json_array();
	int rc;

	*out = NULL;
	if (!s || !arr) {
		json_decref(arr);
		return STORE_ERROR;
	}
	sqlite3_bind_int64(s, 1, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(
			arr, json_pack("{s:o,s:o,s:o,s:I,s:o,s:I,s:I,s:I}", "name", col_json(s, 0),
				       "ref", col_json(s, 1), "commit", col_json(s, 2), "position",
				       (json_int_t)sqlite3_column_int64(s, 3), "created_at",
				       reply_time(sqlite3_column_int64(s, 4)), "fixed_reports",
				       (json_int_t)sqlite3_column_int64(s, 5), "fixed_groups",
				       (json_int_t)sqlite3_column_int64(s, 6), "shipped_suggestions",
				       (json_int_t)sqlite3_column_int64(s, 7)));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return STORE_ERROR;
	}
	*out = json_pack("{s:o,s:n}", "items", arr, "next");
	return STORE_OK;
}

int store_suspect_add(store_db *db, int64_t project_id, int64_t report_num, const char *commit_id,
		      const char *path, int64_t line)
{
	sqlite3_stmt *s = stmt(db, Q_SUSPECT_ADD);

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, report_num);
	sqlite3_bind_text(s, 3, commit_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, line);
	return step_done(s);
}

/* {"function","file","line"}: one frame a suspect commit is blamed for. */
static json_t *suspect_frame(sqlite3_stmt *s, int path_col)
{
	return json_pack("{s:o,s:o,s:I}", "function", col_json(s, path_col + 2), "file",
			 col_json(s, path_col), "line", (json_int_t)sqlite3_column_int64(s, path_col + 1));
}

static json_t *suspect_commit(sqlite3_stmt *s)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "id", col_json(s, 0), "author",
			 col_json(s, 1), "email", col_json(s, 2), "date",
			 reply_time(sqlite3_column_int64(s, 3)), "summary", col_json(s, 4),
			 "frames", json_array());
}

/*
 * Suspect commits: of one report (key = its number), or of a group (key = its row
 * id). Each commit once, with the frames it is blamed for; a group's also with the
 * number of its reports that blame it.
 */
static json_t *suspects_json(store_db *db, int q, int64_t project_id, int64_t key)
{
	sqlite3_stmt *s = stmt(db, q), *fr;
	json_t *arr = json_array(), *c = NULL, *it;
	size_t i;

	if (!s || !arr)
		return arr;
	if (q == Q_REPORT_SUSPECTS) {
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_int64(s, 2, key);
	} else {
		sqlite3_bind_int64(s, 1, key);
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		/* A report's rows come a commit at a time: a new id starts a new entry. */
		if (q != Q_REPORT_SUSPECTS || !c ||
		    strcmp(json_string_value(json_object_get(c, "id")), col_text(s, 0)) != 0) {
			c = suspect_commit(s);
			json_array_append_new(arr, c);
		}
		if (q == Q_REPORT_SUSPECTS)
			json_array_append_new(json_object_get(c, "frames"), suspect_frame(s, 5));
		else
			json_object_set_new(c, "reports", json_integer(sqlite3_column_int64(s, 5)));
	}
	sqlite3_reset(s);
	if (q == Q_REPORT_SUSPECTS)
		return arr;
	json_array_foreach(arr, i, it)
	{
		fr = stmt(db, Q_GROUP_SUSPECT_FRAMES);
		if (!fr)
			break;
		sqlite3_bind_int64(fr, 1, key);
		sqlite3_bind_text(fr, 2, json_string_value(json_object_get(it, "id")), -1,
				  SQLITE_TRANSIENT);
		while (sqlite3_step(fr) == SQLITE_ROW)
			json_array_append_new(json_object_get(it, "frames"), suspect_frame(fr, 0));
		sqlite3_reset(fr);
	}
	return arr;
}

/* ---- suggestions ---- */



static int suggestions_ship(store_db *db, int64_t project_id, int64_t now)
{
	static const char *const steps[] = {
		/* shipped_in follows from the first release holding the implementing commit;
		 * kept in s.shipped_in too, so that each change of it is seen and recorded */
		"INSERT INTO audit(project_id, target_type, target_num, actor, field, old_value, "
		"new_value, at) SELECT s.project_id, 'S', s.num, 'git', 'shipped_in', s.shipped_in, "
		SHIPPED_BY_GIT ", :now FROM suggestions s WHERE s.project_id = :p AND s.status NOT "
		"IN ('declined', 'duplicate') AND " SHIPPED_BY_GIT " IS NOT NULL AND "
		SHIPPED_BY_GIT " IS NOT s.shipped_in",
		"INSERT INTO audit(project_id, target_type, target_num, actor, field, old_value, "
		"new_value, at) SELECT s.project_id, 'S', s.num, 'git', 'status', s.status, "
		"'shipped', :now FROM suggestions s WHERE s.project_id = :p AND s.status NOT IN "
		"('shipped', 'declined', 'duplicate') AND " SHIPPED_BY_GIT " IS NOT NULL",
		"UPDATE suggestions AS s SET status = 'shipped' WHERE s.project_id = :p AND "
		"s.status NOT IN ('shipped', 'declined', 'duplicate') AND " SHIPPED_BY_GIT
		" IS NOT NULL",
		"UPDATE suggestions AS s SET shipped_in = " SHIPPED_BY_GIT " WHERE s.project_id = "
		":p AND s.status NOT IN ('declined', 'duplicate') AND " SHIPPED_BY_GIT " IS NOT "
		"NULL AND " SHIPPED_BY_GIT " IS NOT s.shipped_in",
	};
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		sqlite3_stmt *s = dyn_stmt(db, steps[i]);

		if (!s)
			return STORE_ERROR;
		bind_named_int(s, ":p", project_id);
		bind_named_int(s, ":now", now);
		if (step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

/* One statement, prepared once per shape and kept (see dyn_stmt); bound by name. */
static sqlite3_stmt *q(store_db *db, const char *sql)
{
	return dyn_stmt(db, sql);
}

int store_suggestion_add(store_db *db, int64_t project_id, const store_suggestion *in,
			 int64_t now, int64_t *num, int *created)
{
	sqlite3_stmt *s = q(db, "SELECT num FROM suggestions WHERE project_id = :p AND uuid = :u");
	int rc;

	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":u", in->uuid);
	rc = step_int(s, num);
	if (rc != STORE_NOTFOUND) {
		*created = 0;
		return rc;
	}
	s = q(db, "UPDATE projects SET next_suggestion = next_suggestion + 1 WHERE id = :p "
		  "RETURNING next_suggestion - 1");
	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	if (step_int(s, num) != STORE_OK)
		return STORE_ERROR;
	s = q(db, "INSERT INTO suggestions(project_id, num, uuid, title, body, install_id, "
		  "tester_name, created_at, updated_at) VALUES (:p, :n, :u, :t, :b, :i, :name, :now, "
		  ":now)");
	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_int(s, ":n", *num);
	bind_named_text(s, ":u", in->uuid);
	bind_named_text(s, ":t", in->title);
	bind_named_text(s, ":b", in->body);
	bind_named_text(s, ":i", in->install_id);
	bind_named_text(s, ":name", in->tester_name);
	bind_named_int(s, ":now", now);
	if (step_done(s) != STORE_OK)
		return STORE_ERROR;
	s = q(db, "INSERT INTO suggestions_fts(rowid, title, body) VALUES (last_insert_rowid(), "
		  ":t, :b)");
	if (!s)
		return STORE_ERROR;
	bind_named_text(s, ":t", in->title);
	bind_named_text(s, ":b", in->body ? in->body : "");
	if (step_done(s) != STORE_OK)
		return STORE_ERROR;
	*created = 1;
	/* Its author's vote comes with it, so a suggestion starts at one. */
	return store_vote(db, project_id, *num, in->install_id, in->tester_name, 1, now, NULL);
}

/* The suggestion a vote on `num` lands on: a duplicate hands its votes to its target. */
static int vote_target(store_db *db, int64_t project_id, int64_t num, int64_t *id)
{
	sqlite3_stmt *s = q(db, "SELECT coalesce(duplicate_of, id) FROM suggestions "
				"WHERE project_id = :p AND num = :n");

	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_int(s, ":n", num);
	return step_int(s, id);
}

static int recount(store_db *db, int64_t id)
{
	sqlite3_stmt *s = q(db, "UPDATE suggestions SET votes = (SELECT count(*) FROM votes "
				"WHERE suggestion_id = :id) WHERE id = :id");

	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":id", id);
	return step_done(s);
}

int store_vote(store_db *db, int64_t project_id, int64_t num, const char *install_id,
	       const char *tester_name, int add, int64_t now, int64_t *votes)
{
	sqlite3_stmt *s;
	int64_t id;
	int rc = vote_target(db, project_id, num, &id);

	if (rc != STORE_OK)
		return rc;
	s = q(db, add ? "INSERT INTO votes(suggestion_id, install_id, tester_name, created_at) "
			"VALUES (:id, :i, :name, :now) ON CONFLICT DO UPDATE SET tester_name = "
			"coalesce(excluded.tester_name, tester_name)"
		      : "DELETE FROM votes WHERE suggestion_id = :id AND install_id = :i");
	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":id", id);
	bind_named_text(s, ":i", install_id);
	bind_named_text(s, ":name", tester_name);
	bind_named_int(s, ":now", now);
	if (step_done(s) != STORE_OK || recount(db, id) < 0)
		return STORE_ERROR;
	if (!votes)
		return STORE_OK;
	s = q(db, "SELECT votes FROM suggestions WHERE id = :id");
	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":id", id);
	return step_int(s, votes);
}

int store_vote_exists(store_db *db, int64_t project_id, int64_t num, const char *install_id,
		      int *exists)
{
	sqlite3_stmt *s;
	int64_t id, n = 0;
	int rc = vote_target(db, project_id, num, &id);

	if (rc != STORE_OK)
		return rc;
	s = q(db, "SELECT count(*) FROM votes WHERE suggestion_id = :id AND install_id = :i");
	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":id", id);
	bind_named_text(s, ":i", install_id);
	rc = step_int(s, &n);
	*exists = n > 0;
	return rc;
}

#define SUGGESTION_COLUMNS                                                                   \
	"s.num, s.title, s.status, s.votes, " SHIPPED_IN ", s.created_at, s.updated_at, "    \
	"(SELECT d.num FROM suggestions d WHERE d.id = s.duplicate_of), s.body "

static json_t *suggestion_item(sqlite3_stmt *s)
{
	int64_t dup = sqlite3_column_int64(s, 7);

	return json_pack("{s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:o}", "id",
			 reply_id('S', sqlite3_column_int64(s, 0)), "title", col_json(s, 1),
			 "status", col_json(s, 2), "votes", (json_int_t)sqlite3_column_int64(s, 3),
			 "shipped_in", col_json(s, 4), "created_at",
			 reply_time(sqlite3_column_int64(s, 5)), "updated_at",
			 reply_time(sqlite3_column_int64(s, 6)), "duplicate_of",
			 dup ? reply_id('S', dup) : json_null(), "body", col_json(s, 8));
}

int store_suggestion_list(store_db *db, int64_t project_id, const store_suggestion_filter *f,
			  json_t **items, int64_t *next)
{
	buf sql, fq;
	sqlite3_stmt *s;
	json_t *arr = json_array();
	int rc = STORE_ERROR, n = 0;

	*items = NULL;
	*next = 0;
	buf_init(&sql, 8192);
	buf_init(&fq, 4096);
	if (f->q) {
		rc = fts_query(db, f->q, &fq);
		if (rc == STORE_ERROR)
			goto out;
		if (rc == 0) {
			*items = arr; /* nothing searchable: nothing found */
			arr = NULL;
			rc = STORE_OK;
			goto out;
		}
	}
	buf_puts(&sql, "SELECT " SUGGESTION_COLUMNS "FROM suggestions s ");
	if (f->q)
		buf_puts(&sql, "JOIN suggestions_fts x ON x.rowid = s.id AND suggestions_fts MATCH :q ");
	buf_puts(&sql, "WHERE s.project_id = :p ");
	if (f->status)
		buf_puts(&sql, "AND s.status = :status ");
	else
		buf_puts(&sql, "AND s.status <> 'duplicate' ");
	/* Sorted by votes (or recency); the cursor is an offset into that order. */
	buf_puts(&sql, f->q ? "ORDER BY bm25(suggestions_fts, 5.0, 1.0), s.votes DESC "
		       : f->newest ? "ORDER BY s.num DESC "
				   : "ORDER BY s.votes DESC, s.num DESC ");
	buf_puts(&sql, "LIMIT :limit OFFSET :offset");
	s = dyn_stmt(db, sql.p);
	if (!s || !arr)
		goto out;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":q", fq.p);
	bind_named_text(s, ":status", f->status);
	bind_named_int(s, ":limit", f->limit + 1);
	bind_named_int(s, ":offset", f->offset);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == f->limit) {
			*next = f->offset + n;
			break;
		}
		json_array_append_new(arr, suggestion_item(s));
		n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		rc = STORE_ERROR;
		goto out;
	}
	*items = arr;
	arr = NULL;
	rc = STORE_OK;
out:
	json_decref(arr);
	buf_free(&sql);
	buf_free(&fq);
	return rc;
}

int store_suggestion_get(store_db *db, int64_t project_id, int64_t num, json_t **out)
{
	sqlite3_stmt *s = q(db, "SELECT " SUGGESTION_COLUMNS "FROM suggestions s "
				"WHERE s.project_id = :p AND s.num = :n");
	json_t *v;
	int rc;

	*out = NULL;
	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_int(s, ":n", num);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	v = suggestion_item(s);
	sqlite3_reset(s);
	if (!v || history(db, project_id, "S", num, v) < 0) {
		json_decref(v);
		return STORE_ERROR;
	}
	*out = v;
	return STORE_OK;
}

int store_suggestion_patch(store_db *db, int64_t project_id, int64_t num,
			   const store_suggestion_change *p, const char *actor, int64_t now,
			   char *why, size_t whylen)
{
	sqlite3_stmt *s = q(db, "SELECT id, status, duplicate_of, " SHIPPED_IN
				" FROM suggestions s WHERE project_id = :p AND num = :n");
	char status[32], shipped[128];
	int64_t id, dup, target;
	int rc;

	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_int(s, ":n", num);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	id = sqlite3_column_int64(s, 0);
	snprintf(status, sizeof(status), "%s", col_text(s, 1));
	dup = sqlite3_column_int64(s, 2);
	snprintf(shipped, sizeof(shipped), "%s", col_text(s, 3) ? col_text(s, 3) : "");
	sqlite3_reset(s);

	if (p->duplicate_of) {
		/* Votes and voters move to the target; an install that voted for both counts once. */
		if (p->duplicate_of == num || dup) {
			snprintf(why, whylen, p->duplicate_of == num
						      ? "a suggestion cannot duplicate itself"
						      : "S-%lld is already a duplicate", (long long)num);
			return STORE_INVALID;
		}
		s = q(db, "SELECT id FROM suggestions WHERE project_id = :p AND num = :n AND "
			  "duplicate_of IS NULL");
		if (!s)
			return STORE_ERROR;
		bind_named_int(s, ":p", project_id);
		bind_named_int(s, ":n", p->duplicate_of);
		rc = step_int(s, &target);
		if (rc == STORE_NOTFOUND) {
			snprintf(why, whylen, "no suggestion S-%lld to merge into (or it is itself a "
					      "duplicate)", (long long)p->duplicate_of);
			return STORE_INVALID;
		}
		if (rc != STORE_OK)
			return rc;
		s = q(db, "INSERT OR IGNORE INTO votes(suggestion_id, install_id, tester_name, "
			  "created_at) SELECT :t, install_id, tester_name, created_at FROM votes "
			  "WHERE suggestion_id = :id");
		if (!s)
			return STORE_ERROR;
		bind_named_int(s, ":t", target);
		bind_named_int(s, ":id", id);
		if (step_done(s) != STORE_OK)
			return STORE_ERROR;
		s = q(db, "UPDATE suggestions SET duplicate_of = :t, status = 'duplicate' WHERE id = :id");
		if (!s)
			return STORE_ERROR;
		bind_named_int(s, ":t", target);
		bind_named_int(s, ":id", id);
		if (step_done(s) != STORE_OK || recount(db, target) < 0)
			return STORE_ERROR;
		{
			char t[32];
			snprintf(t, sizeof(t), "S-%lld", (long long)p->duplicate_of);
			if (audit(db, project_id, "S", num, actor, "duplicate_of", NULL, t, now) < 0)
				return STORE_ERROR;
		}
		snprintf(status, sizeof(status), "duplicate");
	}
	if (p->status && strcmp(p->status, status) != 0) {
		if (!workflow_suggestion_transition_ok(status, p->status)) {
			snprintf(why, whylen, "cannot go from %s to %s", status, p->status);
			return STORE_CONFLICT;
		}
		if (strcmp(p->status, "shipped") == 0 && !shipped[0] &&
		    !(p->shipped_in && *p->shipped_in)) {
			snprintf(why, whylen, "say which release shipped it: send shipped_in too");
			return STORE_INVALID;
		}
		s = q(db, "UPDATE suggestions SET status = :s WHERE id = :id");
		if (!s)
			return STORE_ERROR;
		bind_named_text(s, ":s", p->status);
		bind_named_int(s, ":id", id);
		if (step_done(s) != STORE_OK ||
		    audit(db, project_id, "S", num, actor, "status", status, p->status, now) < 0)
			return STORE_ERROR;
	}
	if (p->shipped_in && *p->shipped_in) {
		s = q(db, "SELECT count(*) FROM releases WHERE project_id = :p AND name = :r");
		if (!s)
			return STORE_ERROR;
		bind_named_int(s, ":p", project_id);
		bind_named_text(s, ":r", p->shipped_in);
		if (step_int(s, &target) != STORE_OK)
			return STORE_ERROR;
		if (!target) {
			snprintf(why, whylen, "no release named '%s'", p->shipped_in);
			return STORE_INVALID;
		}
		s = q(db, "UPDATE suggestions SET shipped_in = :r WHERE id = :id");
		if (!s)
			return STORE_ERROR;
		bind_named_text(s, ":r", p->shipped_in);
		bind_named_int(s, ":id", id);
		if (step_done(s) != STORE_OK ||
		    (strcmp(shipped, p->shipped_in) != 0 &&
		     audit(db, project_id, "S", num, actor, "shipped_in", shipped[0] ? shipped : NULL,
			   p->shipped_in, now) < 0))
			return STORE_ERROR;
	}
	if (p->comment && comment_add(db, project_id, "S", num, actor, p->comment, now) < 0)
		return STORE_ERROR;
	return STORE_OK;
}

/*
 * What a tester reads under one of their reports: the team's comments on the report
 * and on its group, and their own replies, in the order written; "from" is "team" or
 * "you". Bodies and times only, never who in the team wrote them.
 */
static json_t *report_thread(store_db *db, int64_t project_id, int64_t num, int64_t group_num)
{
	sqlite3_stmt *s = q(db, "SELECT body, created_at, install_id IS NOT NULL FROM comments "
				"WHERE project_id = :p AND ((target_type = 'R' AND target_num = :r) OR "
				"(target_type = 'G' AND target_num = :g AND install_id IS NULL)) "
				"ORDER BY id");
	json_t *arr = json_array();

	if (!s || !arr)
		return arr;
	bind_named_int(s, ":p", project_id);
	bind_named_int(s, ":r", num);
	bind_named_int(s, ":g", group_num);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o,s:o,s:s}", "body", col_json(s, 0), "at",
						     reply_time(sqlite3_column_int64(s, 1)), "from",
						     sqlite3_column_int(s, 2) ? "you" : "team"));
	sqlite3_reset(s);
	return arr;
}

int store_report_reply(store_db *db, int64_t project_id, int64_t num, const char *install_id,
		       const char *body, int64_t now, json_t **out)
{
	sqlite3_stmt *s = q(db, "SELECT install_id, coalesce(tester_name, 'tester') FROM reports "
				"WHERE project_id = :p AND num = :n");
	char author[160];
	int rc;

	*out = NULL;
	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_int(s, ":n", num);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	rc = strcmp(col_text(s, 0), install_id) == 0 ? STORE_OK : STORE_FORBIDDEN;
	snprintf(author, sizeof(author), "%s", col_text(s, 1));
	sqlite3_reset(s);
	if (rc != STORE_OK)
		return rc;
	s = q(db, "INSERT INTO comments(project_id, target_type, target_num, author, body, "
		  "created_at, install_id) VALUES (:p, 'R', :n, :a, :b, :t, :i)");
	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_int(s, ":n", num);
	bind_named_text(s, ":a", author);
	bind_named_text(s, ":b", body);
	bind_named_int(s, ":t", now);
	bind_named_text(s, ":i", install_id);
	if (step_done(s) != STORE_OK)
		return STORE_ERROR;
	*out = json_pack("{s:o,s:s,s:s,s:o,s:s}", "id", reply_id('R', num), "author", author, "body",
			 body, "at", reply_time(now), "from", "you");
	return *out ? STORE_OK : STORE_ERROR;
}

/* Team comments on one item, for a tester: bodies and times, never the team's tokens. */
static json_t *team_comments(store_db *db, int64_t project_id, const char *type, int64_t num)
{
	sqlite3_stmt *s = stmt(db, Q_COMMENTS);
	json_t *arr = json_array();

	if (!s || !arr)
		return arr;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, num);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o,s:o}", "body", col_json(s, 1), "at",
						     reply_time(sqlite3_column_int64(s, 2))));
	sqlite3_reset(s);
	return arr;
}

int store_mine(store_db *db, int64_t project_id, const char *install_id, int64_t since,
	       json_t **out)
{
	sqlite3_stmt *s;
	json_t *reports = json_array(), *suggs = json_array();
	int rc;

	*out = NULL;
	/* Only this install's items; other testers appear as counts, never as names. */
	s = q(db, "SELECT r.num, r.title, r.kind, " REPORT_STATUS ", g.num, g.status, g.testers, "
		  "(SELECT c.release FROM commits c WHERE c.project_id = g.project_id AND c.id = "
		  "coalesce(r.fixed_by, g.fixed_by)), r.received_at, max(r.updated_at, g.updated_at), "
		  "0 FROM reports r JOIN groups g ON g.id = r.group_id "
		  "WHERE r.project_id = :p AND r.install_id = :i "
		  "AND max(r.updated_at, g.updated_at) >= :since ORDER BY r.num DESC LIMIT 500");
	if (!s || !reports || !suggs)
		goto fail;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":i", install_id);
	bind_named_int(s, ":since", since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t testers = sqlite3_column_int64(s, 6);

		/* A release is named only for what is fixed for this tester. */
		const char *st = col_text(s, 3);

		json_array_append_new(
		    reports,
		    json_pack("{s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o}", "id",
			      reply_id('R', sqlite3_column_int64(s, 0)), "title", col_json(s, 1),
			      "kind", col_json(s, 2), "status", col_json(s, 3), "group",
			      reply_id('G', sqlite3_column_int64(s, 4)), "others",
			      (json_int_t)(testers > 0 ? testers - 1 : 0), "fixed_in",
			      strcmp(st, "fixed") == 0 ? col_json(s, 7) : json_null(),
			      "received_at", reply_time(sqlite3_column_int64(s, 8)), "updated_at",
			      reply_time(sqlite3_column_int64(s, 9))));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	/* Columns 9 and 10: did this install submit it, did it vote for it. */
	s = q(db, "SELECT " SUGGESTION_COLUMNS ", s.install_id IS :i, EXISTS (SELECT 1 FROM votes "
		  "v WHERE v.suggestion_id = s.id AND v.install_id = :i) "
		  "FROM suggestions s WHERE s.project_id = :p AND "
		  "s.updated_at >= :since AND (s.install_id = :i OR s.id IN (SELECT suggestion_id "
		  "FROM votes WHERE install_id = :i)) ORDER BY s.num DESC LIMIT 500");
	if (!s)
		goto fail;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":i", install_id);
	bind_named_int(s, ":since", since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *it = suggestion_item(s);

		/* "mine": this install sent it; "voted": it voted for it (its own too). */
		json_object_set_new(it, "mine", json_boolean(sqlite3_column_int(s, 9)));
		json_object_set_new(it, "voted", json_boolean(sqlite3_column_int(s, 10)));
		json_array_append_new(suggs, it);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		goto fail;
	{
		size_t i;
		json_t *it;
		json_array_foreach(reports, i, it)
		{
			int64_t n, g;
			reply_parse_id(json_string_value(json_object_get(it, "id")), 'R', &n);
			reply_parse_id(json_string_value(json_object_get(it, "group")), 'G', &g);
			json_object_set_new(it, "comments", report_thread(db, project_id, n, g));
		}
		json_array_foreach(suggs, i, it)
		{
			int64_t n;
			reply_parse_id(json_string_value(json_object_get(it, "id")), 'S', &n);
			json_object_set_new(it, "comments", team_comments(db, project_id, "S", n));
		}
	}
	*out = json_pack("{s:o,s:o}", "reports", reports, "suggestions", suggs);
	return *out ? STORE_OK : STORE_ERROR;
fail:
	json_decref(reports);
	json_decref(suggs);
	return STORE_ERROR;
}

/* Suggestions a release shipped, with votes and the credit their testers opted into. */
static json_t *shipped_json(store_db *db, int64_t project_id, const char *release, int names)
{
	sqlite3_stmt *s = q(db, "SELECT s.num, s.title, s.votes, s.tester_name, s.id FROM "
				"suggestions s WHERE s.project_id = :p AND s.duplicate_of IS NULL "
				"AND " SHIPPED_IN " = :r ORDER BY s.votes DESC, s.num");
	json_t *arr = json_array();

	if (!s || !arr)
		return arr;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":r", release);
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *it = json_pack("{s:o,s:o,s:I,s:o}", "id",
				       reply_id('S', sqlite3_column_int64(s, 0)), "title",
				       col_json(s, 1), "votes", (json_int_t)sqlite3_column_int64(s, 2),
				       "suggested_by", col_json(s, 3));
		json_array_append_new(arr, it);
		(void)names;
	}
	sqlite3_reset(s);
	/* Voters who opted in, per suggestion; the rest are counted, not named. */
	{
		size_t i;
		json_t *it;
		json_array_foreach(arr, i, it)
		{
			int64_t n, named = 0, votes = json_integer_value(json_object_get(it, "votes"));
			json_t *voters = json_array();
			sqlite3_stmt *v;

			reply_parse_id(json_string_value(json_object_get(it, "id")), 'S', &n);
			v = q(db, "SELECT DISTINCT v.tester_name FROM votes v JOIN suggestions s ON "
				  "s.id = v.suggestion_id WHERE s.project_id = :p AND s.num = :n AND "
				  "v.tester_name IS NOT NULL ORDER BY v.created_at");
			if (v) {
				bind_named_int(v, ":p", project_id);
				bind_named_int(v, ":n", n);
				while (sqlite3_step(v) == SQLITE_ROW) {
					json_array_append_new(voters, col_json(v, 0));
					named++;
				}
				sqlite3_reset(v);
			}
			json_object_set_new(it, "credited", voters);
			json_object_set_new(it, "others", json_integer(votes > named ? votes - named : 0));
		}
	}
	return arr;
}

/* Testers to thank, opted-in names only: shipped suggestions and fixed reports. */
static json_t *contributors_json(store_db *db, int64_t project_id, const char *release)
{
	sqlite3_stmt *s = q(
		db, "WITH shipped AS (SELECT s.id, s.tester_name FROM suggestions s WHERE "
		    "s.project_id = :p AND s.duplicate_of IS NULL AND " SHIPPED_IN " IS NOT NULL "
		    "AND (:r IS NULL OR " SHIPPED_IN " = :r)), "
		    "fixed AS (SELECT r.tester_name FROM commits c CROSS JOIN reports r ON "
		    "r.project_id = c.project_id AND r.fixed_by = c.id JOIN groups g ON g.id = "
		    "r.group_id WHERE c.project_id = :p AND "
		    "c.release IS NOT NULL AND (:r IS NULL OR c.release = :r) AND r.tester_name IS NOT "
		    "NULL AND " REPORT_STATUS " = 'fixed' UNION ALL SELECT r.tester_name FROM commits "
		    "c CROSS JOIN groups g ON "
		    "g.project_id = c.project_id AND g.fixed_by = c.id CROSS JOIN reports r ON "
		    "r.group_id = g.id WHERE c.project_id = :p AND c.release IS NOT NULL AND (:r IS "
		    "NULL OR c.release = :r) AND r.fixed_by IS NULL AND r.tester_name IS NOT NULL "
		    "AND " REPORT_STATUS " = 'fixed'), "
		    "credit AS (SELECT tester_name AS name, 1 AS sug, 0 AS rep FROM shipped WHERE "
		    "tester_name IS NOT NULL UNION ALL SELECT v.tester_name, 1, 0 FROM votes v JOIN "
		    "shipped ON shipped.id = v.suggestion_id WHERE v.tester_name IS NOT NULL AND "
		    "v.tester_name IS NOT shipped.tester_name UNION ALL SELECT tester_name, 0, 1 FROM "
		    "fixed) "
		    "SELECT name, sum(sug), sum(rep) FROM credit GROUP BY name "
		    "ORDER BY sum(sug) + sum(rep) DESC, name LIMIT 200");
	json_t *arr = json_array();

	if (!s || !arr)
		return arr;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":r", release);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o,s:I,s:I}", "name", col_json(s, 0),
						     "suggestions",
						     (json_int_t)sqlite3_column_int64(s, 1),
						     "fixed_reports",
						     (json_int_t)sqlite3_column_int64(s, 2)));
	sqlite3_reset(s);
	return arr;
}

int store_contributors(store_db *db, int64_t project_id, json_t **out)
{
	*out = json_pack("{s:o}", "items", contributors_json(db, project_id, NULL));
	return *out ? STORE_OK : STORE_ERROR;
}

int store_project_commit_url(store_db *db, int64_t project_id, char **url)
{
	sqlite3_stmt *s = q(db, "SELECT commit_url FROM projects WHERE id = :p");
	int rc;

	*url = NULL;
	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && col_text(s, 0))
		*url = strdup(col_text(s, 0));
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_project_set_commit_url(store_db *db, int64_t project_id, const char *url)
{
	sqlite3_stmt *s = q(db, "UPDATE projects SET commit_url = :u WHERE id = :p");

	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":u", url);
	return step_done(s);
}

int store_report_fix_check(store_db *db, int64_t project_id, int64_t num, const char *fix,
			   int has_fix)
{
	sqlite3_stmt *s = q(db, "UPDATE reports SET fix_checked = :f, has_fix = :h WHERE "
				"project_id = :p AND num = :n");

	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_int(s, ":n", num);
	bind_named_text(s, ":f", fix);
	if (has_fix < 0)
		sqlite3_bind_null(s, sqlite3_bind_parameter_index(s, ":h"));
	else
		bind_named_int(s, ":h", has_fix);
	return step_done(s);
}

/* Reports of groups fixed by a commit whose build was not checked against it (or
 * could not tell while it was unresolved, and is resolved now). */
/* Driven from the groups (CROSS JOIN keeps that order): few are fixed, and reports_group
 * reaches their reports; never a scan of every report. */
#define FIX_UNCHECKED                                                                       \
	"FROM groups g CROSS JOIN reports r ON r.group_id = g.id WHERE "                     \
	"g.project_id = :p AND g.fixed_by IS NOT NULL AND g.merged_into IS NULL AND "       \
	"(r.fix_checked IS NOT g.fixed_by OR (r.has_fix IS NULL AND r.commit_id IS NOT NULL))"

int store_fix_unchecked_each(store_db *db, int64_t project_id, int64_t group_num,
			     int (*fn)(void *ctx, const char *fix, const char *build,
				       int64_t group_num, int64_t report_num, int late),
			     void *ctx)
{
	/* late: checked against this fix before, when the build was not known yet. */
	sqlite3_stmt *s = q(db, "SELECT g.fixed_by, coalesce(r.commit_id, ''), g.num, min(r.num), "
			    "r.fix_checked IS g.fixed_by " FIX_UNCHECKED " AND (:g = 0 OR g.num = :g) "
			    "GROUP BY g.fixed_by, "
			    "r.commit_id, g.num, 5 ORDER BY 3, 4");
	struct pair {
		char fix[41], build[41];
		int64_t group, report;
		int late;
	} *rows = NULL, *nr;
	size_t n = 0, cap = 0, i;
	int rc;

	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_int(s, ":g", group_num);
	/* Copied first: fn writes the reports this statement reads. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nr = realloc(rows, cap * sizeof(*rows));
			if (!nr) {
				rc = SQLITE_NOMEM;
				break;
			}
			rows = nr;
		}
		snprintf(rows[n].fix, sizeof(rows[n].fix), "%s", col_text(s, 0));
		snprintf(rows[n].build, sizeof(rows[n].build), "%s", col_text(s, 1));
		rows[n].group = sqlite3_column_int64(s, 2);
		rows[n].report = sqlite3_column_int64(s, 3);
		rows[n].late = sqlite3_column_int(s, 4);
		n++;
	}
	sqlite3_reset(s);
	rc = rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
	for (i = 0; rc == STORE_OK && i < n; i++)
		if (fn(ctx, rows[i].fix, rows[i].build, rows[i].group, rows[i].report,
		       rows[i].late) < 0)
			rc = STORE_ERROR;
	free(rows);
	return rc;
}

int store_fix_checked(store_db *db, int64_t project_id, int64_t group_num, const char *fix,
		      const char *build, int has_fix)
{
	sqlite3_stmt *s = q(db, "UPDATE reports AS r SET fix_checked = :f, has_fix = :h WHERE "
				"r.commit_id IS :b AND r.group_id = (SELECT "
				"g.id FROM groups g WHERE g.project_id = :p AND g.num = :g AND "
				"g.fixed_by = :f) AND (r.fix_checked IS NOT :f OR r.has_fix IS NOT :h)");

	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_int(s, ":g", group_num);
	bind_named_text(s, ":f", fix);
	if (build && *build)
		bind_named_text(s, ":b", build);
	else
		sqlite3_bind_null(s, sqlite3_bind_parameter_index(s, ":b"));
	if (has_fix < 0)
		sqlite3_bind_null(s, sqlite3_bind_parameter_index(s, ":h"));
	else
		bind_named_int(s, ":h", has_fix);
	return step_done(s);
}

int store_project_version_tag(store_db *db, int64_t project_id, char **pattern)
{
	sqlite3_stmt *s = q(db, "SELECT version_tag FROM projects WHERE id = :p");
	int rc;

	*pattern = NULL;
	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && col_text(s, 0)) {
		*pattern = strdup(col_text(s, 0));
		if (!*pattern)
			rc = SQLITE_NOMEM;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_project_set_version_tag(store_db *db, int64_t project_id, const char *pattern)
{
	sqlite3_stmt *s = q(db, "UPDATE projects SET version_tag = :v WHERE id = :p");

	if (!s)
		return STORE_ERROR;
	bind_named_int(s, ":p", project_id);
	bind_named_text(s, ":v", pattern && *pattern ? pattern : NULL);
	return step_done(s);
}

/* ---- threads ---- */

static void post_done(store_job *job)
{
	loop_post(job->owner, &job->task);
}

/*
 * The writer: take everything queued (up to batch_max) and run it in one
 * transaction, each job in a savepoint of its own so that one refused job
 * does not undo the others. One commit, one fsync, for the whole batch; the
 * answers go out only after it.
 */
/* Did the last statement fail for want of space (or a file size limit)? */
static int full(store_db *db)
{
	int e = sqlite3_extended_errcode(db->db);

	return (e & 0xff) == SQLITE_FULL || e == SQLITE_IOERR_WRITE || e == SQLITE_IOERR_FSYNC ||
	       e == SQLITE_IOERR_TRUNCATE;
}

static void *writer_main(void *arg)
{
	store *st = arg;
	store_job *batch, *job, *next;
	int n, ok, fail;
	size_t fresh_mark;

	for (;;) {
		pthread_mutex_lock(&st->lock);
		while (!st->wq_head && !st->stopping)
			pthread_cond_wait(&st->wcond, &st->lock);
		if (!st->wq_head && st->stopping) {
			pthread_mutex_unlock(&st->lock);
			break;
		}
		batch = st->wq_head;
		for (n = 1, job = batch; job->next && n < st->batch_max; n++)
			job = job->next;
		st->wq_head = job->next;
		if (!st->wq_head)
			st->wq_tail = NULL;
		job->next = NULL;
		st->wq_len -= n;
		pthread_mutex_unlock(&st->lock);

		ok = store_begin(st->wdb) == STORE_OK;
		fail = full(st->wdb) ? STORE_FULL : STORE_ERROR;
		for (job = batch; job; job = job->next) {
			if (!ok) {
				job->result = fail;
				continue;
			}
			if (exec(st->wdb, "SAVEPOINT job") < 0) {
				job->result = full(st->wdb) ? STORE_FULL : STORE_ERROR;
				continue;
			}
			fresh_mark = st->wdb->fresh_n;
			job->result = job->run(job, st->wdb);
			if (job->result == STORE_ERROR && full(st->wdb))
				job->result = STORE_FULL;
			if (job->result != STORE_OK) {
				exec(st->wdb, "ROLLBACK TO job");
				st->wdb->txn++; /* memos may name rows the rollback undid */
				st->wdb->fresh_n = fresh_mark; /* and so may the reports to count */
			}
			exec(st->wdb, "RELEASE job");
		}
		if (ok && store_commit(st->wdb) < 0) {
			/* Nothing of the batch is acknowledged; a full disk is said as such. */
			fail = full(st->wdb) ? STORE_FULL : STORE_ERROR;
			fprintf(stderr, "prosumd: commit failed: %s\n", store_db_error(st->wdb));
			store_rollback(st->wdb);
			ok = 0;
		}
		for (job = batch; job; job = next) {
			next = job->next;
			if (!ok)
				job->result = fail;
			post_done(job);
		}
	}
	return NULL;
}

struct reader_arg {
	store *st;
	store_db *db;
};

static void *reader_main(void *arg)
{
	struct reader_arg *ra = arg;
	store *st = ra->st;
	store_db *db = ra->db;
	store_job *job;

	free(ra);
	for (;;) {
		pthread_mutex_lock(&st->lock);
		while (!st->rq_head && !st->stopping)
			pthread_cond_wait(&st->rcond, &st->lock);
		job = st->rq_head;
		if (!job) {
			pthread_mutex_unlock(&st->lock);
			break;
		}
		st->rq_head = job->next;
		if (!st->rq_head)
			st->rq_tail = NULL;
		pthread_mutex_unlock(&st->lock);

		/* One read transaction: the job sees one snapshot even across statements. */
		if (store_begin(db) < 0) {
			job->result = STORE_ERROR;
		} else {
			job->result = job->run(job, db);
			store_rollback(db);
		}
		post_done(job);
	}
	return NULL;
}

/* After each commit of the writer, with the WAL's size in pages. */
static int wal_grown(void *arg, sqlite3 *db, const char *name, int pages)
{
	store *st = arg;

	(void)name;
	if (pages < PROSUM_CHECKPOINT_PAGES)
		return SQLITE_OK;
	pthread_mutex_lock(&st->lock);
	st->checkpoint_due = 1;
	pthread_cond_signal(&st->ccond);
	pthread_mutex_unlock(&st->lock);
	/* Readers that hold old snapshots for long can keep the checkpointer from
	 * finishing; past this the writer lends a hand rather than let the WAL grow. */
	if (pages >= 16 * PROSUM_CHECKPOINT_PAGES)
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

static void *checkpointer_main(void *arg)
{
	store *st = arg;

	for (;;) {
		pthread_mutex_lock(&st->lock);
		while (!st->checkpoint_due && !st->stopping)
			pthread_cond_wait(&st->ccond, &st->lock);
		if (st->stopping) {
			pthread_mutex_unlock(&st->lock);
			break;
		}
		st->checkpoint_due = 0;
		pthread_mutex_unlock(&st->lock);
		/* PASSIVE: copies what no reader still needs, never waits for anyone. */
		sqlite3_wal_checkpoint_v2(st->cdb->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	}
	return NULL;
}

int store_start(store **out, const char *path, int readers, int queue_max, int batch_max,
		char *err, size_t errlen)
{
	store *st = calloc(1, sizeof(*st));
	int i;

	*out = NULL;
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->wcond, NULL);
	pthread_cond_init(&st->rcond, NULL);
	pthread_cond_init(&st->ccond, NULL);
	st->wq_max = queue_max > 0 ? queue_max : 1;
	st->batch_max = batch_max > 0 ? batch_max : 1;
	st->nreaders = readers > 0 ? readers : 1;
	if (store_db_open(&st->wdb, path, STORE_WRITE, err, errlen) < 0)
		goto fail;
	st->rdbs = calloc((size_t)st->nreaders, sizeof(*st->rdbs));
	st->readers = calloc((size_t)st->nreaders, sizeof(*st->readers));
	if (!st->rdbs || !st->readers) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < st->nreaders; i++)
		if (store_db_open(&st->rdbs[i], path, STORE_READ, err, errlen) < 0)
			goto fail;
	if (store_db_open(&st->cdb, path, STORE_WRITE, err, errlen) < 0)
		goto fail;
	if (pthread_create(&st->checkpointer, NULL, checkpointer_main, st) != 0) {
		snprintf(err, errlen, "cannot start the checkpoint thread");
		goto fail;
	}
	sqlite3_wal_autocheckpoint(st->wdb->db, 0);
	sqlite3_wal_hook(st->wdb->db, wal_grown, st);
	if (pthread_create(&st->writer, NULL, writer_main, st) != 0) {
		snprintf(err, errlen, "cannot start the writer thread");
		pthread_mutex_lock(&st->lock);
		st->stopping = 1;
		pthread_cond_signal(&st->ccond);
		pthread_mutex_unlock(&st->lock);
		pthread_join(st->checkpointer, NULL);
		goto fail;
	}
	for (i = 0; i < st->nreaders; i++) {
		struct reader_arg *ra = malloc(sizeof(*ra));

		if (ra) {
			ra->st = st;
			ra->db = st->rdbs[i];
		}
		if (!ra || pthread_create(&st->readers[i], NULL, reader_main, ra) != 0) {
			int j;

			/* Stop the threads already started; close the connections they did not get. */
			free(ra);
			snprintf(err, errlen, "cannot start a reader thread");
			for (j = i; j < st->nreaders; j++)
				store_db_close(st->rdbs[j]);
			st->nreaders = i;
			store_stop(st);
			return STORE_ERROR;
		}
	}
	*out = st;
	return STORE_OK;
fail:
	if (st->rdbs)
		for (i = 0; i < st->nreaders; i++)
			store_db_close(st->rdbs[i]);
	free(st->rdbs);
	free(st->readers);
	store_db_close(st->cdb);
	store_db_close(st->wdb);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->wcond);
	pthread_cond_destroy(&st->rcond);
	pthread_cond_destroy(&st->ccond);
	free(st);
	return STORE_ERROR;
}

int store_submit(store *st, store_job *job)
{
	int rc = STORE_OK;

	assert(job->run && job->owner && job->task.fn);
	job->next = NULL;
	pthread_mutex_lock(&st->lock);
	if (st->stopping) {
		rc = STORE_STOPPED;
	} else if (job->write) {
		if (st->wq_len >= st->wq_max) {
			rc = STORE_BUSY;
		} else {
			if (st->wq_tail)
				st->wq_tail->next = job;
			else
				st->wq_head = job;
			st->wq_tail = job;
			st->wq_len++;
			pthread_cond_signal(&st->wcond);
		}
	} else {
		if (st->rq_tail)
			st->rq_tail->next = job;
		else
			st->rq_head = job;
		st->rq_tail = job;
		pthread_cond_signal(&st->rcond);
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

void store_stop(store *st)
{
	int i;

	if (!st)
		return;
	pthread_mutex_lock(&st->lock);
	st->stopping = 1;
	pthread_cond_broadcast(&st->wcond);
	pthread_cond_broadcast(&st->rcond);
	pthread_cond_broadcast(&st->ccond);
	pthread_mutex_unlock(&st->lock);
	pthread_join(st->writer, NULL);
	pthread_join(st->checkpointer, NULL);
	for (i = 0; i < st->nreaders; i++)
		pthread_join(st->readers[i], NULL);
	for (i = 0; i < st->nreaders; i++)
		store_db_close(st->rdbs[i]);
	store_db_close(st->cdb);
	/* A checkpoint leaves the main file whole for backups and the next start. */
	sqlite3_wal_checkpoint_v2(st->wdb->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	store_db_close(st->wdb);
	free(st->rdbs);
	free(st->readers);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->wcond);
	pthread_cond_destroy(&st->rcond);
	pthread_cond_destroy(&st->ccond);
	free(st);
}
