/* store_cohorts.c - tester cohorts (per install, ingest key, channel) and ratings of builds. */
#include "store/store_cohorts.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

/* The one text a statement returns into out; "" when no row. */
static int one_text(sqlite3_stmt *s, char out[STORE_COHORT_MAX + 1], int *found)
{
	int rc = st_step_row(s);

	*found = 0;
	if (rc == STORE_NOTFOUND)
		return STORE_OK;
	if (rc != STORE_OK)
		return rc;
	snprintf(out, STORE_COHORT_MAX + 1, "%s", st_col_text(s, 0));
	*found = out[0] != '\0';
	sqlite3_reset(s);
	return STORE_OK;
}

int store_cohort_resolve(store_db *db, int64_t project_id, const char *key, const char *channel,
			 const char *install_id, char out[STORE_COHORT_MAX + 1])
{
	sqlite3_stmt *s;
	int rc, found = 0;

	out[0] = '\0';
	if (install_id && install_id[0]) {
		s = st_stmt(db, "SELECT cohort FROM install_cohorts WHERE project_id = :p AND "
				"install_id = :i");
		if (!s)
			return STORE_ERROR;
		st_bind_named_int(s, ":p", project_id);
		st_bind_named_text(s, ":i", install_id);
		rc = one_text(s, out, &found);
		if (rc != STORE_OK || found)
			return rc;
	}
	if (key && key[0]) {
		s = st_stmt(db, "SELECT cohort FROM ingest_keys WHERE project_id = :p AND key = :k");
		if (!s)
			return STORE_ERROR;
		st_bind_named_int(s, ":p", project_id);
		st_bind_named_text(s, ":k", key);
		rc = one_text(s, out, &found);
		if (rc != STORE_OK || found)
			return rc;
	}
	if (channel && channel[0]) {
		s = st_stmt(db, "SELECT cohort FROM channel_cohorts WHERE project_id = :p AND "
				"channel = :c");
		if (!s)
			return STORE_ERROR;
		st_bind_named_int(s, ":p", project_id);
		st_bind_named_text(s, ":c", channel);
		rc = one_text(s, out, &found);
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

int store_cohort_set(store_db *db, int64_t project_id, int what, const char *name,
		     const char *cohort, int64_t now)
{
	sqlite3_stmt *s;
	int rc;

	assert(ST_IN_WRITE_TXN(db));
	if (what == STORE_COHORT_KEY) {
		s = st_stmt(db, "UPDATE ingest_keys SET cohort = :c WHERE project_id = :p AND "
				"key = :n");
	} else if (what == STORE_COHORT_CHANNEL) {
		s = cohort[0] ? st_stmt(db, "INSERT INTO channel_cohorts(project_id, channel, cohort) "
					    "VALUES (:p, :n, :c) ON CONFLICT DO UPDATE SET cohort = "
					    "excluded.cohort")
			      : st_stmt(db, "DELETE FROM channel_cohorts WHERE project_id = :p AND "
					    "channel = :n");
	} else {
		s = cohort[0] ? st_stmt(db, "INSERT INTO install_cohorts(project_id, install_id, "
					    "cohort, set_at) VALUES (:p, :n, :c, :t) ON CONFLICT DO "
					    "UPDATE SET cohort = excluded.cohort, set_at = excluded.set_at")
			      : st_stmt(db, "DELETE FROM install_cohorts WHERE project_id = :p AND "
					    "install_id = :n");
	}
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":n", name);
	if (cohort[0] || what == STORE_COHORT_KEY)
		st_bind_named_text(s, ":c", cohort);
	if (cohort[0] && what == STORE_COHORT_INSTALL)
		st_bind_named_int(s, ":t", now);
	rc = st_step_done(s);
	if (rc == STORE_OK && what == STORE_COHORT_KEY && sqlite3_changes(db->db) == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

int store_cohorts_each(store_db *db, int64_t project_id,
		       int (*fn)(void *ctx, int what, const char *name, const char *cohort),
		       void *ctx)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT 0, key, cohort FROM ingest_keys WHERE project_id = :p AND cohort <> '' "
		"UNION ALL SELECT 1, channel, cohort FROM channel_cohorts WHERE project_id = :p "
		"UNION ALL SELECT 2, install_id, cohort FROM install_cohorts WHERE project_id = :p "
		"ORDER BY 1, 2");
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(ctx, sqlite3_column_int(s, 0), st_col_text(s, 1), st_col_text(s, 2)))
			break;
	return st_page_end(s, rc);
}

