/* store_history.c - changes to reports and groups (patches, merges), the audit trail and comments.
 */
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
#include "store/store_events.h"
#include "store/store_int.h"
#include "model/workflow.h"

static const char sql_group_current[] =
    "SELECT id, status, assignee, fixed_by, merged_into FROM groups "
    "WHERE project_id = ?1 AND num = ?2";
static const char sql_group_set_assignee[] = "UPDATE groups SET assignee = ?2 WHERE id = ?1";
static const char sql_group_set_fixed[] = "UPDATE groups SET fixed_by = ?2 WHERE id = ?1";
static const char sql_group_set_status[] = "UPDATE groups SET status = ?2 WHERE id = ?1";
static const char sql_report_current[] =
    "SELECT r.id, " REPORT_STATUS ", r.assignee, r.fixed_by, 0 "
    "FROM reports r JOIN groups g ON g.id = r.group_id "
    "WHERE r.project_id = ?1 AND r.num = ?2";
static const char sql_report_set_assignee[] = "UPDATE reports SET assignee = ?2 WHERE id = ?1";
static const char sql_report_set_fixed[] = "UPDATE reports SET fixed_by = ?2 WHERE id = ?1";
static const char sql_report_set_status[] =
    "UPDATE reports SET status = ?2, status_own = 1 WHERE id = ?1";

int store_thread_load(store_db *db, int64_t project_id, char type, int64_t num, store_arena *a,
		      store_thread *out)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT author, body, created_at, install_id IS NOT NULL, id, hidden FROM comments "
		"WHERE project_id = ?1 AND target_type = ?2 AND target_num = ?3 ORDER BY id");
	char t[2] = {type, '\0'};
	store_comment *c;
	store_history_entry *h;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, t, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, num);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		c = st_push(a, &out->comments, &out->ncomments, &cap, sizeof(*c));
		if (!c)
			break;
		c->author = st_col_dup(a, s, 0);
		c->body = st_col_dup(a, s, 1);
		c->at = sqlite3_column_int64(s, 2);
		c->from_tester = sqlite3_column_int(s, 3);
		c->id = sqlite3_column_int64(s, 4);
		c->hidden = sqlite3_column_int(s, 5);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || a->failed)
		return STORE_ERROR;
	s = st_stmt(db,
		    "SELECT actor, field, old_value, new_value, at FROM audit "
		    "WHERE project_id = ?1 AND target_type = ?2 AND target_num = ?3 ORDER BY id");
	if (!s)
		return STORE_ERROR;
	cap = 0;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, t, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, num);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		h = st_push(a, &out->history, &out->nhistory, &cap, sizeof(*h));
		if (!h)
			break;
		h->actor = st_col_dup(a, s, 0);
		h->field = st_col_dup(a, s, 1);
		h->old_value = st_col_dup(a, s, 2);
		h->new_value = st_col_dup(a, s, 3);
		h->at = sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || a->failed)
		return STORE_ERROR;
	return STORE_OK;
}

/* Record one change in the audit trail. */
int st_audit(store_db *db, int64_t project_id, const char *type, int64_t num,
		 const char *actor, const char *field, const char *old_value, const char *new_value,
		 int64_t now)
{
	sqlite3_stmt *s =
	    st_stmt(db, "INSERT INTO audit(project_id, target_type, target_num, actor, field, "
			"old_value, new_value, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, num);
	sqlite3_bind_text(s, 4, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, field, -1, SQLITE_STATIC);
	st_bind_text_or_null(s, 6, old_value);
	st_bind_text_or_null(s, 7, new_value);
	sqlite3_bind_int64(s, 8, now);
	return st_step_done(s);
}

/* Like st_audit in shape, but kept apart: its own table and columns, each statement cached
 * on its own text. */
int st_comment_insert(store_db *db, int64_t project_id, const char *type, int64_t num,
		      const char *author, const char *body, const char *install_id, int64_t now,
		      int64_t *id)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT INTO comments(project_id, target_type, target_num, "
				      "author, body, created_at, install_id) VALUES (:p, :type, :n, "
				      ":a, :b, :now, :i) RETURNING id");
	int64_t made;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":type", type);
	st_bind_named_int(s, ":n", num);
	st_bind_named_text(s, ":a", author);
	st_bind_named_text(s, ":b", body);
	st_bind_named_int(s, ":now", now);
	st_bind_named_text(s, ":i", install_id);
	if (st_step_int(s, &made) != STORE_OK)
		return STORE_ERROR;
	if (id)
		*id = made;
	/* The team's word on a tester's report or its group is news to the tester. */
	if (!install_id && (type[0] == 'R' || type[0] == 'G'))
		return st_event_comment(db, project_id, type, num, made, author, body, now);
	return STORE_OK;
}

