/* store_ingest.c - storing a new report: idempotency by uuid, grouping, tags, and group counts and
 * full-text rows at commit. */
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
#include "store/store_mail.h"
#include "model/report.h"
#include "model/workflow.h"

/* The existing report with this uuid, if any. */
static int report_by_uuid(store_db *db, int64_t project_id, const char *uuid, store_ingest *out)
{
	sqlite3_stmt *s =
	    st_stmt(db, "SELECT r.num, g.num FROM reports r JOIN groups g ON g.id = r.group_id "
			"WHERE r.project_id = ?1 AND r.uuid = ?2");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->num = sqlite3_column_int64(s, 0);
		out->group_num = sqlite3_column_int64(s, 1);
		out->created = 0;
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

int store_report_of_uuid(store_db *db, int64_t project_id, const char *uuid, store_ingest *out,
			 char status[32])
{
	/* The status every answer shows (REPORT_STATUS), not the report's own column alone. */
	sqlite3_stmt *s = st_stmt(db, "SELECT r.num, g.num, " REPORT_STATUS " FROM reports r "
				      "JOIN groups g ON g.id = r.group_id "
				      "WHERE r.project_id = ?1 AND r.uuid = ?2");
	int rc;

	status[0] = '\0';
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->num = sqlite3_column_int64(s, 0);
		out->group_num = sqlite3_column_int64(s, 1);
		out->created = 0;
		snprintf(status, 32, "%s", (const char *)sqlite3_column_text(s, 2));
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

/* Find the group of a fingerprint, making it when it is new; merged groups lead to their target. */
static int group_for(store_db *db, int64_t project_id, const report *r, int64_t now,
		     int64_t *group_id, int64_t *group_num, int *made)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT id, num, merged_into FROM groups "
				      "WHERE project_id = ?1 AND fingerprint = ?2");
	int rc, hops;
	int64_t into;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, r->fingerprint, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*group_id = sqlite3_column_int64(s, 0);
		*group_num = sqlite3_column_int64(s, 1);
		into = sqlite3_column_int64(s, 2);
		sqlite3_reset(s);
		/* A merged group hands its new reports on; merges never form a cycle,
		 * but the walk is bounded all the same. */
		for (hops = 0; into && hops < 32; hops++) {
			s = st_stmt(db, "SELECT num, merged_into FROM groups WHERE id = ?1");
			if (!s)
				return STORE_ERROR;
			sqlite3_bind_int64(s, 1, into);
			if (sqlite3_step(s) != SQLITE_ROW) {
				sqlite3_reset(s);
				return STORE_ERROR;
			}
			*group_id = into;
			*group_num = sqlite3_column_int64(s, 0);
			into = sqlite3_column_int64(s, 1);
			sqlite3_reset(s);
		}
		return STORE_OK;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return STORE_ERROR;

	s = st_stmt(db, "UPDATE projects SET next_group = next_group + 1 WHERE id = ?1 "
			"RETURNING next_group - 1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	if (st_step_int(s, group_num) != STORE_OK)
		return STORE_ERROR;
	s = st_stmt(db, "INSERT INTO groups(project_id, num, fingerprint, kind, title, first_seen, "
			"last_seen, first_revision, last_revision, updated_at) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?7, ?6)");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, *group_num);
	sqlite3_bind_text(s, 3, r->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, now);
	st_bind_text_or_null(s, 7, r->revision ? r->revision : r->version);
	if (st_step_done(s) != STORE_OK)
		return STORE_ERROR;
	*group_id = sqlite3_last_insert_rowid(db->db);
	*made = 1;
	return STORE_OK;
}

/* The tags of a new report. */
typedef struct tag_ctx {
	store_db *db;
	int64_t project_id;
	int64_t report_id;
} tag_ctx;

static int tag_add(void *ctx, const char *key, const char *value)
{
	tag_ctx *t = ctx;
	sqlite3_stmt *s = st_stmt(t->db, "INSERT OR IGNORE INTO report_tags(project_id, key, "
					 "value, report_id) VALUES (?1, ?2, ?3, ?4)");

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, t->project_id);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, t->report_id);
	return st_step_done(s) != STORE_OK ? STORE_ERROR : 0;
}

