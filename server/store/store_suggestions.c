/* store_suggestions.c - suggestions, and what a tester sees of their own items. */
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

int st_suggestions_ship(store_db *db, int64_t project_id, int64_t now)
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
		sqlite3_stmt *s = st_stmt(db, steps[i]);

		if (!s)
			return STORE_ERROR;
		st_bind_named_int(s, ":p", project_id);
		st_bind_named_int(s, ":now", now);
		if (st_step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int store_suggestion_add(store_db *db, int64_t project_id, const store_suggestion *in,
			 int64_t now, int64_t *num, int *created)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT num FROM suggestions WHERE project_id = :p AND uuid = :u");
	int rc;

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":u", in->uuid);
	rc = st_step_int(s, num);
	if (rc != STORE_NOTFOUND) {
		*created = 0;
		return rc;
	}
	s = st_stmt(db, "UPDATE projects SET next_suggestion = next_suggestion + 1 WHERE id = :p "
		  "RETURNING next_suggestion - 1");
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	if (st_step_int(s, num) != STORE_OK)
		return STORE_ERROR;
	s = st_stmt(db, "INSERT INTO suggestions(project_id, num, uuid, title, body, install_id, "
		  "tester_name, created_at, updated_at) VALUES (:p, :n, :u, :t, :b, :i, :name, :now, "
		  ":now)");
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", *num);
	st_bind_named_text(s, ":u", in->uuid);
	st_bind_named_text(s, ":t", in->title);
	st_bind_named_text(s, ":b", in->body);
	st_bind_named_text(s, ":i", in->install_id);
	st_bind_named_text(s, ":name", in->tester_name);
	st_bind_named_int(s, ":now", now);
	if (st_step_done(s) != STORE_OK)
		return STORE_ERROR;
	s = st_stmt(db, "INSERT INTO suggestions_fts(rowid, title, body) VALUES (last_insert_rowid(), "
		  ":t, :b)");
	if (!s)
		return STORE_ERROR;
	st_bind_named_text(s, ":t", in->title);
	st_bind_named_text(s, ":b", in->body ? in->body : "");
	if (st_step_done(s) != STORE_OK)
		return STORE_ERROR;
	*created = 1;
	if (st_event_suggestion_created(db, project_id, *num, now) < 0)
		return STORE_ERROR;
	/* Its author's vote comes with it, so a suggestion starts at one. */
	return store_vote(db, project_id, *num, in->install_id, in->tester_name, 1, now, NULL);
}

#define SUGGESTION_COLUMNS                                                                   \
	"s.num, s.title, s.status, s.votes, " SHIPPED_IN ", s.created_at, s.updated_at, "    \
	"(SELECT d.num FROM suggestions d WHERE d.id = s.duplicate_of), s.body "

/* The row of SUGGESTION_COLUMNS at the statement's current step (strings borrowed). */
static void suggestion_row(sqlite3_stmt *s, store_suggestion_row *r)
{
	memset(r, 0, sizeof(*r));
	r->num = sqlite3_column_int64(s, 0);
	r->title = st_col_text(s, 1);
	r->status = st_col_text(s, 2);
	r->votes = sqlite3_column_int64(s, 3);
	r->shipped_in = st_col_text(s, 4);
	r->created_at = sqlite3_column_int64(s, 5);
	r->updated_at = sqlite3_column_int64(s, 6);
	r->duplicate_of = sqlite3_column_int64(s, 7);
	r->body = st_col_text(s, 8);
}

int st_suggestion_page(store_db *db, int64_t project_id, const st_suggestion_query *q, void *ctx,
		       int64_t *next)
{
	buf sql, fq;
	sqlite3_stmt *s;
	int rc = STORE_ERROR, n = 0;

	*next = 0;
	buf_init(&sql, 8192);
	buf_init(&fq, 4096);
	if (q->q) {
		rc = st_fts_query_prefix(db, q->q, q->prefix, &fq);
		if (rc == STORE_ERROR)
			goto out;
		if (rc == 0) {
			rc = STORE_OK; /* nothing searchable: nothing found */
			goto out;
		}
	}
	buf_puts(&sql, "SELECT ");
	buf_puts(&sql, q->columns);
	buf_puts(&sql, "FROM suggestions s ");
	if (q->q)
		buf_puts(&sql, "JOIN suggestions_fts x ON x.rowid = s.id AND suggestions_fts MATCH :q ");
	buf_puts(&sql, "WHERE s.project_id = :p ");
	buf_puts(&sql, q->where);
	buf_puts(&sql, q->status ? q->status_where : "AND s.status <> 'duplicate' ");
	/* The cursor is an offset into this order. */
	buf_puts(&sql, "ORDER BY ");
	buf_puts(&sql, q->first);
	buf_puts(&sql, q->q ? "bm25(suggestions_fts, 5.0, 1.0), s.votes DESC " : q->order);
	buf_puts(&sql, "LIMIT :limit OFFSET :offset");
	s = st_shape(db, sql.p);
	rc = STORE_ERROR;
	if (!s)
		goto out;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":team", q->team);
	st_bind_named_int(s, ":since", q->since);
	st_bind_named_text(s, ":i", q->install);
	st_bind_named_text(s, ":q", fq.p);
	st_bind_named_text(s, ":status", q->status);
	st_bind_named_int(s, ":limit", q->limit + 1);
	st_bind_named_int(s, ":offset", q->offset);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == q->limit) {
			*next = q->offset + n;
			break;
		}
		if (q->row(ctx, s) != 0) {
			rc = SQLITE_ABORT;
			break;
		}
		n++;
	}
	rc = st_page_end(s, rc);
	if (rc != STORE_OK)
		*next = 0;
