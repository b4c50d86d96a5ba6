/* store_git.c - the project's git history: commits, links from commits, scan tips, suspects and fix
 * checks of builds. */
#include "store/store.h"

#include <assert.h>
#include <ctype.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "config.h"
#include "store/schema.h"
#include "store/search.h"
#include "store/store_int.h"
#include "model/workflow.h"

/* Does the item a link names (?2 type, ?3 number, in project ?1) exist? */
#define LINK_ITEM_EXISTS                                                                    \
	"(CASE ?2 WHEN 'R' THEN EXISTS (SELECT 1 FROM reports WHERE project_id = ?1 AND num = " \
	"?3) WHEN 'G' THEN EXISTS (SELECT 1 FROM groups WHERE project_id = ?1 AND num = ?3) " \
	"ELSE EXISTS (SELECT 1 FROM suggestions WHERE project_id = ?1 AND num = ?3) END)"

/* The frame of report r that suspect s blames: same line, and s.path is the frame's file or
 * its tail (builds record absolute paths; gitwork.c strips leading directories). */
#define SUSPECT_FRAME                                                                       \
	"json_each(r.body, '$.frames') f WHERE json_extract(f.value, '$.line') = s.line AND "  \
	"(json_extract(f.value, '$.file') = s.path OR substr(json_extract(f.value, '$.file'), " \
	"-length(s.path) - 1) = '/' || s.path) ORDER BY f.key LIMIT 1"

static const char sql_commits_each[] = "SELECT id FROM commits WHERE project_id = ?1";
/* A link names an item that exists when the commit is read; one naming no item is
 * recorded apart (links_missing) and never applied to an item made later. */
static const char sql_link_add[] =
    "INSERT OR IGNORE INTO links(project_id, ref_type, ref_num, commit_id, kind) "
    "SELECT ?1, ?2, ?3, ?4, ?5 WHERE " LINK_ITEM_EXISTS;
static const char sql_link_missing[] =
    "INSERT OR IGNORE INTO links_missing(project_id, ref_type, ref_num, "
    "commit_id, kind) SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT " LINK_ITEM_EXISTS;
static const char sql_report_commit[] =
    "SELECT coalesce(commit_id, '') FROM reports WHERE project_id = ?1 AND num = ?2";
/* One row per frame blamed; a commit's rows together, the commit of the innermost frame first. */
static const char sql_report_suspects[] =
    "SELECT id, author_name, author_email, author_time, summary, path, line, "
    "fn FROM (SELECT c.id, c.author_name, c.author_email, c.author_time, "
    "c.summary, s.path, s.line, coalesce((SELECT f.key FROM " SUSPECT_FRAME
    "), 1000000) AS pos, (SELECT json_extract(f.value, '$.function') FROM " SUSPECT_FRAME
    ") AS fn FROM suspects s JOIN reports r ON r.id = "
    "s.report_id JOIN commits c ON c.project_id = r.project_id AND c.id = "
    "s.commit_id WHERE r.project_id = ?1 AND r.num = ?2) "
    "ORDER BY min(pos) OVER (PARTITION BY id), id, pos, path, line";
/* A group's suspect commits by how many of its reports (not frames) blame each. */
static const char sql_group_suspects[] =
    "SELECT c.id, c.author_name, c.author_email, c.author_time, c.summary, "
    "count(DISTINCT s.report_id) AS n FROM suspects s JOIN reports r ON "
    "r.id = s.report_id JOIN commits c ON c.project_id = r.project_id AND "
    "c.id = s.commit_id WHERE r.group_id = ?1 GROUP BY c.id "
    "ORDER BY n DESC, c.author_time DESC LIMIT 10";
static const char sql_unresolved[] =
    "SELECT DISTINCT revision FROM reports "
    "WHERE project_id = ?1 AND commit_id IS NULL AND revision IS NOT NULL";

int store_commit_put(store_db *db, int64_t project_id, const store_commit_info *c)
{
	sqlite3_stmt *s = st_stmt(
	    db, "INSERT INTO commits(project_id, id, author_name, author_email, author_time, "
		"summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO UPDATE SET "
		"author_name = coalesce(excluded.author_name, author_name), "
		"author_email = coalesce(excluded.author_email, author_email), "
		"author_time = coalesce(excluded.author_time, author_time), "
		"summary = coalesce(excluded.summary, summary)");

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, c->id, -1, SQLITE_STATIC);
	st_bind_text_or_null(s, 3, c->author_name);
	st_bind_text_or_null(s, 4, c->author_email);
	if (c->author_time)
		sqlite3_bind_int64(s, 5, c->author_time);
	else
		sqlite3_bind_null(s, 5);
	st_bind_text_or_null(s, 6, c->summary);
	return st_step_done(s);
}

