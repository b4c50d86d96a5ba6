/* store_groups.c - reading groups: one group and group lists. */
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

/*
 * A group as lists show it, borrowed from the statement. No suspects here: an empty list
 * would claim "no suspects", and finding them costs a walk over each group's reports, too
 * much for every item of a page. The single group (store_group_load) carries them.
 */
void st_group_row(sqlite3_stmt *s, store_group_row *g)
{
	g->num = sqlite3_column_int64(s, 0);
	g->status = st_col_text(s, 1);
	g->kind = st_col_text(s, 2);
	g->title = st_col_text(s, 3);
	g->count = sqlite3_column_int64(s, 4);
	g->testers = sqlite3_column_int64(s, 5);
	g->first_seen = sqlite3_column_int64(s, 6);
	g->last_seen = sqlite3_column_int64(s, 7);
	g->first_revision = st_col_text(s, 8);
	g->last_revision = st_col_text(s, 9);
	g->assignee = st_col_text(s, 10);
	g->fixed_by = st_col_text(s, 11);
	g->merged_into = sqlite3_column_int64(s, 12);
	g->fixed_in = st_col_text(s, 13);
}

void store_group_detail_free(store_group_detail *g)
{
	if (!g)
		return;
	store_arena_free(&g->arena);
	free(g);
}

int store_group_load(store_db *db, int64_t project_id, int64_t num, store_group_detail **out)
{
	sqlite3_stmt *s = st_stmt(db, "SELECT " GROUP_COLUMNS ", g.id FROM groups g "
				      "WHERE g.project_id = ?1 AND g.num = ?2");
	store_group_detail *g;
	store_group_row *row;
	store_arena *a;
	store_facet *fa;
	size_t vcap = 0, pcap = 0;
	int rc, version;
	int64_t id;

	*out = NULL;
	if (!s)
		return STORE_ERROR;
	g = calloc(1, sizeof(*g));
	if (!g)
		return STORE_ERROR;
	a = &g->arena;
	row = &g->group;
	sqlite3_bind_int64(s, 1, project_id);
	sqlite3_bind_int64(s, 2, num);
	rc = st_step_row(s);
	if (rc != STORE_OK) {
		store_group_detail_free(g);
		return rc;
	}
	st_group_row(s, row);
	row->status = st_dup(a, row->status);
	row->kind = st_dup(a, row->kind);
	row->title = st_dup(a, row->title);
	row->first_revision = st_dup(a, row->first_revision);
	row->last_revision = st_dup(a, row->last_revision);
	row->assignee = st_dup(a, row->assignee);
	row->fixed_by = st_dup(a, row->fixed_by);
	row->fixed_in = st_dup(a, row->fixed_in);
	id = sqlite3_column_int64(s, 14);
	sqlite3_reset(s);
	s = st_stmt(db, "SELECT facet, value, count FROM group_facets WHERE group_id = ?1 "
			"AND facet IN ('version', 'platform') ORDER BY count DESC, value LIMIT 100");
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		version = strcmp(st_col_text(s, 0), "version") == 0;
		fa = version ? st_push(a, &g->versions, &g->nversions, &vcap, sizeof(*fa))
			     : st_push(a, &g->platforms, &g->nplatforms, &pcap, sizeof(*fa));
		if (!fa)
			break;
		fa->value = st_col_dup(a, s, 1);
		fa->count = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || a->failed)
		goto fail;
	if (st_suspects_load(db, 0, project_id, id, a, &g->suspects, &g->nsuspects) != STORE_OK ||
	    store_thread_load(db, project_id, 'G', num, a, &g->thread) != STORE_OK)
		goto fail;
	*out = g;
	return STORE_OK;
fail:
	store_group_detail_free(g);
	return STORE_ERROR;
}