int st_comment_add(store_db *db, int64_t project_id, const char *type, int64_t num,
		   const char *actor, const char *body, int64_t now)
{
	return st_comment_insert(db, project_id, type, num, actor, body, NULL, now, NULL);
}

/* Set one text column of a report or group, recording the change when there is one. */
static int set_field(store_db *db, const char *sql, int64_t id, int64_t project_id,
		     const char *type, int64_t num, const char *field, const char *old_value,
		     const char *value, const char *actor, int64_t now)
{
	sqlite3_stmt *s;
	const char *v = value && *value ? value : NULL; /* "" clears */

	if ((!old_value && !v) || (old_value && v && strcmp(old_value, v) == 0))
		return STORE_OK;
	s = st_stmt(db, sql);
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	st_bind_text_or_null(s, 2, v);
	if (st_step_done(s) != STORE_OK)
		return STORE_ERROR;
	return st_audit(db, project_id, type, num, actor, field, old_value, v, now);
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

static int load_current(store_db *db, const char *sql, int64_t project_id, int64_t num, current *c)
{
	sqlite3_stmt *s = st_stmt(db, sql);
	int rc;

	memset(c, 0, sizeof(*c));
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->id = sqlite3_column_int64(s, 0);
		snprintf(c->status, sizeof(c->status), "%s", st_col_text(s, 1));
		c->assignee = st_col_text(s, 2) ? strdup(st_col_text(s, 2)) : NULL;
		c->fixed_by = st_col_text(s, 3) ? strdup(st_col_text(s, 3)) : NULL;
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
	sqlite3_stmt *s = st_stmt(db, "SELECT (SELECT release FROM commits WHERE project_id = :p AND "
				"id = :o), (SELECT release FROM commits WHERE project_id = :p AND "
				"id = :n)");
	char *was = NULL, *is = NULL;
	int rc = STORE_ERROR;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":o", old_fix ? old_fix : "");
	st_bind_named_text(s, ":n", new_fix ? new_fix : "");
	if (sqlite3_step(s) == SQLITE_ROW) {
		was = st_col_text(s, 0) ? strdup(st_col_text(s, 0)) : NULL;
		is = st_col_text(s, 1) ? strdup(st_col_text(s, 1)) : NULL;
		rc = STORE_OK;
		if ((st_col_text(s, 0) && !was) || (st_col_text(s, 1) && !is))
			rc = STORE_ERROR;
	}
	sqlite3_reset(s);
	if (rc == STORE_OK && !(was == NULL && is == NULL) &&
	    !(was && is && strcmp(was, is) == 0))
		rc = st_audit(db, project_id, type, num, actor, "fixed_in", was, is, now);
	free(was);
	free(is);
	return rc;
}

/* What a report and a group have alike: status, assignee, fixed_by, comment. */
static int patch_common(store_db *db, const current *c, int64_t project_id, const char *type,
			int64_t num, const store_patch *p, const char *actor, int64_t now,
			const char *q_status, const char *q_assignee,
			const char *q_fixed, char *why, size_t whylen)
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
	if (p->comment && st_comment_add(db, project_id, type, num, actor, p->comment, now) < 0)
		return STORE_ERROR;
	return STORE_OK;
}