static int report_tags(store_db *db, int64_t project_id, int64_t report_id, const report *r)
{
	tag_ctx t = {db, project_id, report_id};

	return report_tags_each(r, tag_add, &t) != 0 ? STORE_ERROR : STORE_OK;
}

/* The full-text row of a report: title, description and steps, exception, frame functions. */
static int fts_add(store_db *db, int64_t report_id, const report *r)
{
	sqlite3_stmt *s;
	buf text, fns, exc;
	size_t i;
	int rc = STORE_ERROR;

	buf_init(&text, PROSUM_MAX_FTS_TEXT);
	buf_init(&fns, PROSUM_MAX_FTS_TEXT);
	buf_init(&exc, PROSUM_MAX_FTS_EXCEPTION);
	buf_printf(&text, "%s\n%s", r->description ? r->description : "", r->steps ? r->steps : "");
	buf_printf(&exc, "%s %s", r->exception_type ? r->exception_type : "",
		   r->exception_value ? r->exception_value : "");
	for (i = 0; i < r->nframes; i++) {
		const char *fn = report_frame_function(r, i);
		if (fn)
			buf_printf(&fns, "%s ", fn);
	}
	s = st_stmt(db, "INSERT INTO reports_fts(rowid, title, text, exception, functions) "
			"VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, report_id);
	sqlite3_bind_text(s, 2, r->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, text.p ? text.p : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, exc.p ? exc.p : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, fns.p ? fns.p : "", -1, SQLITE_STATIC);
	rc = st_step_done(s);
out:
	buf_free(&text);
	buf_free(&fns);
	buf_free(&exc);
	return rc;
}

#ifndef PROSUM_OMIT_GROUPING
static void platform_of(const report *r, char out[300])
{
	out[0] = '\0';
	if (r->os)
		snprintf(out, 300, "%s%s%s", r->os, r->arch ? " " : "", r->arch ? r->arch : "");
}

/* A facet's value for report f: its version, or its platform (written into tmp). */
static const char *facet_value(const struct fresh *f, int platform, char tmp[300])
{
	if (!platform)
		return f->r->version;
	platform_of(f->r, tmp);
	return tmp;
}

/* Count each value of a facet among reports f[0..n) of one group, once per value. */
static int facets_seen(store_db *db, const struct fresh *f, size_t n, int platform)
{
	char a[300], b[300];
	size_t i, k, count;
	sqlite3_stmt *s;

	for (i = 0; i < n; i++) {
		const char *v = facet_value(&f[i], platform, a);

		if (!v || !*v)
			continue;
		for (k = 0; k < i; k++) { /* counted with an earlier one */
			const char *w = facet_value(&f[k], platform, b);

			if (w && strcmp(v, w) == 0)
				break;
		}
		if (k < i)
			continue;
		for (count = 1, k = i + 1; k < n; k++) {
			const char *w = facet_value(&f[k], platform, b);

			count += w && strcmp(v, w) == 0;
		}
		s = st_stmt(db, "INSERT INTO group_facets(group_id, facet, value, count) VALUES "
				"(?1, ?2, ?3, ?4) "
				"ON CONFLICT DO UPDATE SET count = count + excluded.count");
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, f[i].group_id);
		sqlite3_bind_text(s, 2, platform ? "platform" : "version", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, v, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 4, (int64_t)count);
		if (st_step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

/* A tag of a new report counted in its group (facet 'tag:KEY'), for the group's page. */
typedef struct tag_facet_ctx {
	store_db *db;
	int64_t group_id;
} tag_facet_ctx;

static int tag_facet_add(void *ctx, const char *key, const char *value)
{
	tag_facet_ctx *t = ctx;
	char facet[300];
	sqlite3_stmt *s = st_stmt(t->db, "INSERT INTO group_facets(group_id, facet, value, count) "
					 "VALUES (?1, ?2, ?3, 1) "
					 "ON CONFLICT DO UPDATE SET count = count + 1");

	if (!s)
		return STORE_ERROR;
	snprintf(facet, sizeof(facet), "tag:%s", key);
	sqlite3_bind_int64(s, 1, t->group_id);
	sqlite3_bind_text(s, 2, facet, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
	return st_step_done(s) != STORE_OK ? STORE_ERROR : 0;
}

/* New reports f[0..n) of one group, in arrival order: count, distinct testers, last seen, facets.
 */
static int group_seen(store_db *db, const struct fresh *f, size_t n)
{
	sqlite3_stmt *s;
	const char *revision = NULL;
	int64_t seen = 0, testers = 0;
	size_t i, k;

	for (i = 0; i < n; i++) {
		const report *r = f[i].r;

		for (k = 0; k < i && strcmp(f[k].r->install_id, r->install_id) != 0; k++)
			;
		/* not asked for already; REPORT_NO_TESTER counts no tester */
		if (k == i && strcmp(r->install_id, REPORT_NO_TESTER) != 0) {
			s = st_stmt(db, "INSERT OR IGNORE INTO group_testers(group_id, install_id) VALUES (?1, ?2)");
			if (!s)
				return STORE_ERROR;
			sqlite3_bind_int64(s, 1, f[i].group_id);
			sqlite3_bind_text(s, 2, r->install_id, -1, SQLITE_STATIC);
			if (st_step_done(s) != STORE_OK)
				return STORE_ERROR;
			testers += sqlite3_changes(db->db) > 0;
		}
		if (f[i].now > seen)
			seen = f[i].now;
		if (r->revision || r->version)
			revision = r->revision ? r->revision : r->version;
	}
	s = st_stmt(db, "UPDATE groups SET count = count + ?5, testers = testers + ?2, "
			"last_seen = max(last_seen, ?3), "
			"last_revision = coalesce(?4, last_revision) WHERE id = ?1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, f[0].group_id);
	sqlite3_bind_int64(s, 2, testers);
	sqlite3_bind_int64(s, 3, seen);
	st_bind_text_or_null(s, 4, revision);
	sqlite3_bind_int64(s, 5, (int64_t)n);
	if (st_step_done(s) != STORE_OK)
		return STORE_ERROR;
	if (facets_seen(db, f, n, 0) < 0 || facets_seen(db, f, n, 1) < 0)
		return STORE_ERROR;
	for (i = 0; i < n; i++) {
		tag_facet_ctx t = {db, f[i].group_id};

		if (report_tags_each(f[i].r, tag_facet_add, &t) != 0)
			return STORE_ERROR;
	}
	return STORE_OK;
}

static int by_group(const void *a, const void *b)
{
	const struct fresh *x = a, *y = b;

	if (x->group_id != y->group_id)
		return x->group_id < y->group_id ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The group statistics of f[0..n), one update per group. Reorders f. */
static int groups_seen(store_db *db, struct fresh *f, size_t n)
{
	size_t i, j;

	qsort(f, n, sizeof(*f), by_group);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && f[j].group_id == f[i].group_id; j++)
			;
		if (group_seen(db, f + i, j - i) < 0)
			return STORE_ERROR;
	}
	return STORE_OK;
}

/* The group a new report joins. */
static int group_of_report(store_db *db, int64_t project_id, const report *r, int64_t now,
			   int64_t *group_id, int64_t *group_num, int *made)
{
	return group_for(db, project_id, r, now, group_id, group_num, made);
}
#else
/* Built without grouping: no group statistics. */
static int groups_seen(store_db *db, struct fresh *f, size_t n)
{
	(void)db;
	(void)f;
	(void)n;
	return STORE_OK;
}

/*
 * A prosumd built with PROSUM_OMIT_GROUPING exists only so that scripts/bench
 * can measure what grouping costs ingestion: no fingerprint (report.c), every
 * report of a project in one group looked up once per transaction, and no
 * group counters or facets.
 */
static int group_of_report(store_db *db, int64_t project_id, const report *r, int64_t now,
			   int64_t *group_id, int64_t *group_num, int *made)
{
	if (db->one_group.txn != db->txn || db->one_group.project_id != project_id) {
		if (group_for(db, project_id, r, now, &db->one_group.group_id,
			      &db->one_group.group_num, made) < 0)
			return STORE_ERROR;
		db->one_group.txn = db->txn;
		db->one_group.project_id = project_id;
	}
	*group_id = db->one_group.group_id;
	*group_num = db->one_group.group_num;
	return STORE_OK;
}
#endif

/* Group statistics and full-text rows of a new report: at commit, or now outside a transaction. */
static int fresh_later(store_db *db, int64_t report_id, int64_t group_id, int64_t now,
		       const report *r)
{
	struct fresh one = {report_id, group_id, now, 0, r}, *grown;

	if (sqlite3_get_autocommit(db->db)) {
		if (groups_seen(db, &one, 1) < 0)
			return STORE_ERROR;
		return fts_add(db, report_id, r);
	}
	if (db->fresh_n == db->fresh_cap) {
		size_t cap = db->fresh_cap ? 2 * db->fresh_cap : 64;

		grown = realloc(db->fresh, cap * sizeof(*grown));
		if (!grown)
			return STORE_ERROR;
		db->fresh = grown;
		db->fresh_cap = cap;
	}
	one.seq = db->fresh_n;
	db->fresh[db->fresh_n++] = one;
	return STORE_OK;
}

int st_fresh_flush(store_db *db)
{
	size_t i, n = db->fresh_n;

	db->fresh_n = 0;
	/* In arrival order, which is rowid order: FTS5 writes its pending terms
	 * out whenever a rowid is lower than the one before. */
	for (i = 0; i < n; i++)
		if (fts_add(db, db->fresh[i].rowid, db->fresh[i].r) < 0)
			return STORE_ERROR;
	return n ? groups_seen(db, db->fresh, n) : STORE_OK;
}

int store_report_insert(store_db *db, int64_t project_id, const report *r, int64_t now,
			store_ingest *out)
{
	sqlite3_stmt *s;
	int64_t group_id, report_id;
	char *body = NULL;
	int rc, made = 0;

	assert(ST_IN_WRITE_TXN(db));
	rc = report_by_uuid(db, project_id, r->uuid, out);
	if (rc != STORE_NOTFOUND)
		return rc; /* already stored (OK), or an error */
	if (group_of_report(db, project_id, r, now, &group_id, &out->group_num, &made) < 0)
		return STORE_ERROR;
	s = st_stmt(db, "UPDATE projects SET next_report = next_report + 1 WHERE id = ?1 "
			"RETURNING next_report - 1");
	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	if (st_step_int(s, &out->num) != STORE_OK)
		return STORE_ERROR;

	/* The text as sent is kept when it is already canonical: no need to print it again. */
	if (!r->raw)
		body = report_dump(r);
	s = st_stmt(
	    db,
	    "INSERT INTO reports(project_id, num, uuid, group_id, kind, title, severity, "
	    "install_id, version, revision, received_at, body, os, arch, tester_name, "
	    "updated_at, commit_id, cohort) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?11, ?16, "
	    "?17)");
	if ((!r->raw && !body) || !s) {
		rc = STORE_ERROR;
		goto out;
	}
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, out->num);
	sqlite3_bind_text(s, 3, r->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, group_id);
	sqlite3_bind_text(s, 5, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->title, -1, SQLITE_STATIC);
	st_bind_text_or_null(s, 7, r->severity);
	sqlite3_bind_text(s, 8, r->install_id, -1, SQLITE_STATIC);
	st_bind_text_or_null(s, 9, r->version);
	st_bind_text_or_null(s, 10, r->revision);
	sqlite3_bind_int64(s, 11, now);
	if (body)
		sqlite3_bind_text(s, 12, body, -1, SQLITE_STATIC);
	else
		sqlite3_bind_text(s, 12, r->raw, (int)r->raw_len, SQLITE_STATIC);
	st_bind_text_or_null(s, 13, r->os);
	st_bind_text_or_null(s, 14, r->arch);
	st_bind_text_or_null(s, 15, r->tester_name && *r->tester_name ? r->tester_name : NULL);
	st_bind_text_or_null(s, 16, r->commit[0] ? r->commit : NULL);
	sqlite3_bind_text(s, 17, r->cohort, -1, SQLITE_STATIC);
	rc = st_step_done(s);
	if (rc != STORE_OK)
		goto out;
	report_id = sqlite3_last_insert_rowid(db->db);
	rc = report_tags(db, project_id, report_id, r);
	if (rc == STORE_OK && r->tester_notify) /* the tester asks for mail (store_mail.h) */
		rc = store_mail_tester_set(db, project_id, r->install_id, r->tester_email, now);
	if (rc == STORE_OK)
		rc = fresh_later(db, report_id, group_id, now, r);
	if (rc == STORE_OK && made)
		rc = st_event_group_created(db, project_id, out->group_num, out->num, now);
	out->created = 1;
out:
	free(body);
	return rc;
}