out:
	buf_free(&sql);
	buf_free(&fq);
	return rc;
}

int st_suggestion_one(store_db *db, const char *sql, int64_t project_id, int64_t num,
		      const st_suggestion_query *q, void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, sql);
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", num);
	st_bind_named_int(s, ":team", q->team);
	st_bind_named_int(s, ":since", q->since);
	st_bind_named_text(s, ":i", q->install);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	rc = q->row(ctx, s);
	sqlite3_reset(s);
	return rc == 0 ? STORE_OK : STORE_ERROR;
}

typedef struct suggestion_ctx {
	store_row_fn_suggestion fn;
	void *ctx;
} suggestion_ctx;

static int suggestion_each(void *ctx, sqlite3_stmt *s)
{
	suggestion_ctx *c = ctx;
	store_suggestion_row row;

	suggestion_row(s, &row);
	return c->fn(c->ctx, &row);
}

int store_suggestion_list(store_db *db, int64_t project_id, const store_suggestion_filter *f,
			  store_row_fn_suggestion fn, void *ctx, int64_t *next)
{
	st_suggestion_query q = {
	    .columns = SUGGESTION_COLUMNS,
	    .where = "",
	    .status_where = "AND s.status = :status ",
	    .first = "",
	    /* by votes (or recency) */
	    .order = f->newest ? "s.num DESC " : "s.votes DESC, s.num DESC ",
	    .q = f->q,
	    .status = f->status,
	    .offset = f->offset,
	    .limit = f->limit,
	    .row = suggestion_each,
	};
	suggestion_ctx c = {fn, ctx};

	return st_suggestion_page(db, project_id, &q, &c, next);
}

int store_suggestion_get(store_db *db, int64_t project_id, int64_t num, store_row_fn_suggestion fn,
			 void *ctx)
{
	st_suggestion_query q = {.row = suggestion_each};
	suggestion_ctx c = {fn, ctx};

	return st_suggestion_one(db,
				 "SELECT " SUGGESTION_COLUMNS "FROM suggestions s WHERE "
				 "s.project_id = :p AND s.num = :n",
				 project_id, num, &q, &c);
}