/* A single text value of a query keyed by (project, text). */
static int text_of(store_db *db, const char *sql, int64_t project_id, const char *key, int64_t num,
		   char *out, size_t outsz)
{
	sqlite3_stmt *s = st_stmt(db, sql);
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
		snprintf(out, outsz, "%s", st_col_text(s, 0) ? st_col_text(s, 0) : "");
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
	sqlite3_stmt *s = st_stmt(db, "UPDATE commits SET release = ?3 WHERE project_id = ?1 AND id = ?2");

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	st_bind_text_or_null(s, 3, release && *release ? release : NULL);
	return st_step_done(s);
}

/* Run a one-column query and call fn on each value. The values are copied first, so fn
 * may run other statements. */
static int each_text(store_db *db, const char *sql, int64_t project_id,
		     int (*fn)(void *ctx, const char *v), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, sql);
	char **vals = NULL;
	size_t n = 0, cap = 0, i;
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (st_grow(&vals, n, &cap, sizeof(*vals), 64) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		vals[n] = strdup(st_col_text(s, 0) ? st_col_text(s, 0) : "");
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
	return each_text(db, sql_commits_each, project_id, fn, ctx);
}

int store_report_commit(store_db *db, int64_t project_id, int64_t num, char commit[41])
{
	return text_of(db, sql_report_commit, project_id, NULL, num, commit, 41);
}

int store_unresolved_each(store_db *db, int64_t project_id,
			  int (*fn)(void *ctx, const char *revision), void *ctx)
{
	return each_text(db, sql_unresolved, project_id, fn, ctx);
}

int store_unresolved_reports_each(store_db *db, int64_t project_id, const char *revision,
				  int (*fn)(void *ctx, int64_t num), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT num FROM reports WHERE project_id = :p AND "
				       "revision = :r AND commit_id IS NULL");
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":r", revision);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(ctx, sqlite3_column_int64(s, 0)) < 0) {
			sqlite3_reset(s);
			return STORE_ERROR;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_report_frames_text(store_db *db, int64_t project_id, int64_t num, char **frames)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT json_extract(body, '$.frames') FROM reports "
				       "WHERE project_id = :p AND num = :n");
	const char *text;
	int rc;

	*frames = NULL;
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", num);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		text = st_col_text(s, 0);
		rc = STORE_OK;
		if (text && !(*frames = strdup(text)))
			rc = STORE_ERROR;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

int store_revision_resolved(store_db *db, int64_t project_id, const char *revision,
			    const char *commit_id)
{
	sqlite3_stmt *s = st_stmt(db, "UPDATE reports SET commit_id = ?3 WHERE project_id = ?1 "
				      "AND revision = ?2 AND commit_id IS NULL");

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, revision, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, commit_id, -1, SQLITE_STATIC);
	return st_step_done(s);
}

/* One (fix, build) pair of a group: the first report of that build, and late, whether the
 * report was checked against this fix before the build was known. */
struct fix_pair {
	char fix[41], build[41];
	int64_t group, report;
	int late;
};

/* Copy the rows (fix, build, group num, report num, late) of s, its other parameters bound,
 * for project :p into *rows (heap, the caller frees it), so that the caller's fn may write what
 * s reads. */
