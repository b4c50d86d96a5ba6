/* render_store_compat.c - JSON of store columns and item threads for the store files that still build JSON answers. */
#include "store/store.h"

#include <jansson.h>
#include <sqlite3.h>

#include "common/buf.h"
#include "api/render_reports.h"
#include "api/reply.h"
#include "store/store_int.h"

/*
 * The suggestion and release answers are still built inside the store (store_suggestions.c,
 * store_releases.c); these helpers, declared in store_int.h, serve them until those return
 * types as reports and groups do. Then this file goes.
 */

json_t *st_revision_json(const char *input, const char *commit, const char *release)
{
	store_revision r = {input, commit, release};

	return render_revision(&r);
}

json_t *st_text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *st_col_json(sqlite3_stmt *s, int i)
{
	return st_text_or_null(st_col_text(s, i));
}

int st_history(store_db *db, int64_t project_id, const char *type, int64_t num, json_t *item)
{
	store_arena a = {0};
	store_thread t;
	int rc = store_thread_load(db, project_id, type[0], num, &a, &t);

	if (rc == STORE_OK)
		rc = render_thread(&t, item);
	store_arena_free(&a);
	return rc;
}