int store_suggestion_patch(store_db *db, int64_t project_id, int64_t num,
			   const store_suggestion_change *p, const char *actor, int64_t now,
			   char *why, size_t whylen)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT id, status, duplicate_of, " SHIPPED_IN
				" FROM suggestions s WHERE project_id = :p AND num = :n");
	char status[32], shipped[128];
	int64_t id, dup, target;
	int rc;

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", num);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	id = sqlite3_column_int64(s, 0);
	snprintf(status, sizeof(status), "%s", st_col_text(s, 1));
	dup = sqlite3_column_int64(s, 2);
	snprintf(shipped, sizeof(shipped), "%s", st_col_text(s, 3) ? st_col_text(s, 3) : "");
	sqlite3_reset(s);

	if (p->shipped_in && *p->shipped_in) {
		/* git decided shipped_in: a hand-set other release would never show; refuse it */
		s = st_stmt(db, "SELECT rl.name, substr(c.id, 1, 7) FROM links l JOIN commits c ON "
				"c.project_id = l.project_id AND c.id = l.commit_id JOIN releases rl ON "
				"rl.project_id = c.project_id AND rl.name = c.release WHERE "
				"l.project_id = :p AND l.ref_type = 'S' AND l.ref_num = :n AND "
				"l.kind = 'implement' ORDER BY rl.position LIMIT 1");
		if (!s)
			return STORE_ERROR;
		st_bind_named_int(s, ":p", project_id);
		st_bind_named_int(s, ":n", num);
		rc = st_step_row(s);
		if (rc == STORE_OK && strcmp(st_col_text(s, 0), p->shipped_in) != 0) {
			snprintf(why, whylen,
				 "S-%lld shipped in %s by commit %s; a release that contains the "
				 "commit decides",
				 (long long)num, st_col_text(s, 0), st_col_text(s, 1));
			rc = STORE_CONFLICT;
		} else if (rc == STORE_NOTFOUND) {
			rc = STORE_OK;
		}
		sqlite3_reset(s);
		if (rc != STORE_OK)
			return rc;
	}

	if (p->duplicate_of) {
		/* Votes and voters move to the target; an install that voted for both counts once. */
		if (p->duplicate_of == num || dup) {
			snprintf(why, whylen, p->duplicate_of == num
						      ? "a suggestion cannot duplicate itself"
						      : "S-%lld is already a duplicate", (long long)num);
			return STORE_INVALID;
		}
		s = st_stmt(db, "SELECT id FROM suggestions WHERE project_id = :p AND num = :n AND "
			  "duplicate_of IS NULL");
		if (!s)
			return STORE_ERROR;
		st_bind_named_int(s, ":p", project_id);
		st_bind_named_int(s, ":n", p->duplicate_of);
		rc = st_step_int(s, &target);
		if (rc == STORE_NOTFOUND) {
			snprintf(why, whylen, "no suggestion S-%lld to merge into (or it is itself a "
					      "duplicate)", (long long)p->duplicate_of);
			return STORE_INVALID;
		}
		if (rc != STORE_OK)
			return rc;
		if (st_votes_merge(db, id, target) != STORE_OK)
			return STORE_ERROR;
		s = st_stmt(db, "UPDATE suggestions SET duplicate_of = :t, status = 'duplicate' WHERE id = :id");
		if (!s)
			return STORE_ERROR;
		st_bind_named_int(s, ":t", target);
		st_bind_named_int(s, ":id", id);
		if (st_step_done(s) != STORE_OK || st_votes_recount(db, target) < 0)
			return STORE_ERROR;
		{
			char t[32];
			snprintf(t, sizeof(t), "S-%lld", (long long)p->duplicate_of);
			if (st_audit(db, project_id, "S", num, actor, "duplicate_of", NULL, t, now) < 0)
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
		s = st_stmt(db, "UPDATE suggestions SET status = :s WHERE id = :id");
		if (!s)
			return STORE_ERROR;
		st_bind_named_text(s, ":s", p->status);
		st_bind_named_int(s, ":id", id);
		if (st_step_done(s) != STORE_OK ||
		    st_audit(db, project_id, "S", num, actor, "status", status, p->status, now) < 0)
			return STORE_ERROR;
	}
	if (p->shipped_in && *p->shipped_in) {
		s = st_stmt(db, "SELECT count(*) FROM releases WHERE project_id = :p AND name = :r");
		if (!s)
			return STORE_ERROR;
		st_bind_named_int(s, ":p", project_id);
		st_bind_named_text(s, ":r", p->shipped_in);
		if (st_step_int(s, &target) != STORE_OK)
			return STORE_ERROR;
		if (!target) {
			snprintf(why, whylen, "no release named '%s'", p->shipped_in);
			return STORE_INVALID;
		}
		s = st_stmt(db, "UPDATE suggestions SET shipped_in = :r WHERE id = :id");
		if (!s)
			return STORE_ERROR;
		st_bind_named_text(s, ":r", p->shipped_in);
		st_bind_named_int(s, ":id", id);
		if (st_step_done(s) != STORE_OK ||
		    (strcmp(shipped, p->shipped_in) != 0 &&
		     st_audit(db, project_id, "S", num, actor, "shipped_in", shipped[0] ? shipped : NULL,
			   p->shipped_in, now) < 0))
			return STORE_ERROR;
	}
	if (p->comment && st_comment_add(db, project_id, "S", num, actor, p->comment, now) < 0)
		return STORE_ERROR;
	return STORE_OK;
}

/* Each comment `s` selects (body, created_at, from a tester, id) to fns->comment, in order. */
static int mine_comments(sqlite3_stmt *s, const store_mine_fns *fns, void *ctx)
{
	store_thread_entry e;
	int rc = 0;

	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		e.body = st_col_text(s, 0);
		e.at = sqlite3_column_int64(s, 1);
		e.from_tester = sqlite3_column_int(s, 2);
		e.id = sqlite3_column_int64(s, 3);
		rc = fns->comment(ctx, &e);
	}
	sqlite3_reset(s);
	return rc;
}

