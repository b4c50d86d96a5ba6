/* store_votes.c - votes on suggestions: voting, withdrawing, counting, merging voters. */
#include "store/store.h"

#include <assert.h>
#include <sqlite3.h>

#include "store/store_int.h"

/* The suggestion a vote on `num` lands on: a duplicate hands its votes to its target. */
static int vote_target(store_db *db, int64_t project_id, int64_t num, int64_t *id)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT coalesce(duplicate_of, id) FROM suggestions "
				"WHERE project_id = :p AND num = :n");

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_int(s, ":n", num);
	return st_step_int(s, id);
}

int st_votes_recount(store_db *db, int64_t id)
{
	sqlite3_stmt *s = st_stmt(db, "UPDATE suggestions SET votes = (SELECT count(*) FROM votes "
				"WHERE suggestion_id = :id) WHERE id = :id");

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":id", id);
	return st_step_done(s);
}

int store_vote(store_db *db, int64_t project_id, int64_t num, const char *install_id,
	       const char *tester_name, int add, int64_t now, int64_t *votes)
{
	sqlite3_stmt *s;
	int64_t id;
	int rc = vote_target(db, project_id, num, &id);

	assert(ST_IN_WRITE_TXN(db));
	if (rc != STORE_OK)
		return rc;
	s = st_stmt(db, add ? "INSERT INTO votes(suggestion_id, install_id, tester_name, created_at) "
			"VALUES (:id, :i, :name, :now) ON CONFLICT DO UPDATE SET tester_name = "
			"coalesce(excluded.tester_name, tester_name)"
		      : "DELETE FROM votes WHERE suggestion_id = :id AND install_id = :i");
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":id", id);
	st_bind_named_text(s, ":i", install_id);
	st_bind_named_text(s, ":name", tester_name);
	st_bind_named_int(s, ":now", now);
	if (st_step_done(s) != STORE_OK || st_votes_recount(db, id) < 0)
		return STORE_ERROR;
	if (!votes)
		return STORE_OK;
	s = st_stmt(db, "SELECT votes FROM suggestions WHERE id = :id");
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":id", id);
	return st_step_int(s, votes);
}

int store_vote_exists(store_db *db, int64_t project_id, int64_t num, const char *install_id,
		      int *exists)
{
	sqlite3_stmt *s;
	int64_t id, n = 0;
	int rc = vote_target(db, project_id, num, &id);

	if (rc != STORE_OK)
		return rc;
	s = st_stmt(db, "SELECT count(*) FROM votes WHERE suggestion_id = :id AND install_id = :i");
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":id", id);
	st_bind_named_text(s, ":i", install_id);
	rc = st_step_int(s, &n);
	*exists = n > 0;
	return rc;
}

int st_votes_merge(store_db *db, int64_t from, int64_t into)
{
	sqlite3_stmt *s = st_stmt(db, "INSERT OR IGNORE INTO votes(suggestion_id, install_id, "
				"tester_name, created_at) SELECT :t, install_id, tester_name, "
				"created_at FROM votes WHERE suggestion_id = :id");

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":t", into);
	st_bind_named_int(s, ":id", from);
	return st_step_done(s);
}
