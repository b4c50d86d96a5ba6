/* store_mail_queue.c - the e-mail channel's queries: who hears of an event, the digest queue, tokens. */
#include "store/store_mail.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

int store_mail_audience(store_db *db, int64_t event_id, char prefix,
			void (*fn)(void *ctx, const char *install, const char *email,
				   const char *items, int voter),
			void *ctx)
{
	/* EVENT_AUDIENCE: the rule the news in the beta build follows too. */
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT a.install, t.email, group_concat(:x || a.num, ', '), min(a.voter) FROM "
		"(SELECT install, num, voter FROM (" EVENT_AUDIENCE("o.id = :e", " IS NOT NULL")
		") ORDER BY install, num) a JOIN mail_testers t ON t.project_id = (SELECT "
		"project_id FROM outbox WHERE id = :e) AND t.install_id = a.install GROUP BY "
		"a.install ORDER BY a.install LIMIT 10000");
	char x[3] = {prefix, '-', '\0'};
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":e", event_id);
	st_bind_named_text(s, ":x", x);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, st_col_text(s, 0), st_col_text(s, 1), st_col_text(s, 2),
		   sqlite3_column_int(s, 3));
	return st_page_end(s, rc);
}

int store_mail_tester_prune(store_db *db, const char *person, const char *install)
{
	sqlite3_stmt *s = st_stmt(
	    db, "DELETE FROM mail_pending WHERE person = :person AND kind = 'tester' AND NOT "
		"EXISTS (" EVENT_AUDIENCE("o.id = mail_pending.event_id", " = :i") ")");

	if (!s)
		return STORE_ERROR;
	st_bind_named_text(s, ":person", person);
	st_bind_named_text(s, ":i", install);
	return st_step_done(s);
}

int store_mail_followers(store_db *db, int64_t project_id, const char *kind, int64_t group_num,
			 const char *except, void (*fn)(void *ctx, int64_t user_id, const char *email),
			 void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT u.id, u.email FROM mail_subscriptions m JOIN users u "
				      "ON u.id = m.user_id WHERE m.project_id = ?1 AND m.kind = ?2 "
				      "AND (?2 <> 'group' OR m.group_id = (SELECT id FROM groups WHERE "
				      "project_id = ?1 AND num = ?3)) AND u.email IS NOT NULL AND "
				      "u.disabled_at IS NULL AND (u.project_id IS NULL OR u.project_id "
				      "= ?1) AND u.name IS NOT ?4 LIMIT 10000");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, group_num);
	st_bind_text_or_null(s, 4, except);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(s, 0), st_col_text(s, 1));
	return st_page_end(s, rc);
}

int store_mail_pending_add(store_db *db, const store_mail_item *it)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT OR IGNORE INTO mail_pending(person, address, kind, "
				      "event_id, project, line, detail, url, created_at) VALUES (?1, "
				      "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, it->person, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, it->address, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, it->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, it->event_id);
	sqlite3_bind_text(s, 5, it->project, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, it->line, -1, SQLITE_STATIC);
	st_bind_text_or_null(s, 7, it->detail);
	st_bind_text_or_null(s, 8, it->url);
	sqlite3_bind_int64(s, 9, it->created_at);
	return st_step_done(s);
}

int store_mail_due(store_db *db, int64_t now, int64_t interval,
		   int (*fn)(void *ctx, const char *person), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT DISTINCT p.person FROM mail_pending p LEFT JOIN "
				      "mail_sent m ON m.person = p.person WHERE m.last_sent_at IS NULL "
				      "OR m.last_sent_at + ?2 <= ?1 LIMIT 1000");
	int rc, stop = 0;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, interval);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW)
		stop = fn(ctx, st_col_text(s, 0));
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_mail_items(store_db *db, const char *person, int limit,
		     int (*fn)(void *ctx, const store_mail_item *it), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT id, person, address, kind, event_id, project, line, "
				      "detail, url, created_at FROM mail_pending WHERE person = ?1 "
				      "ORDER BY id LIMIT ?2");
	store_mail_item it;
	int rc, stop = 0;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, person, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, limit);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		it.id = sqlite3_column_int64(s, 0);
		it.person = st_col_text(s, 1);
		it.address = st_col_text(s, 2);
		it.kind = st_col_text(s, 3);
		it.event_id = sqlite3_column_int64(s, 4);
		it.project = st_col_text(s, 5);
		it.line = st_col_text(s, 6);
		it.detail = sqlite3_column_type(s, 7) == SQLITE_NULL ? NULL : st_col_text(s, 7);
		it.url = sqlite3_column_type(s, 8) == SQLITE_NULL ? NULL : st_col_text(s, 8);
		it.created_at = sqlite3_column_int64(s, 9);
		stop = fn(ctx, &it);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_mail_token(store_db *db, const char *person, const char *kind, const char *fresh,
		     int64_t now, char *out)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT OR IGNORE INTO mail_tokens(token, person, kind, "
				      "created_at) VALUES (?1, ?2, ?3, ?4)");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, fresh, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	rc = st_step_done(s);
	if (rc < 0)
		return rc;
	s = st_stmt(db, "SELECT token FROM mail_tokens WHERE person = ?1 AND kind = ?2");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	rc = st_step_row(s);
	if (rc == STORE_OK) {
		snprintf(out, STORE_MAIL_TOKEN_LEN + 1, "%s", st_col_text(s, 0));
		sqlite3_reset(s);
	}
	return rc;
}

int store_mail_sent(store_db *db, const char *person, int64_t last_id, int64_t now)
{
	sqlite3_stmt *s = st_stmt(db, "DELETE FROM mail_pending WHERE person = ?1 AND id <= ?2");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, person, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, last_id);
	rc = st_step_done(s);
	if (rc < 0)
		return rc;
	s = st_stmt(db, "INSERT INTO mail_sent(person, last_sent_at) VALUES (?1, ?2) ON "
			"CONFLICT(person) DO UPDATE SET last_sent_at = excluded.last_sent_at");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, person, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	return st_step_done(s);
}

int store_mail_cursor_exists(store_db *db, const char *channel, int *exists)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT count(*) FROM outbox_cursors WHERE channel = ?1");
	int64_t n = 0;
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
	rc = st_step_int(s, &n);
	*exists = n > 0;
	return rc;
}

int store_outbox_last(store_db *db, int64_t *id)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT coalesce(max(id), 0) FROM outbox");

	if (!s)
		return STORE_ERROR;
	return st_step_int(s, id);
}
