/* store_board.c - the community board: public reads (board, shipped, fame, profiles) and moderation. */
#include "store/store.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "model/report.h"
#include "store/store_int.h"

int store_board_public(store_db *db, const char *name, int64_t *id)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT id FROM projects WHERE name = ?1 AND public = 1");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	return st_step_int(s, id);
}

/* The columns every board row has (row_of reads them), :since and :team bound. */
#define BOARD_COLUMNS                                                                         \
	"s.num, s.title, s.status, s.votes, (SELECT count(*) FROM votes v WHERE "            \
	"v.suggestion_id = s.id AND v.created_at >= :since), " SHIPPED_IN ", s.created_at, " \
	"s.pinned, s.hidden, (SELECT count(*) FROM comments c WHERE c.project_id = "         \
	"s.project_id AND c.target_type = 'S' AND c.target_num = s.num AND (:team OR "       \
	"c.hidden = 0)), (SELECT d.num FROM suggestions d WHERE d.id = s.duplicate_of), "   \
	"s.body, s.tester_name "

static void row_of(sqlite3_stmt *s, store_board_row *r)
{
	memset(r, 0, sizeof(*r));
	r->num = sqlite3_column_int64(s, 0);
	r->title = st_col_text(s, 1);
	r->status = st_col_text(s, 2);
	r->votes = sqlite3_column_int64(s, 3);
	r->votes_7d = sqlite3_column_int64(s, 4);
	r->shipped_in = st_col_text(s, 5);
	r->created_at = sqlite3_column_int64(s, 6);
	r->pinned = sqlite3_column_int(s, 7);
	r->hidden = sqlite3_column_int(s, 8);
	r->comments = sqlite3_column_int64(s, 9);
	r->duplicate_of = sqlite3_column_int64(s, 10);
	r->body = st_col_text(s, 11);
	r->author = st_col_text(s, 12);
}

typedef struct board_ctx {
	int (*fn)(void *ctx, const store_board_row *r);
	void *ctx;
	const char *install; /* store_board_get's: column 13 says whether it voted; NULL: no */
} board_ctx;

static int board_each(void *ctx, sqlite3_stmt *s)
{
	board_ctx *c = ctx;
	store_board_row row;

	row_of(s, &row);
	row.voted = c->install && sqlite3_column_int(s, 13);
	return c->fn(c->ctx, &row);
}

int store_board_list(store_db *db, int64_t project_id, const store_board_filter *f,
		     int (*fn)(void *ctx, const store_board_row *r), void *ctx, int64_t *next)
{
	st_suggestion_query q = {
	    .columns = BOARD_COLUMNS,
	    .where = "AND (:team OR s.hidden = 0 OR s.install_id = :i) ",
	    .status_where = "AND (s.status = :status OR (:status = 'under_review' AND s.status = "
			    "'new')) ",
	    /* Pinned ones first in every order. */
	    .first = "s.pinned DESC, ",
	    .order = f->sort == STORE_BOARD_NEWEST     ? "s.num DESC "
		     : f->sort == STORE_BOARD_TRENDING ? "5 DESC, s.votes DESC, s.num DESC "
						       : "s.votes DESC, s.num DESC ",
	    .q = f->q,
	    .prefix = f->prefix,
	    .status = f->status,
	    .install = f->install,
	    .team = f->team,
	    .since = f->since,
	    .offset = f->offset,
	    .limit = f->limit,
	    .row = board_each,
	};
	board_ctx c = {fn, ctx, NULL};

	return st_suggestion_page(db, project_id, &q, &c, next);
}

int store_board_get(store_db *db, int64_t project_id, int64_t num, const store_board_filter *f,
		    const char *install, int (*fn)(void *ctx, const store_board_row *r),
		    int (*merged)(void *ctx, int64_t num), void *ctx)
{
	st_suggestion_query q = {
	    .install = install, .team = f->team, .since = f->since, .row = board_each};
	board_ctx c = {fn, ctx, install};
	sqlite3_stmt *s;
	int rc =
	    st_suggestion_one(db,
			      "SELECT " BOARD_COLUMNS ", EXISTS (SELECT 1 FROM votes v "
			      "WHERE v.suggestion_id = coalesce(s.duplicate_of, s.id) AND "
			      "v.install_id = :i) FROM suggestions s WHERE s.project_id = :p "
			      "AND s.num = :n AND (:team OR s.hidden = 0 OR s.install_id = :i)",
			      project_id, num, &q, &c);

	if (rc != STORE_OK)
		return rc;
	s = st_stmt(db, "SELECT d.num FROM suggestions d JOIN suggestions s ON s.id = "
			"d.duplicate_of WHERE s.project_id = :p AND s.num = :n AND (:team OR "
			"d.hidden = 0) ORDER BY d.num");
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", num);
	st_bind_named_int(s, ":team", f->team);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (merged && merged(ctx, sqlite3_column_int64(s, 0)) != 0) {
			rc = SQLITE_ABORT;
			break;
		}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

/* Set flag `column` (hidden or pinned) of suggestion `id` to v, noted in its history. */
static int set_flag(store_db *db, int64_t project_id, int64_t num, int64_t id, const char *sql,
		    const char *field, int old, int v, const char *actor, int64_t now)
{
	sqlite3_stmt *s;

	if (v < 0 || v == old)
		return STORE_OK;
	s = st_stmt(db, sql);
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":id", id);
	st_bind_named_int(s, ":v", v);
	if (st_step_done(s) != STORE_OK)
		return STORE_ERROR;
	return st_audit(db, project_id, "S", num, actor, field, old ? "true" : "false",
			v ? "true" : "false", now);
}