static int fix_pairs_load(sqlite3_stmt *s, int64_t project_id, struct fix_pair **rows, size_t *n)
{
	struct fix_pair *v = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	st_bind_named_int(s, ":p", project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (st_grow(&v, *n, &cap, sizeof(*v), 16) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		snprintf(v[*n].fix, sizeof(v[*n].fix), "%s", st_col_text(s, 0));
		snprintf(v[*n].build, sizeof(v[*n].build), "%s", st_col_text(s, 1));
		v[*n].group = sqlite3_column_int64(s, 2);
		v[*n].report = sqlite3_column_int64(s, 3);
		v[*n].late = sqlite3_column_int(s, 4);
		(*n)++;
	}
	sqlite3_reset(s);
	*rows = v;
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_fix_builds_each(store_db *db, int64_t project_id, const char *fix,
			  int (*fn)(void *ctx, int64_t group_num, const char *build,
				    int64_t report_num),
			  void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT g.fixed_by, r.commit_id, g.num, min(r.num), 0 "
				       "FROM groups g "
				       "JOIN reports r ON r.group_id = g.id WHERE g.project_id = :p "
				       "AND g.fixed_by = :c AND g.status = 'fixed' AND "
				       "g.merged_into IS NULL AND r.commit_id IS NOT NULL "
				       "GROUP BY g.num, r.commit_id ORDER BY g.num, 4");
	struct fix_pair *rows;
	size_t n, i;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_text(s, ":c", fix);
	/* Copied first: fn marks groups regressed, which this statement reads. */
	rc = fix_pairs_load(s, project_id, &rows, &n);
	for (i = 0; rc == STORE_OK && i < n; i++)
		if (fn(ctx, rows[i].group, rows[i].build, rows[i].report) < 0)
			rc = STORE_ERROR;
	free(rows);
	return rc;
}

int store_group_fix(store_db *db, int64_t project_id, int64_t group_num, char fixed_by[41],
		    char status[32])
{
	sqlite3_stmt *s = st_stmt(db, "SELECT coalesce(fixed_by, ''), status FROM groups "
				      "WHERE project_id = ?1 AND num = ?2");
	int rc;

	fixed_by[0] = status[0] = '\0';
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, group_num);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(fixed_by, 41, "%s", st_col_text(s, 0));
		snprintf(status, 32, "%s", st_col_text(s, 1));
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
	sqlite3_stmt *s =
	    st_stmt(db, "UPDATE groups SET status = 'regressed' WHERE project_id = ?1 "
			"AND num = ?2 AND status <> 'regressed'");
	char status[32], fix[41], actor[40];

	assert(ST_IN_WRITE_TXN(db));
	if (!s || store_group_fix(db, project_id, group_num, fix, status) < 0)
		return STORE_ERROR;
	s = st_stmt(db, "UPDATE groups SET status = 'regressed' WHERE project_id = ?1 "
			"AND num = ?2 AND status <> 'regressed'");
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, group_num);
	if (st_step_done(s) != STORE_OK)
		return STORE_ERROR;
	if (sqlite3_changes(db->db) == 0)
		return STORE_OK;
	/* The report whose build holds the fix is what showed the regression. */
	snprintf(actor, sizeof(actor), "report R-%lld", (long long)report_num);
	return st_audit(db, project_id, "G", group_num, actor, "status", status, "regressed", now);
}

/*
 * A link is applied once, by the sync that reads its commit: the commits read by
 * this transaction are listed in temp.links_fresh (a connection's own table, rolled
 * back with the transaction) and only their links are applied, so a developer's
 * clearing of fixed_by or reopening sticks until a new commit fixes the item again.
 * The fix an item then records is still chosen among all its links.
 */
#define SQL_LINKS_FRESH "CREATE TEMP TABLE IF NOT EXISTS links_fresh(commit_id TEXT PRIMARY KEY)"
#define LINK_FRESH "l.commit_id IN (SELECT f.commit_id FROM temp.links_fresh f)"