int store_report_patch(store_db *db, int64_t project_id, int64_t num, const store_patch *p,
		       const char *actor, int64_t now, char *why, size_t whylen)
{
	current c;
	int rc = load_current(db, sql_report_current, project_id, num, &c);

	assert(ST_IN_WRITE_TXN(db));
	if (rc != STORE_OK)
		return rc;
	rc = patch_common(db, &c, project_id, "R", num, p, actor, now, sql_report_set_status,
			  sql_report_set_assignee, sql_report_set_fixed, why, whylen);
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
	/* In order; ?1 is the group merged away, ?2 the one it joins. */
	static const char *const steps[] = {
		"INSERT OR IGNORE INTO group_testers(group_id, install_id) "
		"SELECT ?2, install_id FROM group_testers WHERE group_id = ?1",
		"INSERT INTO group_facets(group_id, facet, value, count) "
		"SELECT ?2, facet, value, count FROM group_facets WHERE group_id = ?1 "
		"ON CONFLICT DO UPDATE SET count = count + excluded.count",
		"DELETE FROM group_facets WHERE group_id = ?1", /* they moved, as its count does */
		"UPDATE reports SET group_id = ?2 WHERE group_id = ?1",
		"UPDATE groups SET "
		"count = count + (SELECT count FROM groups WHERE id = ?1), "
		"testers = (SELECT count(*) FROM group_testers WHERE group_id = ?2), "
		"first_seen = min(first_seen, (SELECT first_seen FROM groups WHERE id = ?1)), "
		"last_seen = max(last_seen, (SELECT last_seen FROM groups WHERE id = ?1)) "
		"WHERE id = ?2",
		"UPDATE groups SET merged_into = ?2, status = 'duplicate', count = 0, "
		"testers = 0 WHERE id = ?1",
	};

	if (into == num) {
		snprintf(why, whylen, "a group cannot be merged into itself");
		return STORE_INVALID;
	}
	if (c->merged_into) {
		snprintf(why, whylen, "G-%lld is already merged", (long long)num);
		return STORE_CONFLICT;
	}
	rc = load_current(db, sql_group_current, project_id, into, &t);
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
		s = st_stmt(db, steps[i]);
		if (!s) {
			rc = STORE_ERROR;
			break;
		}
		sqlite3_bind_int64(s, 1, c->id);
		sqlite3_bind_int64(s, 2, t.id);
		rc = st_step_done(s);
		if (rc != STORE_OK)
			break;
	}
	current_free(&t);
	if (rc != STORE_OK)
		return STORE_ERROR;
	snprintf(target, sizeof(target), "G-%lld", (long long)into);
	return st_audit(db, project_id, "G", num, actor, "merged_into", NULL, target, now);
}

int store_group_patch(store_db *db, int64_t project_id, int64_t num, const store_patch *p,
		      const char *actor, int64_t now, char *why, size_t whylen)
{
	current c;
	int rc = load_current(db, sql_group_current, project_id, num, &c);

	assert(ST_IN_WRITE_TXN(db));
	if (rc != STORE_OK)
		return rc;
	/* Refused before any other change of the patch is made. */
	if (p->merge_into && c.merged_into && p->merge_into != num) {
		snprintf(why, whylen, "G-%lld is already merged", (long long)num);
		current_free(&c);
		return STORE_CONFLICT;
	}
	rc = patch_common(db, &c, project_id, "G", num, p, actor, now, sql_group_set_status,
			  sql_group_set_assignee, sql_group_set_fixed, why, whylen);
	if (rc == STORE_OK && p->merge_into)
		rc = merge_group(db, &c, project_id, num, p->merge_into, actor, now, why, whylen);
	current_free(&c);
	return rc;
}

int store_report_reply_add(store_db *db, int64_t project_id, int64_t num,
			   const char *install_id, const char *body, int64_t now, char *author,
			   size_t authorlen)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT install_id, coalesce(tester_name, 'tester') FROM reports "
				"WHERE project_id = :p AND num = :n");
	int rc;

	assert(ST_IN_WRITE_TXN(db));
	if (authorlen)
		author[0] = '\0';
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", num);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	rc = strcmp(st_col_text(s, 0), install_id) == 0 ? STORE_OK : STORE_FORBIDDEN;
	snprintf(author, authorlen, "%s", st_col_text(s, 1));
	sqlite3_reset(s);
	if (rc != STORE_OK)
		return rc;
	return st_comment_insert(db, project_id, "R", num, author, body, install_id, now, NULL);
}

