/* store_outbox.h - the outbox: events recorded with the change that causes them, read by channels. */
#ifndef PROSUM_STORE_OUTBOX_H
#define PROSUM_STORE_OUTBOX_H

#include <stdint.h>

#include "store/store.h"

/* The table is described in schema/0018_outbox.sql. */

/*
 * Record an event of `type` ("group.created", ...) with `data`, a JSON object text (borrowed;
 * the caller built it, e.g. with json_dumps), for project_id at `now` (write transaction: the
 * event commits or rolls back with the change). *id (may be NULL) gets the event's id.
 */
int store_outbox_add(store_db *db, int64_t project_id, const char *type, const char *data,
		     int64_t now, int64_t *id);

/* One event; the strings are borrowed for the callback's duration. */
typedef struct store_outbox_row {
	int64_t id, project_id, created_at;
	const char *project; /* the project's name */
	const char *type, *data;
} store_outbox_row;

/*
 * Call fn for at most `limit` events with id > after_id, in id order; fn returning non-zero
 * stops the walk (that value is returned). STORE_OK otherwise.
 */
int store_outbox_each(store_db *db, int64_t after_id, int limit,
		      int (*fn)(void *ctx, const store_outbox_row *row), void *ctx);

/* The last id `channel` has read (0 when it never read), and moving it (write transaction). */
int store_outbox_cursor(store_db *db, const char *channel, int64_t *last_id);
int store_outbox_cursor_set(store_db *db, const char *channel, int64_t last_id);

#endif
