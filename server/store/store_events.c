/* store_events.c - recording the outbox's events at the changes that cause them. */
#include "store/store_events.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/events.h"
#include "store/store_int.h"
#include "store/store_outbox.h"

/* Record data (heap text, consumed; NULL when it could not be built). */
static int add(store_db *db, int64_t project_id, const char *type, char *data, int64_t now)
{
	int rc = data ? store_outbox_add(db, project_id, type, data, now, NULL) : STORE_ERROR;

	free(data);
	return rc;
}

int st_events_mark(store_db *db)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT coalesce(max(id), 0) FROM audit");

	db->audit_mark = 0;
	if (!s)
		return STORE_ERROR;
	return st_step_int(s, &db->audit_mark);
}

/* A group's title and fixing commit (into the caller's buffers). */
static int group_of(store_db *db, int64_t project_id, int64_t num, char **title, char fix[41])
{
	sqlite3_stmt *s = st_stmt(db, "SELECT title, coalesce(fixed_by, '') FROM groups "
				      "WHERE project_id = :p AND num = :n");
	int rc;

	*title = NULL;
	fix[0] = '\0';
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", num);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	*title = strdup(st_col_text(s, 0) ? st_col_text(s, 0) : "");
	snprintf(fix, 41, "%s", st_col_text(s, 1));
	sqlite3_reset(s);
	return *title ? STORE_OK : STORE_ERROR;
}

/* One history row of a group: the event it means, if any. */
static int group_row(store_db *db, sqlite3_stmt *a)
{
	int64_t project_id = sqlite3_column_int64(a, 0), num = sqlite3_column_int64(a, 2);
	const char *actor = st_col_text(a, 3), *field = st_col_text(a, 4);
	const char *was = st_col_text(a, 5), *is = st_col_text(a, 6);
	int64_t at = sqlite3_column_int64(a, 7), rnum = 0;
	char *title = NULL, fix[41], release[128] = "";
	sqlite3_stmt *s;
	int rc = group_of(db, project_id, num, &title, fix);

	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_OK : rc;
	if (strcmp(field, "status") == 0 && is && strcmp(is, "regressed") == 0) {
		/* the report whose build holds the fix showed it: "report R-12" */
		if (strncmp(actor, "report R-", 9) == 0)
			rnum = strtoll(actor + 9, NULL, 10);
		s = st_stmt(db, "SELECT coalesce(version, revision, '') FROM reports "
				"WHERE project_id = :p AND num = :n");
		if (rnum && s) {
			st_bind_named_int(s, ":p", project_id);
			st_bind_named_int(s, ":n", rnum);
			if (st_step_row(s) == STORE_OK) {
				snprintf(release, sizeof(release), "%s", st_col_text(s, 0));
				sqlite3_reset(s);
			}
		}
		rc = add(db, project_id, "group.regressed",
			 events_group_regressed(num, title, was, rnum, release[0] ? release : NULL),
			 at);
	} else if (strcmp(field, "status") == 0 && is) {
		rc = add(db, project_id, "group.status_changed",
			 events_group_status_changed(num, title, is, was), at);
	} else if (strcmp(field, "merged_into") == 0) {
		rc = add(db, project_id, "group.status_changed",
			 events_group_status_changed(num, title, "duplicate", NULL), at);
	} else if (strcmp(field, "fixed_in") == 0 && is && fix[0]) {
		s = st_stmt(db, "SELECT status = 'fixed' AND merged_into IS NULL FROM groups "
				"WHERE project_id = :p AND num = :n");
		int64_t fixed = 0;

		if (!s) {
			rc = STORE_ERROR;
			goto out;
		}
		st_bind_named_int(s, ":p", project_id);
		st_bind_named_int(s, ":n", num);
		rc = st_step_int(s, &fixed);
		if (rc == STORE_OK && fixed)
			rc = add(db, project_id, "group.fixed_in_release",
				 events_group_fixed_in_release(num, title, is, fix), at);
	}
out:
	free(title);
	return rc;
}

/* One history row of a suggestion: the event it means, if any. */
static int suggestion_row(store_db *db, sqlite3_stmt *a)
{
	int64_t project_id = sqlite3_column_int64(a, 0), num = sqlite3_column_int64(a, 2);
	const char *field = st_col_text(a, 4), *was = st_col_text(a, 5), *is = st_col_text(a, 6);
	const char *shipped_before = st_col_text(a, 8); /* status before, when it went shipped */
	int64_t at = sqlite3_column_int64(a, 7), shipped_in_txn = sqlite3_column_int64(a, 9);
	sqlite3_stmt *s = st_stmt(db, "SELECT title, status, shipped_in, install_id FROM "
				      "suggestions WHERE project_id = :p AND num = :n");
	const char *title, *status, *release, *install;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", num);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_OK : rc;
	title = st_col_text(s, 0);
	status = st_col_text(s, 1);
	release = st_col_text(s, 2);
	install = st_col_text(s, 3);
	if (strcmp(field, "shipped_in") == 0) {
		/* the change that ships it, with the status it left when that moved too */
		if (is && strcmp(status, "shipped") == 0)
			rc = add(db, project_id, "suggestion.shipped",
				 events_suggestion_shipped(num, title, is, shipped_before, install), at);
	} else if (strcmp(field, "status") == 0 && is && strcmp(is, "shipped") == 0) {
		if (!shipped_in_txn) /* shipped in a release it already named */
			rc = add(db, project_id, "suggestion.shipped",
				 events_suggestion_shipped(num, title, release, was, install), at);
	} else if (strcmp(field, "status") == 0 && is) {
		rc = add(db, project_id, "suggestion.status_changed",
			 events_suggestion_status_changed(num, title, is, was, install), at);
	} else if (strcmp(field, "duplicate_of") == 0) {
		rc = add(db, project_id, "suggestion.status_changed",
			 events_suggestion_status_changed(num, title, "duplicate", NULL, install), at);
	}
	sqlite3_reset(s);
	return rc;
}