int store_link_add(store_db *db, int64_t project_id, char type, int64_t num,
		   const char *commit_id, int implement)
{
	char t[2] = {type, '\0'};
	static const char *const qs[] = {sql_link_add, sql_link_missing};
	int i;

	assert(ST_IN_WRITE_TXN(db));
	if (st_exec(db, SQL_LINKS_FRESH) != STORE_OK)
		return STORE_ERROR;
	for (i = 0; i < 2; i++) {
		sqlite3_stmt *s = st_stmt(db, qs[i]);

		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_text(s, 2, t, 1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, num);
		sqlite3_bind_text(s, 4, commit_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, implement ? "implement" : "fix", -1, SQLITE_STATIC);
		if (st_step_done(s) != STORE_OK)
			return STORE_ERROR;
		if (i == 0 && sqlite3_changes(db->db) > 0) {
			/* read now: the coming store_links_apply() applies it, once */
			sqlite3_stmt *f = st_stmt(db, "INSERT OR IGNORE INTO temp.links_fresh(commit_id) "
						  "VALUES (?1)");

			if (!f)
				return STORE_ERROR;
			sqlite3_bind_text(f, 1, commit_id, -1, SQLITE_STATIC);
			if (st_step_done(f) != STORE_OK)
				return STORE_ERROR;
		}
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
	LINK_FRESH " AND (r.fixed_by IS NULL OR (r.status IN " FIX_REOPENED " AND " LINK_NEWER("r.fixed_by") \
	")) AND (:n = 0 OR (:t = 'R' AND l.ref_num = :n))"
#define REPORT_FIX                                                                          \
	"(SELECT l.commit_id FROM links l LEFT JOIN commits c ON c.project_id = l.project_id " \
	"AND c.id = l.commit_id WHERE l.project_id = r.project_id AND l.ref_type = 'R' AND "  \
	"l.ref_num = r.num AND l.kind = 'fix' ORDER BY c.author_time DESC, l.commit_id DESC " \
	"LIMIT 1)"
#define LINKED_GROUPS                                                                       \
	"SELECT g.id FROM links l JOIN groups g ON g.project_id = l.project_id AND g.num = "  \
	"l.ref_num WHERE l.project_id = :p AND l.ref_type = 'G' AND l.kind = 'fix' AND "      \
	LINK_FRESH " AND (g.fixed_by IS NULL OR (g.status IN " FIX_REOPENED " AND " LINK_NEWER("g.fixed_by") \
	")) AND g.merged_into IS NULL AND (:n = 0 OR (:t = 'G' AND "                          \
	"l.ref_num = :n)) UNION SELECT g.id FROM links l JOIN reports r ON r.project_id = "   \
	"l.project_id AND r.num = l.ref_num AND r.fixed_by = l.commit_id JOIN groups g ON "   \
	"g.id = r.group_id WHERE l.project_id = :p AND l.ref_type = 'R' AND l.kind = 'fix' "  \
	"AND " LINK_FRESH " AND (g.fixed_by IS NULL OR (g.status IN " FIX_REOPENED " AND "                       \
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

	assert(ST_IN_WRITE_TXN(db));
	if (st_suggestions_ship(db, project_id, now) < 0 || st_exec(db, SQL_LINKS_FRESH) != STORE_OK)
		return STORE_ERROR;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		sqlite3_stmt *s = st_stmt(db, steps[i]);

		if (!s)
			return STORE_ERROR;
		st_bind_named_int(s, ":p", project_id);
		st_bind_named_int(s, ":now", now);
		st_bind_named_text(s, ":t", t);
		st_bind_named_int(s, ":n", num);
		if (st_step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	return st_exec(db, "DELETE FROM temp.links_fresh"); /* applied: never again */
}

int store_links_pending(store_db *db, int64_t project_id, char type, int64_t num)
{
	sqlite3_stmt *s;
	char t[2] = {type, '\0'};
	int64_t n = 0;

	/* Most projects have no links at all (or none yet): learn that once per transaction. */
	if (db->links_memo.txn != db->txn || db->links_memo.project_id != project_id) {
		s = st_stmt(db, "SELECT EXISTS (SELECT 1 FROM links WHERE project_id = :p)");
		if (!s)
			return STORE_ERROR;
		st_bind_named_int(s, ":p", project_id);
		if (st_step_int(s, &n) < 0)
			return STORE_ERROR;
		db->links_memo.txn = db->txn;
		db->links_memo.project_id = project_id;
		db->links_memo.has_links = n > 0;
	}
	if (!db->links_memo.has_links)
		return 0;
	s = st_stmt(db, "SELECT count(*) FROM links WHERE project_id = ?1 AND ref_type = ?2 "
			"AND ref_num = ?3 AND kind = 'fix'");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, t, 1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, num);
	if (st_step_int(s, &n) < 0)
		return STORE_ERROR;
	return n > 0;
}

int store_tips_get(store_db *db, int64_t project_id, char (**ids)[41], size_t *n)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT id FROM scan_tips WHERE project_id = ?1");
	char(*v)[41] = NULL;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (st_grow(&v, *n, &cap, sizeof(*v), 16) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		snprintf(v[*n], 41, "%s", st_col_text(s, 0));
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
	sqlite3_stmt *s = st_stmt(db, "DELETE FROM scan_tips WHERE project_id = ?1");
	size_t i;

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	if (st_step_done(s) != STORE_OK)
		return STORE_ERROR;
	for (i = 0; i < n; i++) {
		s = st_stmt(db, "INSERT OR IGNORE INTO scan_tips(project_id, id) VALUES (?1, ?2)");
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_text(s, 2, ids[i], -1, SQLITE_STATIC);
		if (st_step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int store_suspect_add(store_db *db, int64_t project_id, int64_t report_num, const char *commit_id,
		      const char *path, int64_t line)
{
	sqlite3_stmt *s =
	    st_stmt(db, "INSERT OR REPLACE INTO suspects(report_id, commit_id, path, line) "
			"SELECT id, ?3, ?4, ?5 FROM reports WHERE project_id = ?1 AND num = ?2");

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, report_num);
	sqlite3_bind_text(s, 3, commit_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, line);
	return st_step_done(s);
}

/* One frame a suspect commit is blamed for: file, line and function from path_col on. */
static int suspect_frame(store_arena *a, store_suspect *c, size_t *cap, sqlite3_stmt *s,
			 int path_col)
{
	store_suspect_frame *f = st_push(a, &c->frames, &c->nframes, cap, sizeof(*f));

	if (!f)
		return STORE_ERROR;
	f->function = st_col_dup(a, s, path_col + 2);
	f->file = st_col_dup(a, s, path_col);
	f->line = sqlite3_column_int64(s, path_col + 1);
	return STORE_OK;
}

/*
 * Suspect commits: of one report (key = its number), or of a group (key = its row
 * id). Each commit once, with the frames it is blamed for; a group's also with the
 * number of its reports that blame it.
 */
int st_suspects_load(store_db *db, int of_report, int64_t project_id, int64_t key, store_arena *a,
		     store_suspect **out, size_t *n)
{
	sqlite3_stmt *s = st_stmt(db, of_report ? sql_report_suspects : sql_group_suspects), *fr;
	store_suspect *c = NULL;
	size_t cap = 0, fcap = 0, i;

	*out = NULL;
	*n = 0;
	if (!s)
		return STORE_ERROR;
	if (of_report) {
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_int64(s, 2, key);
	} else {
		sqlite3_bind_int64(s, 1, key);
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		/* A report's rows come a commit at a time: a new id starts a new entry. */
		if (!of_report || !c || !c->id || !st_col_text(s, 0) ||
		    strcmp(c->id, st_col_text(s, 0)) != 0) {
			c = st_push(a, out, n, &cap, sizeof(*c));
			if (!c)
				break;
			c->id = st_col_dup(a, s, 0);
			c->author = st_col_dup(a, s, 1);
			c->email = st_col_dup(a, s, 2);
			c->date = sqlite3_column_int64(s, 3);
			c->summary = st_col_dup(a, s, 4);
			c->reports = -1;
			fcap = 0;
		}
		if (of_report) {
			if (suspect_frame(a, c, &fcap, s, 5) != STORE_OK)
				break;
		} else {
			c->reports = sqlite3_column_int64(s, 5);
		}
	}
	sqlite3_reset(s);
	if (a->failed)
		return STORE_ERROR;
	if (of_report)
		return STORE_OK;
	for (i = 0; i < *n; i++) {
		c = &(*out)[i];
		fcap = 0;
		fr = st_stmt(db,
			     "SELECT s.path, s.line, (SELECT json_extract(f.value, '$.function') "
			     "FROM " SUSPECT_FRAME ") FROM suspects s JOIN reports r ON r.id = "
			     "s.report_id WHERE s.commit_id = ?2 AND r.group_id = ?1 "
			     "GROUP BY s.path, s.line ORDER BY count(*) DESC, s.path, s.line "
			     "LIMIT 10");
		if (!fr)
			break;
		sqlite3_bind_int64(fr, 1, key);
		sqlite3_bind_text(fr, 2, c->id, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(fr) == SQLITE_ROW)
			if (suspect_frame(a, c, &fcap, fr, 0) != STORE_OK)
				break;
		sqlite3_reset(fr);
	}
	return a->failed ? STORE_ERROR : STORE_OK;
}

int store_report_fix_check(store_db *db, int64_t project_id, int64_t num, const char *fix,
			   int has_fix)
{
	sqlite3_stmt *s = st_stmt(db, "UPDATE reports SET fix_checked = :f, has_fix = :h WHERE "
				"project_id = :p AND num = :n");

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", num);
	st_bind_named_text(s, ":f", fix);
	if (has_fix < 0)
		sqlite3_bind_null(s, sqlite3_bind_parameter_index(s, ":h"));
	else
		st_bind_named_int(s, ":h", has_fix);
	return st_step_done(s);
}

/* Reports of groups fixed by a commit whose build was not checked against it (or
 * could not tell while it was unresolved, and is resolved now). */
/* Driven from the groups (CROSS JOIN keeps that order): few are fixed, and reports_group
 * reaches their reports; never a scan of every report. */
/* A report (r) of a group (g) fixed by a commit that was not checked against that commit,
 * or whose build is known but got no verdict. */
#define FIX_UNCHECKED_WHERE                                                                 \
	"g.fixed_by IS NOT NULL AND g.merged_into IS NULL AND "                              \
	"(r.fix_checked IS NOT g.fixed_by OR (r.has_fix IS NULL AND r.commit_id IS NOT NULL))"
#define FIX_UNCHECKED                                                                       \
	"FROM groups g CROSS JOIN reports r ON r.group_id = g.id WHERE "                     \
	"g.project_id = :p AND " FIX_UNCHECKED_WHERE

int store_fix_unchecked_each(store_db *db, int64_t project_id, int64_t group_num,
			     int (*fn)(void *ctx, const char *fix, const char *build,
				       int64_t group_num, int64_t report_num, int late),
			     void *ctx)
{
	/* late: checked against this fix before, when the build was not known yet. */
	sqlite3_stmt *s = st_stmt(db, "SELECT g.fixed_by, coalesce(r.commit_id, ''), g.num, min(r.num), "
			    "r.fix_checked IS g.fixed_by " FIX_UNCHECKED " AND (:g = 0 OR g.num = :g) "
			    "GROUP BY g.fixed_by, "
			    "r.commit_id, g.num, 5 ORDER BY 3, 4");
	struct fix_pair *rows;
	size_t n, i;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":g", group_num);
	/* Copied first: fn writes the reports this statement reads. */
	rc = fix_pairs_load(s, project_id, &rows, &n);
	for (i = 0; rc == STORE_OK && i < n; i++)
		if (fn(ctx, rows[i].fix, rows[i].build, rows[i].group, rows[i].report,
		       rows[i].late) < 0)
			rc = STORE_ERROR;
	free(rows);
	return rc;
}

int store_fix_unchecked_projects(store_db *db, int64_t **ids, size_t *n)
{
	/* FIX_UNCHECKED, of every project at once. */
	sqlite3_stmt *s = st_stmt(db, "SELECT p.id FROM projects p WHERE p.repo IS NOT NULL AND "
				"EXISTS (SELECT 1 FROM groups g CROSS JOIN reports r ON r.group_id = "
				"g.id WHERE g.project_id = p.id AND " FIX_UNCHECKED_WHERE ") "
				"ORDER BY p.id");
	int64_t *v = NULL;
	size_t cap = 0;
	int rc = STORE_OK, step;

	*ids = NULL;
	*n = 0;
	if (!s)
		return STORE_ERROR;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (st_grow(&v, *n, &cap, sizeof(*v), 8) < 0) {
			rc = STORE_ERROR;
			goto out;
		}
		v[(*n)++] = sqlite3_column_int64(s, 0);
	}
	if (step != SQLITE_DONE)
		rc = STORE_ERROR;
out:
	sqlite3_reset(s);
	if (rc != STORE_OK) {
		free(v);
		v = NULL;
		*n = 0;
	}
	*ids = v;
	return rc;
}

int store_fix_checked(store_db *db, int64_t project_id, int64_t group_num, const char *fix,
		      const char *build, int has_fix)
{
	sqlite3_stmt *s = st_stmt(db, "UPDATE reports AS r SET fix_checked = :f, has_fix = :h WHERE "
				"r.commit_id IS :b AND r.group_id = (SELECT "
				"g.id FROM groups g WHERE g.project_id = :p AND g.num = :g AND "
				"g.fixed_by = :f) AND (r.fix_checked IS NOT :f OR r.has_fix IS NOT :h)");

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":g", group_num);
	st_bind_named_text(s, ":f", fix);
	if (build && *build)
		st_bind_named_text(s, ":b", build);
	else
		sqlite3_bind_null(s, sqlite3_bind_parameter_index(s, ":b"));
	if (has_fix < 0)
		sqlite3_bind_null(s, sqlite3_bind_parameter_index(s, ":h"));
	else
		st_bind_named_int(s, ":h", has_fix);
	return st_step_done(s);
}