/*
 * What a tester reads under one of their reports: the team's comments on the report
 * and on its group, and their own replies, in the order written. Bodies and times only,
 * never who in the team wrote them.
 */
static int report_thread(store_db *db, int64_t project_id, int64_t num, int64_t group_num,
			 const store_mine_fns *fns, void *ctx)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT body, created_at, install_id IS NOT NULL, id FROM comments "
				"WHERE project_id = :p AND ((target_type = 'R' AND target_num = :r) OR "
				"(target_type = 'G' AND target_num = :g AND install_id IS NULL)) "
				"AND (hidden = 0 OR install_id IS NOT NULL) ORDER BY id");
	if (!s)
		return 0; /* shown without its thread, as before */
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":r", num);
	st_bind_named_int(s, ":g", group_num);
	return mine_comments(s, fns, ctx);
}

/* Team comments on one item, for a tester: bodies and times, never the team's tokens. */
static int team_comments(store_db *db, int64_t project_id, const char *type, int64_t num,
			 const store_mine_fns *fns, void *ctx)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT body, created_at, install_id IS NOT NULL, id FROM comments "
		"WHERE project_id = ?1 AND target_type = ?2 AND target_num = ?3 AND hidden = 0 "
		"ORDER BY id");
	if (!s)
		return 0;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, num);
	return mine_comments(s, fns, ctx);
}

int store_mine(store_db *db, int64_t project_id, const char *install_id, int64_t since,
	       const store_mine_fns *fns, void *ctx)
{
	sqlite3_stmt *s;
	store_mine_report r;
	store_suggestion_row row;
	int rc;

	/* Only this install's items; other testers appear as counts, never as names. The
	 * threads are read while the item's statement is still stepping (they use others). */
	s = st_stmt(db, "SELECT r.num, r.title, r.kind, " REPORT_STATUS ", g.num, g.status, g.testers, "
		  "(SELECT c.release FROM commits c WHERE c.project_id = g.project_id AND c.id = "
		  "coalesce(r.fixed_by, g.fixed_by)), r.received_at, max(r.updated_at, g.updated_at), "
		  "0 FROM reports r JOIN groups g ON g.id = r.group_id "
		  "WHERE r.project_id = :p AND r.install_id = :i "
		  "AND max(r.updated_at, g.updated_at) >= :since ORDER BY r.num DESC LIMIT 500");
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":i", install_id);
	st_bind_named_int(s, ":since", since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t testers = sqlite3_column_int64(s, 6);

		r.num = sqlite3_column_int64(s, 0);
		r.title = st_col_text(s, 1);
		r.kind = st_col_text(s, 2);
		r.status = st_col_text(s, 3);
		r.group_num = sqlite3_column_int64(s, 4);
		r.others = testers > 0 ? testers - 1 : 0;
		/* A release is named only for what is fixed for this tester. */
		r.fixed_in = strcmp(r.status, "fixed") == 0 ? st_col_text(s, 7) : NULL;
		r.received_at = sqlite3_column_int64(s, 8);
		r.updated_at = sqlite3_column_int64(s, 9);
		if ((fns->report && fns->report(ctx, &r) != 0) ||
		    (fns->comment && report_thread(db, project_id, r.num, r.group_num, fns, ctx) != 0)) {
			rc = SQLITE_ABORT;
			break;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return STORE_ERROR;
	/* Columns 9 and 10: did this install submit it, did it vote for it. */
	s = st_stmt(db, "SELECT " SUGGESTION_COLUMNS ", s.install_id IS :i, EXISTS (SELECT 1 FROM votes "
		  "v WHERE v.suggestion_id = s.id AND v.install_id = :i) "
		  "FROM suggestions s WHERE s.project_id = :p AND "
		  "s.updated_at >= :since AND (s.hidden = 0 OR s.install_id = :i) AND "
		  "(s.install_id = :i OR s.id IN (SELECT suggestion_id "
		  "FROM votes WHERE install_id = :i)) ORDER BY s.num DESC LIMIT 500");
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":i", install_id);
	st_bind_named_int(s, ":since", since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		suggestion_row(s, &row);
		/* "mine": this install sent it; "voted": it voted for it (its own too). */
		row.mine = sqlite3_column_int(s, 9);
		row.voted = sqlite3_column_int(s, 10);
		if ((fns->suggestion && fns->suggestion(ctx, &row) != 0) ||
		    (fns->comment && team_comments(db, project_id, "S", row.num, fns, ctx) != 0)) {
			rc = SQLITE_ABORT;
			break;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}