int store_rating_set(store_db *db, int64_t project_id, const store_rating *r, int64_t now,
		     int *created)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT 1 FROM ratings WHERE project_id = :p AND release = "
				":r AND revision = :rv AND install_id = :i");
	int64_t one;
	int rc;

	assert(ST_IN_WRITE_TXN(db));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":r", r->release);
	st_bind_named_text(s, ":rv", r->revision ? r->revision : "");
	st_bind_named_text(s, ":i", r->install_id);
	rc = st_step_int(s, &one);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	*created = rc == STORE_NOTFOUND;
	s = st_stmt(db, "INSERT INTO ratings(project_id, release, revision, install_id, rating, "
			"comment, cohort, created_at, updated_at) VALUES (:p, :r, :rv, :i, :n, :c, "
			":co, :t, :t) ON CONFLICT DO UPDATE SET rating = excluded.rating, comment = "
			"excluded.comment, cohort = excluded.cohort, updated_at = excluded.updated_at");
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":r", r->release);
	st_bind_named_text(s, ":rv", r->revision ? r->revision : "");
	st_bind_named_text(s, ":i", r->install_id);
	st_bind_named_int(s, ":n", r->rating);
	st_bind_named_text(s, ":c", r->comment && r->comment[0] ? r->comment : NULL);
	st_bind_named_text(s, ":co", r->cohort ? r->cohort : "");
	st_bind_named_int(s, ":t", now);
	return st_step_done(s);
}

int store_install_build(store_db *db, int64_t project_id, const char *install_id,
			char *release, size_t release_sz, char *revision, size_t revision_sz)
{
	sqlite3_stmt *s = st_stmt(
	    /* The live sessions (the last days, to the second) first: health_installs knows the
	     * hour only, so two builds run in one hour would tie there. */
	    db, "SELECT release, revision FROM (SELECT release, revision, started AS t, 2 AS o "
		"FROM health_live WHERE project_id = :p AND did = :i UNION ALL SELECT release, "
		"revision, last_hour, 1 FROM health_installs WHERE project_id = :p AND did = :i "
		"UNION ALL SELECT release, revision, updated_at, 0 FROM ratings WHERE project_id = "
		":p AND install_id = :i) ORDER BY o DESC, t DESC LIMIT 1");
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":i", install_id);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	snprintf(release, release_sz, "%s", st_col_text(s, 0));
	snprintf(revision, revision_sz, "%s", st_col_text(s, 1));
	sqlite3_reset(s);
	return STORE_OK;
}

int store_rating_get(store_db *db, int64_t project_id, const char *release,
		     const char *revision, const char *install_id, int *rating, char *comment,
		     size_t comment_sz)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT rating, coalesce(comment, '') FROM ratings WHERE "
				"project_id = :p AND release = :r AND revision = :rv AND "
				"install_id = :i");
	int rc;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":r", release);
	st_bind_named_text(s, ":rv", revision ? revision : "");
	st_bind_named_text(s, ":i", install_id);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		return rc;
	*rating = sqlite3_column_int(s, 0);
	if (comment)
		snprintf(comment, comment_sz, "%s", st_col_text(s, 1));
	sqlite3_reset(s);
	return STORE_OK;
}

int store_rating_distribution(store_db *db, int64_t project_id, const char *release,
			      const char *revision, const char *cohort, store_rating_dist *out)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT rating, count(*), count(comment) FROM ratings WHERE project_id = :p AND "
		"release = :r AND (:rv IS NULL OR revision = :rv) AND (:c IS NULL OR cohort = :c) "
		"GROUP BY rating");
	int rc, r;

	memset(out, 0, sizeof(*out));
	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":r", release);
	st_bind_named_text(s, ":rv", revision);
	st_bind_named_text(s, ":c", cohort);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r = sqlite3_column_int(s, 0);
		if (r < 1 || r > 5)
			continue;
		out->counts[r] = sqlite3_column_int64(s, 1);
		out->n += out->counts[r];
		out->sum += (int64_t)r * out->counts[r];
		out->comments += sqlite3_column_int64(s, 2);
	}
	return st_page_end(s, rc);
}