int store_group_each(store_db *db, int64_t project_id, const store_group_filter *f,
		     int (*fn)(void *ctx, const store_group_row *row), void *ctx,
		     char next[STORE_CURSOR_MAX])
{
	static const char *const order[] = {
		[STORE_GROUP_SORT_RECENT] = "g.last_seen DESC, g.num DESC",
		[STORE_GROUP_SORT_OLDEST] = "g.first_seen ASC, g.num ASC",
		[STORE_GROUP_SORT_COUNT] = "g.count DESC, g.num DESC",
		[STORE_GROUP_SORT_TESTERS] = "g.testers DESC, g.num DESC",
	};
	/* Keyset pagination: the sort key and the number of the last row seen. */
	static const char *const after[] = {
		[STORE_GROUP_SORT_RECENT] = "AND (g.last_seen < :ck OR (g.last_seen = :ck AND g.num < :cn)) ",
		[STORE_GROUP_SORT_OLDEST] = "AND (g.first_seen > :ck OR (g.first_seen = :ck AND g.num > :cn)) ",
		[STORE_GROUP_SORT_COUNT] = "AND (g.count < :ck OR (g.count = :ck AND g.num < :cn)) ",
		[STORE_GROUP_SORT_TESTERS] = "AND (g.testers < :ck OR (g.testers = :ck AND g.num < :cn)) ",
	};
	static const int key_col[] = {[STORE_GROUP_SORT_RECENT] = 7, [STORE_GROUP_SORT_OLDEST] = 6,
				      [STORE_GROUP_SORT_COUNT] = 4, [STORE_GROUP_SORT_TESTERS] = 5};
	buf sql;
	sqlite3_stmt *s;
	store_group_row row;
	int rc = STORE_ERROR, n = 0, sort = f->sort;
	int64_t last_key = 0, last_num = 0;

	next[0] = '\0';
	if (sort < 0 || sort > STORE_GROUP_SORT_TESTERS)
		sort = STORE_GROUP_SORT_RECENT;
	buf_init(&sql, 8192);
	buf_puts(&sql, "SELECT " GROUP_COLUMNS ", g.id FROM groups g WHERE g.project_id = :p "
		       "AND g.merged_into IS NULL ");
	if (f->status)
		buf_puts(&sql, "AND g.status = :status ");
	if (f->kind)
		buf_puts(&sql, "AND g.kind = :kind ");
	if (f->version)
		buf_puts(&sql, "AND EXISTS (SELECT 1 FROM group_facets x WHERE x.group_id = g.id "
			       "AND x.facet = 'version' AND x.value = :version) ");
	if (f->platform)
		buf_puts(&sql, "AND EXISTS (SELECT 1 FROM group_facets x WHERE x.group_id = g.id "
			       "AND x.facet = 'platform' AND (x.value = :os OR x.value LIKE :osp)) ");
	if (f->since)
		buf_puts(&sql, "AND g.last_seen >= :since ");
	if (f->until)
		buf_puts(&sql, "AND g.first_seen < :until ");
	if (f->has_cursor)
		buf_puts(&sql, after[sort]);
	buf_printf(&sql, "ORDER BY %s LIMIT :limit", order[sort]);
	s = st_shape(db, sql.p);
	if (!s)
		goto out;
	st_bind_named_int(s, ":p", project_id);
	st_bind_named_text(s, ":status", f->status);
	st_bind_named_text(s, ":kind", f->kind);
	st_bind_named_text(s, ":version", f->version);
	st_bind_named_text(s, ":os", f->platform);
	if (f->platform) {
		char like[300];
		snprintf(like, sizeof(like), "%s %%", f->platform);
		st_bind_named_text(s, ":osp", like);
	}
	st_bind_named_int(s, ":since", f->since);
	st_bind_named_int(s, ":until", f->until);
	st_bind_named_int(s, ":ck", f->cursor_key);
	st_bind_named_int(s, ":cn", f->cursor_num);
	st_bind_named_int(s, ":limit", f->limit + 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == f->limit) {
			snprintf(next, STORE_CURSOR_MAX, "%lld.%lld", (long long)last_key,
				 (long long)last_num);
			break;
		}
		last_num = sqlite3_column_int64(s, 0);
		last_key = sqlite3_column_int64(s, key_col[sort]);
		st_group_row(s, &row);
		if (fn(ctx, &row) != 0) {
			rc = STORE_ERROR;
			break;
		}
		n++;
	}
	rc = st_page_end(s, rc);
out:
	buf_free(&sql);
	return rc;
}

