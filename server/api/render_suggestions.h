/* render_suggestions.h - the JSON answers for suggestions and for a tester's own view. */
#ifndef PROSUM_RENDER_SUGGESTIONS_H
#define PROSUM_RENDER_SUGGESTIONS_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

/*
 * Each reads through the store (on a store thread, with its connection) and renders what it
 * read. On STORE_OK the result is a new reference the caller owns (decref); on any other
 * return (the store's code) nothing is left to free.
 */

/* A page of suggestions: *items a JSON array, *next the offset of the next page or 0. */
int render_suggestion_list(store_db *db, int64_t project_id, const store_suggestion_filter *f,
			   json_t **items, int64_t *next);
/* One suggestion with its comments and history. STORE_NOTFOUND when there is none. */
int render_suggestion_get(store_db *db, int64_t project_id, int64_t num, json_t **out);
/* {"reports":[...],"suggestions":[...]}: what the tester of `install_id` sent or voted for. */
int render_mine(store_db *db, int64_t project_id, const char *install_id, int64_t since,
		json_t **out);

#endif
