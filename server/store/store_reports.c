/* store_reports.c - reading reports: one report, lists with filters and search, attachments. */
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
#include "store/store_int.h"
#include "model/workflow.h"

#define STORE_SEARCH_WINDOW "1000" /* newest full-text matches (per kind of hit) searched */

#define REPORT_COLUMNS                                                                     \
	"r.num, g.num, r.kind, r.title, " REPORT_STATUS ", r.received_at, r.revision, "    \
	"r.version, r.severity, r.install_id, r.assignee, r.os, r.commit_id, "             \
	"(SELECT c.release FROM commits c WHERE c.project_id = r.project_id "              \
	"AND c.id = r.commit_id), r.cohort "


int store_attachments_add(store_db *db, int64_t project_id, int64_t num,
			  const store_attachment *a, size_t n)
{
	sqlite3_stmt *s;
	size_t i;

	assert(ST_IN_WRITE_TXN(db));
	for (i = 0; i < n; i++) {
		s = st_stmt(
		    db,
		    "INSERT INTO attachments(report_id, name, size, content_type, sha256) "
		    "SELECT id, ?3, ?4, ?5, ?6 FROM reports WHERE project_id = ?1 AND num = ?2");
		if (!s)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, project_id);
		sqlite3_bind_int64(s, 2, num);
		sqlite3_bind_text(s, 3, a[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, a[i].size);
		sqlite3_bind_text(s, 5, a[i].content_type, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, a[i].sha256, -1, SQLITE_STATIC);
		if (st_step_done(s) != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

int store_attachment_find(store_db *db, int64_t project_id, int64_t num, const char *name,
			  char sha256[65], char type[128], int64_t *size)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT a.sha256, a.content_type, a.size FROM attachments a "
				      "JOIN reports r ON r.id = a.report_id "
				      "WHERE r.project_id = ?1 AND r.num = ?2 AND a.name = ?3");
	int rc;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(sha256, 65, "%s", st_col_text(s, 0));
		snprintf(type, 128, "%s", st_col_text(s, 1));
		*size = sqlite3_column_int64(s, 2);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

/* ---- result arenas ---- */

struct store_arena_block {
	store_arena_block *next;
	size_t used, size;
	max_align_t data[];
};

void store_arena_free(store_arena *a)
{
	store_arena_block *b, *next;

	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->failed = 0;
}

void *st_alloc(store_arena *a, size_t n)
{
	store_arena_block *b = a->head;
	size_t align = sizeof(max_align_t), size;
	void *p;

	n = (n + align - 1) / align * align;
	if (!b || b->size - b->used < n) {
		size = n > 4096 ? n : 4096;
		b = malloc(sizeof(*b) + size);
		if (!b) {
			a->failed = 1;
			return NULL;
		}
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

const char *st_dup(store_arena *a, const char *s)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	p = st_alloc(a, n);
	if (p)
		memcpy(p, s, n);
	return p;
}

const char *st_col_dup(store_arena *a, sqlite3_stmt *s, int i)
{
	return st_dup(a, st_col_text(s, i));
}

void *st_push(store_arena *a, void *arrp, size_t *n, size_t *cap, size_t size)
{
	char *arr, *grown;

	/* arrp is the address of a typed array pointer (T **): read and written by copy, so
	 * that no T * is accessed as a char *. */
	memcpy(&arr, arrp, sizeof(arr));
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;

		grown = st_alloc(a, c * size); /* the old array stays in the arena until freed */
		if (!grown)
			return NULL;
		if (*n)
			memcpy(grown, arr, *n * size);
		arr = grown;
		memcpy(arrp, &arr, sizeof(arr));
		*cap = c;
	}
	return arr + (*n)++ * size;
}

int st_grow(void *arrp, size_t n, size_t *cap, size_t size, size_t first)
{
	char *arr, *grown;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : first;
	memcpy(&arr, arrp, sizeof(arr)); /* by copy, as in st_push */
	grown = realloc(arr, c * size);
	if (!grown)
		return -1;
	memcpy(arrp, &grown, sizeof(grown));
	*cap = c;
	return 0;
}

static int attachments_load(store_db *db, int64_t project_id, int64_t num, store_report_detail *r)
{
	sqlite3_stmt *s =
	    st_stmt(db, "SELECT a.name, a.size, a.content_type, a.sha256 FROM attachments a "
			"JOIN reports r ON r.id = a.report_id "
			"WHERE r.project_id = ?1 AND r.num = ?2 ORDER BY a.name");
	store_attachment_info *at;
	size_t cap = 0;

	if (!s)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	while (sqlite3_step(s) == SQLITE_ROW) {
		at = st_push(&r->arena, &r->attachments, &r->nattachments, &cap, sizeof(*at));
		if (!at)
			break;
		at->name = st_col_dup(&r->arena, s, 0);
		at->size = sqlite3_column_int64(s, 1);
		at->content_type = st_col_dup(&r->arena, s, 2);
		at->sha256 = st_col_dup(&r->arena, s, 3);
	}
	sqlite3_reset(s);
	return r->arena.failed ? STORE_ERROR : STORE_OK;
}

void store_report_detail_free(store_report_detail *r)
{
	if (!r)
		return;
	store_arena_free(&r->arena);
	free(r);
}

int store_report_load(store_db *db, int64_t project_id, int64_t num, store_report_detail **out)
{
	sqlite3_stmt *s = st_stmt(
	    db, "SELECT r.num, g.num, r.kind, r.title, " REPORT_STATUS ", r.received_at, "
		"coalesce(r.revision, r.version), r.body, r.assignee, r.fixed_by, r.commit_id, "
		"(SELECT c.release FROM commits c WHERE c.project_id = r.project_id "
		" AND c.id = r.commit_id), "
		"(SELECT c.release FROM commits c WHERE c.project_id = r.project_id "
		" AND c.id = r.fixed_by), r.cohort "
		"FROM reports r JOIN groups g ON g.id = r.group_id "
		"WHERE r.project_id = ?1 AND r.num = ?2");
	store_report_detail *r = NULL;
	store_arena *a;
	int rc;

	*out = NULL;
	if (!s)
		return STORE_ERROR;
	r = calloc(1, sizeof(*r));
	if (!r)
		return STORE_ERROR;
	a = &r->arena;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	rc = st_step_row(s);
	if (rc != STORE_OK)
		goto out;
	r->num = sqlite3_column_int64(s, 0);
	r->group_num = sqlite3_column_int64(s, 1);
	r->kind = st_col_dup(a, s, 2);
	r->title = st_col_dup(a, s, 3);
	r->status = st_col_dup(a, s, 4);
	r->received_at = sqlite3_column_int64(s, 5);
	r->revision.input = st_col_dup(a, s, 6);
	r->body = st_col_dup(a, s, 7);
	r->body_len = r->body ? strlen(r->body) : 0;
	r->assignee = st_col_dup(a, s, 8);
	r->fixed_by = st_col_dup(a, s, 9);
	r->revision.commit = st_col_dup(a, s, 10);
	r->revision.release = st_col_dup(a, s, 11);
	r->fixed_in = st_col_dup(a, s, 12);
	r->cohort = st_col_dup(a, s, 13);
	sqlite3_reset(s);
	rc = STORE_ERROR;
	if (a->failed || attachments_load(db, project_id, num, r) != STORE_OK ||
	    st_suspects_load(db, 1, project_id, num, a, &r->suspects, &r->nsuspects) != STORE_OK ||
	    store_thread_load(db, project_id, 'R', num, a, &r->thread) != STORE_OK)
		goto out;
	*out = r;
	r = NULL;
	rc = STORE_OK;
out:
	store_report_detail_free(r);
	return rc;
}

/* A list row of REPORT_COLUMNS; borrowed from the statement until it steps on. */
static void report_row(sqlite3_stmt *s, store_report_row *r)
{
	r->num = sqlite3_column_int64(s, 0);
	r->group_num = sqlite3_column_int64(s, 1);
	r->kind = st_col_text(s, 2);
	r->title = st_col_text(s, 3);
	r->status = st_col_text(s, 4);
	r->received_at = sqlite3_column_int64(s, 5);
	r->revision.input = st_col_text(s, 6);
	r->revision.commit = st_col_text(s, 12);
	r->revision.release = st_col_text(s, 13);
	r->version = st_col_text(s, 7);
	r->severity = st_col_text(s, 8);
	r->install_id = st_col_text(s, 9);
	r->assignee = st_col_text(s, 10);
	r->platform = st_col_text(s, 11);
	r->cohort = st_col_text(s, 14);
}

int store_release_known(store_db *db, int64_t project_id, const char *name)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT EXISTS (SELECT 1 FROM releases WHERE "
				       "project_id = :p AND name = :r)");
	int64_t n = 0;

	if (!s)
		return STORE_ERROR;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":r", name);
	if (st_step_int(s, &n) < 0)
		return STORE_ERROR;
	return n > 0;
}