int store_board_moderate(store_db *db, int64_t project_id, int64_t num, int hidden, int pinned,
			 const char *actor, int64_t now)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT id, hidden, pinned FROM suggestions WHERE "
				      "project_id = :p AND num = :n");
	int64_t id;
	int old_hidden, old_pinned, rc;

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", num);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	id = sqlite3_column_int64(s, 0);
	old_hidden = sqlite3_column_int(s, 1);
	old_pinned = sqlite3_column_int(s, 2);
	sqlite3_reset(s);
	rc = set_flag(db, project_id, num, id, "UPDATE suggestions SET hidden = :v WHERE id = :id",
		      "hidden", old_hidden, hidden, actor, now);
	if (rc == STORE_OK)
		rc = set_flag(db, project_id, num, id,
			      "UPDATE suggestions SET pinned = :v WHERE id = :id", "pinned",
			      old_pinned, pinned, actor, now);
	return rc;
}

int store_board_comment_hide(store_db *db, int64_t project_id, int64_t id, int hidden,
			     const char *actor, int64_t now,
			     int (*fn)(void *ctx, const store_board_comment *c), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT target_type, target_num, hidden FROM comments WHERE "
				      "project_id = :p AND id = :id");
	char type[2] = {0, 0}, ids[32];
	store_board_comment c;
	int64_t num;
	int old, rc;

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":id", id);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	type[0] = st_col_text(s, 0)[0];
	num = sqlite3_column_int64(s, 1);
	old = sqlite3_column_int(s, 2);
	sqlite3_reset(s);
	if (old != hidden) {
		/* Kept; who hid it and when stay on the comment while it is hidden, and in the
		 * item's history for good. */
		s = st_stmt(db, "UPDATE comments SET hidden = :h, hidden_by = CASE WHEN :h THEN :a "
				"END, hidden_at = CASE WHEN :h THEN :now END WHERE id = :id");
		if (!s)
			return STORE_ERROR;
		st_bind_named_int(s, ":h", hidden);
		st_bind_named_text(s, ":a", actor);
		st_bind_named_int(s, ":now", now);
		st_bind_named_int(s, ":id", id);
		if (st_step_done(s) != STORE_OK)
			return STORE_ERROR;
		snprintf(ids, sizeof(ids), "%lld", (long long)id);
		if (st_audit(db, project_id, type, num, actor, "hidden_comment", hidden ? NULL : ids,
			     hidden ? ids : NULL, now) != STORE_OK)
			return STORE_ERROR;
	}
	s = st_stmt(db, "SELECT id, target_type, target_num, author, body, created_at, install_id "
			"IS NOT NULL, hidden, hidden_by, hidden_at FROM comments WHERE id = :id");
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":id", id);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	c.id = sqlite3_column_int64(s, 0);
	c.type = st_col_text(s, 1)[0];
	c.num = sqlite3_column_int64(s, 2);
	c.author = st_col_text(s, 3);
	c.body = st_col_text(s, 4);
	c.at = sqlite3_column_int64(s, 5);
	c.from_tester = sqlite3_column_int(s, 6);
	c.hidden = sqlite3_column_int(s, 7);
	c.hidden_by = st_col_text(s, 8);
	c.hidden_at = sqlite3_column_int64(s, 9);
	rc = fn ? fn(ctx, &c) : 0;
	sqlite3_reset(s);
	return rc == 0 ? STORE_OK : STORE_ERROR;
}

int store_board_comment_add(store_db *db, int64_t project_id, int64_t num, const char *author,
			    const char *install_id, const char *body, int64_t now, int64_t *id)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT hidden FROM suggestions WHERE project_id = :p AND "
				      "num = :n");
	int64_t hidden;
	int rc;

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", num);
	rc = st_step_int(s, &hidden);
	if (rc != STORE_OK)
		return rc;
	if (hidden && install_id)
		return STORE_NOTFOUND; /* a tester does not see it */
	return st_comment_insert(db, project_id, "S", num, author, body, install_id, now, id);
}

