/* store_mail.c - e-mail settings: testers' opt-ins, people's addresses and follows, unsubscribing. */
#include "store/store_mail.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

int store_mail_tester_set(store_db *db, int64_t project_id, const char *install,
			  const char *email, int64_t now)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT INTO mail_testers(project_id, install_id, email, "
				      "created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(project_id, "
				      "install_id) DO UPDATE SET email = excluded.email");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, install, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, email, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	return st_step_done(s);
}

/* Drop person's waiting items, all of them (kind NULL) or of one kind. */
static int drop_pending(store_db *db, const char *person, const char *kind)
{
	sqlite3_stmt *s = st_stmt(db, "DELETE FROM mail_pending WHERE person = ?1 AND "
				      "(?2 IS NULL OR kind = ?2)");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, person, -1, SQLITE_STATIC);
	st_bind_text_or_null(s, 2, kind);
	return st_step_done(s);
}

int store_mail_tester_clear(store_db *db, int64_t project_id, const char *install)
{
	sqlite3_stmt *s = st_stmt(db, "DELETE FROM mail_testers WHERE project_id = ?1 AND "
				      "install_id = ?2");
	char person[64 + STORE_INSTALL_MAX];
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, install, -1, SQLITE_STATIC);
	rc = st_step_done(s);
	if (rc < 0)
		return rc;
	snprintf(person, sizeof(person), "tester:%lld:%s", (long long)project_id, install);
	return drop_pending(db, person, NULL);
}

int store_mail_tester_get(store_db *db, int64_t project_id, const char *install, char *out)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT email FROM mail_testers WHERE project_id = ?1 AND "
				      "install_id = ?2");
	int rc;

	out[0] = '\0';
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, install, -1, SQLITE_STATIC);
	rc = st_step_row(s);
	if (rc == STORE_OK) {
		snprintf(out, STORE_EMAIL_MAX + 1, "%s", st_col_text(s, 0));
		sqlite3_reset(s);
	}
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int store_user_email_set(store_db *db, const char *name, const char *email)
{
	sqlite3_stmt *s = st_stmt(db, "UPDATE users SET email = ?2 WHERE name = ?1");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	st_bind_text_or_null(s, 2, email && *email ? email : NULL);
	rc = st_step_done(s);
	if (rc == STORE_OK && sqlite3_changes(db->db) == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

int store_user_email_set_id(store_db *db, int64_t user_id, const char *email)
{
	sqlite3_stmt *s = st_stmt(db, "UPDATE users SET email = ?2 WHERE id = ?1");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, user_id);
	st_bind_text_or_null(s, 2, email && *email ? email : NULL);
	rc = st_step_done(s);
	if (rc == STORE_OK && sqlite3_changes(db->db) == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

int store_user_email_get(store_db *db, int64_t user_id, char *out)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT coalesce(email, '') FROM users WHERE id = ?1");
	int rc;

	out[0] = '\0';
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, user_id);
	rc = st_step_row(s);
	if (rc == STORE_OK) {
		snprintf(out, STORE_EMAIL_MAX + 1, "%s", st_col_text(s, 0));
		sqlite3_reset(s);
	}
	return rc;
}

/* The id of group num of project_id; STORE_NOTFOUND. */
static int group_id_of(store_db *db, int64_t project_id, int64_t num, int64_t *id)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT id FROM groups WHERE project_id = ?1 AND num = ?2");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	return st_step_int(s, id);
}

int store_mail_follow(store_db *db, int64_t user_id, int64_t project_id, const char *kind,
		      int64_t group_num, int64_t now)
{
	sqlite3_stmt *s;
	int64_t gid = 0;
	int rc;

	if (strcmp(kind, "group") == 0) {
		rc = group_id_of(db, project_id, group_num, &gid);
		if (rc < 0)
			return rc;
	}
	s = st_stmt(db, "INSERT OR IGNORE INTO mail_subscriptions(user_id, project_id, kind, "
			"group_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, project_id);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	if (gid)
		sqlite3_bind_int64(s, 4, gid);
	else
		sqlite3_bind_null(s, 4);
	sqlite3_bind_int64(s, 5, now);
	return st_step_done(s);
}

int store_mail_unfollow(store_db *db, int64_t user_id, int64_t project_id, const char *kind,
			int64_t group_num)
{
	sqlite3_stmt *s = st_stmt(db, "DELETE FROM mail_subscriptions WHERE user_id = ?1 AND "
				      "project_id = ?2 AND kind = ?3 AND (?3 <> 'group' OR group_id = "
				      "(SELECT id FROM groups WHERE project_id = ?2 AND num = ?4))");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, project_id);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, group_num);
	return st_step_done(s);
}

