/* store_news.c - a tester's news: the outbox's events about their own items, since they last saw. */
#include "store/store_news.h"

#include <assert.h>
#include <sqlite3.h>

#include "store/store_int.h"

/* The number of an item an event's data names at `path` ("G-3" -> 3). */
#define NUM_AT(path) "CAST(substr(json_extract(o.data, '" path "'), 3) AS INTEGER)"

/* The install's report in the group an event names (:i the install), fixed for it now, by
 * the event's commit: an event of a fix that did not hold (the group regressed and was fixed
 * again by another commit) is no news. */
#define MY_FIXED_REPORT                                                                        \
	"(SELECT min(r.num) FROM reports r JOIN groups g ON g.id = r.group_id WHERE "           \
	"r.project_id = o.project_id AND r.install_id = :i AND g.num = " NUM_AT("$.group")      \
	" AND " REPORT_STATUS " = 'fixed' AND g.fixed_by IS json_extract(o.data, '$.commit'))"
/* For a comment on a group: the install's report in it. */
#define MY_REPORT_IN_GROUP                                                                     \
	"(SELECT min(r.num) FROM reports r JOIN groups g ON g.id = r.group_id WHERE "           \
	"r.project_id = o.project_id AND r.install_id = :i AND g.num = " NUM_AT("$.group") ")"
#define MY_SUGGESTION                                                                          \
	"(SELECT s.num FROM suggestions s WHERE s.project_id = o.project_id AND s.num = "       \
	NUM_AT("$.suggestion") " AND (s.install_id = :i OR EXISTS (SELECT 1 FROM votes v "     \
	"WHERE v.suggestion_id = s.id AND v.install_id = :i)))"
#define COMMENT_SHOWN                                                                          \
	"NOT EXISTS (SELECT 1 FROM comments c WHERE c.id = json_extract(o.data, '$.comment.id') " \
	"AND c.hidden <> 0)"

int store_news_each(store_db *db, int64_t project_id, const char *install, int64_t after,
		    int64_t top, int limit, int (*fn)(void *ctx, const store_news_item *it),
		    void *ctx)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT id, type, created_at, data, num, author FROM (SELECT o.id, o.type, "
		"o.created_at, o.data, CASE o.type WHEN 'group.fixed_in_release' THEN "
		MY_FIXED_REPORT " WHEN 'suggestion.shipped' THEN " MY_SUGGESTION
		" WHEN 'report.comment' THEN CASE WHEN NOT " COMMENT_SHOWN " THEN NULL WHEN "
		"json_extract(o.data, '$.report') IS NULL THEN " MY_REPORT_IN_GROUP " WHEN "
		"json_extract(o.data, '$.install_id') = :i THEN " NUM_AT("$.report") " END END "
		"AS num, json_extract(o.data, '$.author_install') IS :i AS author FROM outbox o "
		"WHERE o.project_id = :p AND o.id > :after AND o.id <= :top AND o.type IN "
		"('group.fixed_in_release', 'suggestion.shipped', 'report.comment')) "
		"WHERE num IS NOT NULL ORDER BY id LIMIT :limit");
	store_news_item it;
	int rc = SQLITE_DONE, stop = 0;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":i", install);
	st_bind_named_int(s, ":after", after);
	st_bind_named_int(s, ":top", top);
	st_bind_named_int(s, ":limit", limit);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		it.id = sqlite3_column_int64(s, 0);
		it.type = st_col_text(s, 1);
		it.at = sqlite3_column_int64(s, 2);
		it.data = st_col_text(s, 3);
		it.num = sqlite3_column_int64(s, 4);
		it.author = sqlite3_column_int(s, 5);
		stop = fn(ctx, &it);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_news_top(store_db *db, int64_t project_id, int64_t *top)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT coalesce(max(id), 0) FROM outbox WHERE project_id = ?1");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	return st_step_int(s, top);
}

int store_news_seen_get(store_db *db, int64_t project_id, const char *install, int64_t *last)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT last_id FROM news_seen WHERE project_id = ?1 AND "
				      "install_id = ?2");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, install, -1, SQLITE_STATIC);
	rc = st_step_int(s, last);
	if (rc == STORE_NOTFOUND) {
		*last = 0;
		rc = STORE_OK;
	}
	return rc;
}

int store_news_seen_set(store_db *db, int64_t project_id, const char *install,
			int64_t through)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT INTO news_seen(project_id, install_id, last_id) "
				      "VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET last_id = "
				      "max(last_id, excluded.last_id)");

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, install, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, through);
	return st_step_done(s);
}