/* Do at least TAG_COMMON reports carry the filter's tag? Bounded: counts no further. */
#define TAG_COMMON 2000
static int tag_common(store_db *db, int64_t project_id, const store_report_filter *f)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT count(*) FROM (SELECT 1 FROM report_tags WHERE "
				      "project_id = ?1 AND key = ?2 AND value = ?3 LIMIT ?4)");
	int64_t n = 0;

	if (!s)
		return 0;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_text(s, 2, f->tag_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, f->tag_value ? f->tag_value : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, TAG_COMMON);
	if (st_step_int(s, &n) != STORE_OK)
		return 0;
	return n >= TAG_COMMON;
}

int store_report_each(store_db *db, int64_t project_id, const store_report_filter *f,
		      int (*fn)(void *ctx, const store_report_row *row), void *ctx,
		      int64_t *next)
{
	buf sql, q;
	sqlite3_stmt *s = NULL;
	store_report_row row;
	int rc = STORE_ERROR, n = 0, ranked = f->q != NULL;
	int64_t last = 0;

	*next = 0;
	buf_init(&sql, 8192);
	buf_init(&q, 8192);
	if (ranked) {
		rc = st_fts_query(db, f->q, &q);
		if (rc == STORE_ERROR)
			goto out;
		if (rc == 0) /* nothing searchable: nothing found */
			goto done;
	}
	buf_puts(&sql, "SELECT " REPORT_COLUMNS "FROM reports r JOIN groups g ON g.id = r.group_id ");
	if (ranked)
		/*
		 * Relevance: a hit in the title first, then hits anywhere, newest first in
		 * each. bm25() would need every match's statistics, seconds for a common
		 * word at a million reports; walking the newest matches by rowid is cheap.
		 */
		buf_puts(&sql, "JOIN (SELECT rowid, min(rk) AS rank FROM (SELECT rowid, 0 AS rk FROM "
			       "(SELECT rowid FROM reports_fts WHERE reports_fts MATCH :qt ORDER BY "
			       "rowid DESC LIMIT " STORE_SEARCH_WINDOW ") UNION ALL SELECT rowid, 1 "
			       "FROM (SELECT rowid FROM reports_fts WHERE reports_fts MATCH :q ORDER "
			       "BY rowid DESC LIMIT " STORE_SEARCH_WINDOW ")) GROUP BY rowid) f "
			       "ON f.rowid = r.id ");
	buf_puts(&sql, "WHERE r.project_id = :p ");
	if (f->kind)
		buf_puts(&sql, "AND r.kind = :kind ");
	if (f->status)
		buf_puts(&sql, "AND " REPORT_STATUS " = :status ");
	if (f->revision)
		buf_puts(&sql, "AND r.revision = :revision ");
	if (f->version)
		buf_puts(&sql, "AND r.version = :version ");
	if (f->platform)
		buf_puts(&sql, "AND r.os = :os ");
	if (f->cohort)
		buf_puts(&sql, "AND r.cohort = :cohort ");
	if (f->release) /* the same release as the report's revision.release */
		buf_puts(&sql, "AND r.commit_id IN (SELECT c.id FROM commits c WHERE "
			       "c.project_id = :p AND c.release = :release) ");
	if (f->group)
		buf_puts(&sql, "AND r.group_id = (SELECT id FROM groups WHERE project_id = :p "
			       "AND num = :group) ");
	if (f->tag_key && tag_common(db, project_id, f))
		/* A tag many reports carry: the newest reports are walked and each looked up in
		 * report_tags (a page is found among the first few hundred), rather than every
		 * tagged report listed first (a third of a million for gpu:intel). */
		buf_puts(&sql, "AND EXISTS (SELECT 1 FROM report_tags t WHERE t.project_id = :p "
			       "AND t.key = :tk AND t.value = :tv AND t.report_id = r.id) ");
	else if (f->tag_key)
		/* A rare one: its few reports are listed, never the whole project walked. */
		buf_puts(&sql, "AND r.id IN (SELECT report_id FROM report_tags "
			       "WHERE project_id = :p AND key = :tk AND value = :tv) ");
	if (f->since)
		buf_puts(&sql, "AND r.received_at >= :since ");
	if (f->until)
		buf_puts(&sql, "AND r.received_at < :until ");
	if (ranked) {
		/* Ranked by relevance, a title hit weighing most; the cursor is an offset. */
		buf_puts(&sql, "ORDER BY f.rank, r.num DESC "
			       "LIMIT :limit OFFSET :offset");
	} else if (f->oldest) {
		buf_puts(&sql, "AND r.num > :cursor ORDER BY r.num ASC LIMIT :limit");
	} else {
		buf_puts(&sql, "AND r.num < :cursor ORDER BY r.num DESC LIMIT :limit");
	}
	s = st_shape(db, sql.p);
	if (!s)
		goto out;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":q", q.p);
	if (ranked) {
		buf qt;

		buf_init(&qt, 8192);
		buf_printf(&qt, "{title} : (%s)", q.p);
		st_bind_named_text(s, ":qt", qt.p);
		buf_free(&qt);
	}
	st_bind_named_text(s, ":kind", f->kind);
	st_bind_named_text(s, ":status", f->status);
	st_bind_named_text(s, ":revision", f->revision);
	st_bind_named_text(s, ":version", f->version);
	st_bind_named_text(s, ":os", f->platform);
	st_bind_named_text(s, ":cohort", f->cohort);
	st_bind_named_text(s, ":release", f->release);
	st_bind_named_int(s, ":group", f->group);
	st_bind_named_text(s, ":tk", f->tag_key);
	st_bind_named_text(s, ":tv", f->tag_value);
	st_bind_named_int(s, ":since", f->since);
	st_bind_named_int(s, ":until", f->until);
	st_bind_named_int(s, ":offset", f->cursor);
	st_bind_named_int(s, ":cursor", f->cursor > 0 ? f->cursor : f->oldest ? 0 : INT64_MAX);
	st_bind_named_int(s, ":limit", f->limit + 1); /* one more tells whether a next page exists */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == f->limit) {
			*next = ranked ? f->cursor + n : last;
			break;
		}
		last = sqlite3_column_int64(s, 0);
		report_row(s, &row);
		if (fn(ctx, &row) != 0) {
			rc = STORE_ERROR;
			break;
		}
		n++;
	}
	rc = st_page_end(s, rc);
	goto out;
done:
	rc = STORE_OK;
out:
	buf_free(&sql);
	buf_free(&q);
	return rc;
}