/*
 * What testers contributed in the scope of release :r (NULL: every release), one row per
 * contribution: install_id, name (the credit sent with it, NULL: none), and which kind it is
 * (rep: a report a release fixed, sug: a suggestion that shipped, vot: a vote on someone
 * else's shipped suggestion). Reports count as fixed by the rule of REPORT_STATUS, as
 * release pages and contributors have it (store_releases.c); hidden suggestions do not count;
 * reports of REPORT_NO_TESTER (model/report.h) are no one's contribution.
 */
#define BOARD_FIXED                                                                            \
	"SELECT r.install_id, r.tester_name, r.title, c.release FROM commits c CROSS JOIN "    \
	"reports r ON r.project_id = c.project_id AND r.fixed_by = c.id JOIN groups g ON g.id " \
	"= r.group_id WHERE c.project_id = :p AND c.release IS NOT NULL AND (:r IS NULL OR "   \
	"c.release = :r) AND " REPORT_STATUS " = 'fixed' UNION ALL SELECT r.install_id, "       \
	"r.tester_name, r.title, c.release FROM commits c CROSS JOIN groups g ON g.project_id " \
	"= c.project_id AND g.fixed_by = c.id CROSS JOIN reports r ON r.group_id = g.id WHERE " \
	"c.project_id = :p AND c.release IS NOT NULL AND (:r IS NULL OR c.release = :r) AND "  \
	"r.fixed_by IS NULL AND " REPORT_STATUS " = 'fixed'"
#define BOARD_CONTRIB                                                                           \
	"WITH shipped AS (SELECT s.id, s.install_id, s.tester_name FROM suggestions s WHERE "    \
	"s.project_id = :p AND s.duplicate_of IS NULL AND s.hidden = 0 AND " SHIPPED_IN " IS "   \
	"NOT NULL AND (:r IS NULL OR " SHIPPED_IN " = :r)), fixed AS (" BOARD_FIXED "), "        \
	"contrib AS (SELECT install_id, tester_name AS name, 0 AS rep, 1 AS sug, 0 AS vot FROM " \
	"shipped UNION ALL SELECT v.install_id, v.tester_name, 0, 0, 1 FROM votes v JOIN "       \
	"shipped ON shipped.id = v.suggestion_id WHERE v.install_id IS NOT shipped.install_id "  \
	"UNION ALL SELECT install_id, tester_name, 1, 0, 0 FROM fixed WHERE install_id IS NOT '"  \
	REPORT_NO_TESTER "') "

static int bind_scope(sqlite3_stmt *s, int64_t project_id, const char *release)
{
	if (!s)
		return -1;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":r", release);
	return 0;
}