int store_mail_follows(store_db *db, int64_t user_id, int64_t project_id,
		       void (*fn)(void *ctx, const char *project, const char *kind,
				  int64_t group_num),
		       void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT p.name, m.kind, coalesce(g.num, 0) FROM "
				      "mail_subscriptions m JOIN projects p ON p.id = m.project_id "
				      "LEFT JOIN groups g ON g.id = m.group_id WHERE m.user_id = ?1 "
				      "AND (?2 = 0 OR m.project_id = ?2) ORDER BY p.name, m.kind, "
				      "g.num LIMIT 1000");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(ctx, st_col_text(s, 0), st_col_text(s, 1), sqlite3_column_int64(s, 2));
	return st_page_end(s, rc);
}

/* ---- unsubscribing ---- */

typedef struct token_row {
	char person[64 + STORE_INSTALL_MAX];
	char kind[64];
} token_row;

static int token_find(store_db *db, const char *token, token_row *t)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT person, kind FROM mail_tokens WHERE token = ?1");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, token, -1, SQLITE_STATIC);
	rc = st_step_row(s);
	if (rc == STORE_OK) {
		snprintf(t->person, sizeof(t->person), "%s", st_col_text(s, 0));
		snprintf(t->kind, sizeof(t->kind), "%s", st_col_text(s, 1));
		sqlite3_reset(s);
	}
	return rc;
}

/* The number after `prefix` in s, or -1. */
static int64_t num_after(const char *s, const char *prefix, const char **end)
{
	size_t n = strlen(prefix);
	char *e;
	long long v;

	if (strncmp(s, prefix, n) != 0)
		return -1;
	errno = 0;
	v = strtoll(s + n, &e, 10);
	if (errno || e == s + n || v < 0)
		return -1;
	if (end)
		*end = e;
	return v;
}

static int64_t project_of_kind(const char *kind, int64_t *num)
{
	const char *e = NULL;
	int64_t p;

	*num = 0;
	if ((p = num_after(kind, "new_group:", NULL)) >= 0 ||
	    (p = num_after(kind, "regression:", NULL)) >= 0)
		return p;
	p = num_after(kind, "group:", &e);
	if (p >= 0 && *e == ':')
		*num = num_after(e, ":", NULL);
	return p;
}

int store_mail_token_describe(store_db *db, const char *token, char *what, size_t whatlen)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT name FROM projects WHERE id = ?1");
	token_row t;
	int64_t pid, num = 0;
	const char *project = "?";
	int rc = token_find(db, token, &t);

	if (rc < 0)
		return rc;
	if (strncmp(t.person, "tester:", 7) == 0)
		pid = num_after(t.person, "tester:", NULL);
	else
		pid = project_of_kind(t.kind, &num);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, pid);
	rc = st_step_row(s);
	if (rc < 0 && rc != STORE_NOTFOUND)
		return rc;
	if (rc == STORE_OK)
		project = st_col_text(s, 0);
	if (strncmp(t.person, "tester:", 7) == 0)
		snprintf(what, whatlen, "e-mail about your reports and suggestions in %s", project);
	else if (strcmp(t.kind, "all") == 0)
		snprintf(what, whatlen, "every e-mail alert you follow");
	else if (strncmp(t.kind, "group:", 6) == 0)
		snprintf(what, whatlen, "e-mail about group G-%lld of %s", (long long)num, project);
	else if (strncmp(t.kind, "new_group:", 10) == 0)
		snprintf(what, whatlen, "e-mail about new groups of %s", project);
	else
		snprintf(what, whatlen, "e-mail about regressions of %s", project);
	if (rc == STORE_OK)
		sqlite3_reset(s);
	return STORE_OK;
}

int store_mail_unsubscribe(store_db *db, const char *token)
{
	sqlite3_stmt *s;
	token_row t;
	int64_t uid, pid, num;
	const char *kind;
	int rc = token_find(db, token, &t);

	if (rc < 0)
		return rc;
	if (strncmp(t.person, "tester:", 7) == 0) {
		const char *e = NULL;

		pid = num_after(t.person, "tester:", &e);
		if (pid < 0 || *e != ':')
			return STORE_NOTFOUND;
		return store_mail_tester_clear(db, pid, e + 1);
	}
	uid = num_after(t.person, "user:", NULL);
	if (uid < 0)
		return STORE_NOTFOUND;
	if (strcmp(t.kind, "all") == 0) {
		s = st_stmt(db, "DELETE FROM mail_subscriptions WHERE user_id = ?1");
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, uid);
		rc = st_step_done(s);
		return rc < 0 ? rc : drop_pending(db, t.person, NULL);
	}
	pid = project_of_kind(t.kind, &num);
	kind = strncmp(t.kind, "group:", 6) == 0	  ? "group"
	       : strncmp(t.kind, "new_group:", 10) == 0 ? "new_group"
						       : "regression";
	rc = store_mail_unfollow(db, uid, pid, kind, num);
	return rc < 0 ? rc : drop_pending(db, t.person, t.kind);
}
