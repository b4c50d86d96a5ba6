/* render_releases.h - the JSON answers for releases and for the testers to thank. */
#ifndef PROSUM_RENDER_RELEASES_H
#define PROSUM_RENDER_RELEASES_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

/*
 * Each reads through the store (on a store thread, with its connection) and renders what it
 * read. On STORE_OK *out is a new reference the caller owns (decref); on any other return
 * (the store's code) *out is NULL.
 */

/* One release: name, ref, commit, position, created_at, fixed_reports, fixed_groups,
 * shipped_suggestions (with credit) and contributors. STORE_NOTFOUND when unknown. */
int render_release_get(store_db *db, int64_t project_id, const char *name, json_t **out);
/* {"items":[releases with counts],"next":null}. */
int render_release_list(store_db *db, int64_t project_id, json_t **out);
/* {"items":[testers to thank across releases]}. */
int render_contributors(store_db *db, int64_t project_id, json_t **out);

#endif