/* Credited names and the count of the others, for one scope. */
static int fame_each(store_db *db, int64_t project_id, const char *release, const char *name,
		     int (*fn)(void *ctx, const store_fame_row *r), void *ctx, int64_t *others)
{
	sqlite3_stmt *s = st_stmt(db, BOARD_CONTRIB "SELECT name, sum(rep), sum(sug), sum(vot) "
						    "FROM contrib WHERE name IS NOT NULL AND (:name IS "
						    "NULL OR name = :name) GROUP BY name ORDER BY name "
						    "LIMIT 1000");
	store_fame_row row;
	int rc;

	if (bind_scope(s, project_id, release) < 0)
		return STORE_ERROR;
	st_bind_named_text(s, ":name", name);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.name = st_col_text(s, 0);
		row.reports_fixed = sqlite3_column_int64(s, 1);
		row.suggestions_shipped = sqlite3_column_int64(s, 2);
		row.votes_shipped = sqlite3_column_int64(s, 3);
		if (fn(ctx, &row) != 0) {
			rc = SQLITE_ABORT;
			break;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return STORE_ERROR;
	if (!others)
		return STORE_OK;
	/* An install that sent a name with any of its contributions is credited, not counted. */
	s = st_stmt(db, BOARD_CONTRIB "SELECT count(DISTINCT install_id) FROM contrib WHERE "
				      "install_id NOT IN (SELECT install_id FROM contrib WHERE name "
				      "IS NOT NULL AND install_id IS NOT NULL)");
	if (bind_scope(s, project_id, release) < 0)
		return STORE_ERROR;
	return st_step_int(s, others);
}

int store_board_fame(store_db *db, int64_t project_id, const char *release, const char *name,
		     int (*fn)(void *ctx, const store_fame_row *r), void *ctx, int64_t *others)
{
	if (release) {
		int rc = store_release_known(db, project_id, release);

		if (rc == STORE_ERROR)
			return rc;
		if (rc == 0)
			return STORE_NOTFOUND;
	}
	return fame_each(db, project_id, release, name, fn, ctx, others);
}

typedef struct credit_ctx {
	const store_shipped_fns *fns;
	void *ctx;
} credit_ctx;

static int credit_name(void *ctx, const store_fame_row *r)
{
	credit_ctx *c = ctx;

	return c->fns->credited ? c->fns->credited(c->ctx, r->name) : 0;
}

/* What one release shipped and fixed, and who is credited for it. */
static int shipped_one(store_db *db, int64_t project_id, const char *name,
		       const store_shipped_fns *fns, void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT s.num, s.title, s.votes FROM suggestions s WHERE "
				      "s.project_id = :p AND s.duplicate_of IS NULL AND s.hidden = 0 "
				      "AND " SHIPPED_IN " = :r ORDER BY s.votes DESC, s.num");
	credit_ctx cc = {fns, ctx};
	int64_t others = 0;
	int rc;

	if (bind_scope(s, project_id, name) < 0)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fns->suggestion &&
		    fns->suggestion(ctx, sqlite3_column_int64(s, 0), st_col_text(s, 1),
				    sqlite3_column_int64(s, 2)) != 0) {
			rc = SQLITE_ABORT;
			break;
		}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return STORE_ERROR;
	/* The groups it fixed, as the release's own page lists them. */
	s = st_stmt(db, "SELECT g.num, g.title, g.count FROM commits c CROSS JOIN groups g ON "
			"g.project_id = c.project_id AND g.fixed_by = c.id WHERE c.project_id = :p "
			"AND c.release = :r AND g.merged_into IS NULL AND g.status = 'fixed' ORDER "
			"BY g.num");
	if (bind_scope(s, project_id, name) < 0)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fns->fixed && fns->fixed(ctx, sqlite3_column_int64(s, 0), st_col_text(s, 1),
					     sqlite3_column_int64(s, 2)) != 0) {
			rc = SQLITE_ABORT;
			break;
		}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return STORE_ERROR;
	rc = fame_each(db, project_id, name, NULL, credit_name, &cc, &others);
	if (rc == STORE_OK && fns->others && fns->others(ctx, others) != 0)
		rc = STORE_ERROR;
	return rc;
}

int store_board_shipped(store_db *db, int64_t project_id, const store_shipped_fns *fns,
			void *ctx)
{
	char **names = NULL, **tips = NULL;
	sqlite3_stmt *s;
	size_t n = 0, i;
	int64_t at;
	int rc = store_releases(db, project_id, &names, &tips, &n);

	if (rc != STORE_OK)
		return rc;
	/* store_releases() gives history order; the page wants the newest first. */
	for (i = n; rc == STORE_OK && i-- > 0;) {
		s = st_stmt(db, "SELECT created_at FROM releases WHERE project_id = :p AND name = :r");
		if (bind_scope(s, project_id, names[i]) < 0 || st_step_int(s, &at) != STORE_OK) {
			rc = STORE_ERROR;
			break;
		}
		if (fns->release && fns->release(ctx, names[i], at) != 0)
			rc = STORE_ERROR;
		else
			rc = shipped_one(db, project_id, names[i], fns, ctx);
	}
	for (i = 0; i < n; i++) {
		free(names[i]);
		free(tips[i]);
	}
	free(names);
	free(tips);
	return rc;
}

int store_board_profile(store_db *db, int64_t project_id, const char *name,
			int (*suggestion)(void *ctx, const store_board_row *r),
			int (*fixed)(void *ctx, const char *title, const char *release), void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT " BOARD_COLUMNS "FROM suggestions s WHERE "
				      "s.project_id = :p AND s.tester_name = :name AND s.hidden = 0 "
				      "AND s.status <> 'duplicate' ORDER BY s.num DESC LIMIT 500");
	store_board_row row;
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":name", name);
	st_bind_named_int(s, ":team", 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_of(s, &row);
		row.author = NULL;
		if (suggestion(ctx, &row) != 0) {
			rc = SQLITE_ABORT;
			break;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return STORE_ERROR;
	/* Fixed reports sent under the name: titles and releases only. */
	s = st_stmt(db, "WITH fixed AS (" BOARD_FIXED ") SELECT title, release FROM fixed WHERE "
			"tester_name = :name ORDER BY release, title LIMIT 500");
	if (bind_scope(s, project_id, NULL) < 0)
		return STORE_ERROR;
	st_bind_named_text(s, ":name", name);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fixed(ctx, st_col_text(s, 0), st_col_text(s, 1)) != 0) {
			rc = SQLITE_ABORT;
			break;
		}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}