int st_events_flush(store_db *db)
{
	/* Columns 8 and 9 of a suggestion's row: the status it left for shipped in this
	 * transaction, and whether its shipped_in was set in it. */
	sqlite3_stmt *a = st_stmt(
	    db, "SELECT a.project_id, a.target_type, a.target_num, a.actor, a.field, a.old_value, "
		"a.new_value, a.at, (SELECT b.old_value FROM audit b WHERE b.id > :mark AND "
		"b.project_id = a.project_id AND b.target_type = 'S' AND b.target_num = a.target_num "
		"AND b.field = 'status' AND b.new_value = 'shipped'), EXISTS (SELECT 1 FROM audit b "
		"WHERE b.id > :mark AND b.project_id = a.project_id AND b.target_type = 'S' AND "
		"b.target_num = a.target_num AND b.field = 'shipped_in' AND b.new_value IS NOT NULL) "
		"FROM audit a WHERE a.id > :mark AND ((a.target_type = 'G' AND a.field IN ('status', "
		"'fixed_in', 'merged_into')) OR (a.target_type = 'S' AND a.field IN ('status', "
		"'shipped_in', 'duplicate_of'))) ORDER BY a.id");
	int rc = STORE_OK, step;

	if (!a)
		return STORE_ERROR;
	st_bind_named_int(a, ":mark", db->audit_mark);
	while (rc == STORE_OK && (step = sqlite3_step(a)) == SQLITE_ROW)
		rc = st_col_text(a, 1)[0] == 'G' ? group_row(db, a) : suggestion_row(db, a);
	if (rc == STORE_OK && step != SQLITE_DONE)
		rc = STORE_ERROR;
	sqlite3_reset(a);
	return rc;
}

int st_event_group_created(store_db *db, int64_t project_id, int64_t group_num,
			   int64_t report_num, int64_t now)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT g.title, g.kind, coalesce(r.version, r.revision) "
				      "FROM groups g JOIN reports r ON r.group_id = g.id WHERE "
				      "g.project_id = :p AND g.num = :g AND r.num = :r");
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":g", group_num);
	st_bind_named_int(s, ":r", report_num);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return STORE_ERROR;
	rc = add(db, project_id, "group.created",
		 events_group_created(group_num, st_col_text(s, 0), st_col_text(s, 1), report_num,
				      st_col_text(s, 2)),
		 now);
	sqlite3_reset(s);
	return rc;
}

int st_event_comment(store_db *db, int64_t project_id, const char *type, int64_t num,
		     int64_t comment_id, const char *author, const char *body, int64_t now)
{
	sqlite3_stmt *s;
	int64_t group = num;
	int rc;

	if (type[0] == 'G')
		return add(db, project_id, "report.comment",
			   events_report_comment(0, group, comment_id, body, author, NULL), now);
	s = st_stmt(db, "SELECT g.num, r.install_id FROM reports r JOIN groups g ON g.id = "
			"r.group_id WHERE r.project_id = :p AND r.num = :n");
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", num);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return STORE_ERROR;
	group = sqlite3_column_int64(s, 0);
	rc = add(db, project_id, "report.comment",
		 events_report_comment(num, group, comment_id, body, author, st_col_text(s, 1)),
		 now);
	sqlite3_reset(s);
	return rc;
}

int st_event_suggestion_created(store_db *db, int64_t project_id, int64_t num, int64_t now)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT title, status, install_id FROM suggestions "
				      "WHERE project_id = :p AND num = :n");
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", num);
	if (st_step_row(s) != STORE_OK)
		return STORE_ERROR;
	rc = add(db, project_id, "suggestion.created",
		 events_suggestion_created(num, st_col_text(s, 0), st_col_text(s, 1),
					   st_col_text(s, 2)),
		 now);
	sqlite3_reset(s);
	return rc;
}

int store_event_release_created(store_db *db, int64_t project_id, const char *name,
				int64_t now)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT r.commit_id, (SELECT q.name FROM releases q WHERE q.project_id = "
		"r.project_id AND q.position < r.position ORDER BY q.position DESC LIMIT 1) "
		"FROM releases r WHERE r.project_id = :p AND r.name = :n");
	int rc;

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":n", name);
	if (st_step_row(s) != STORE_OK)
		return STORE_ERROR;
	rc = add(db, project_id, "release.created",
		 events_release_created(name, st_col_text(s, 0), st_col_text(s, 1)), now);
	sqlite3_reset(s);
	return rc;
}
