/* store_news.c - a tester's news: the outbox's events about their own items, since they last saw. */
#include "store/store_news.h"

#include <assert.h>
#include <sqlite3.h>

#include "store/store_int.h"

int store_news_each(store_db *db, int64_t project_id, const char *install, int64_t after,
		    int64_t top, int limit, int (*fn)(void *ctx, const store_news_item *it),
		    void *ctx)
{
	/* The install's items an event is about (EVENT_AUDIENCE, the rule e-mail follows too):
	 * one piece of news per event, about its first item (the install's first report of a
	 * group). */
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT o.id, o.type, o.created_at, o.data, a.num, a.voter = 0 FROM (SELECT event, "
		"min(num) AS num, min(voter) AS voter FROM (" EVENT_AUDIENCE(
		    "o.project_id = :p AND o.id > :after AND o.id <= :top", " = :i") ") GROUP BY "
		"event ORDER BY event LIMIT :limit) a JOIN outbox o ON o.id = a.event ORDER BY o.id");
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
