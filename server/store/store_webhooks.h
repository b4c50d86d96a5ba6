/* store_webhooks.h - webhooks and their deliveries (schema/0019_webhooks.sql). */
#ifndef PROSUM_STORE_WEBHOOKS_H
#define PROSUM_STORE_WEBHOOKS_H

#include <stdint.h>

#include "store/store.h"
#include "store/store_outbox.h"

/* One webhook; strings borrowed for the callback's duration. */
typedef struct store_webhook_row {
	int64_t id, project_id, created_at;
	const char *url, *events, *secret, *format;
	const char *disabled_reason; /* NULL unless the sender disabled it */
	int enabled;
} store_webhook_row;

/* Add a webhook (events: a JSON array text). *id may be NULL. */
int store_webhook_add(store_db *db, int64_t project_id, const char *url, const char *events,
		      const char *secret, const char *format, int64_t now, int64_t *id);
/* fn for each webhook of the project (id 0), or for the one with that id (STORE_NOTFOUND when
 * the project has none such). fn returning non-zero stops the walk (that value is returned). */
int store_webhook_each(store_db *db, int64_t project_id, int64_t id,
		       int (*fn)(void *ctx, const store_webhook_row *row), void *ctx);
/* Change what is not NULL (enabled: -1 unchanged; enabling clears disabled_reason).
 * STORE_NOTFOUND when the project has no such webhook. */
int store_webhook_update(store_db *db, int64_t project_id, int64_t id, const char *url,
			 const char *events, const char *secret, const char *format, int enabled);
/* Remove a webhook and its delivery log (write transaction). STORE_NOTFOUND when none. */
int store_webhook_remove(store_db *db, int64_t project_id, int64_t id);

/* One delivery, for the log; strings borrowed. */
typedef struct store_delivery_row {
	int64_t id, webhook_id, event_id, attempts, next_at, created_at, last_at;
	int64_t last_status, last_duration_ms; /* -1 when none */
	const char *state, *type, *last_error;
} store_delivery_row;

/* The newest `limit` deliveries of a webhook, newest first. */
int store_webhook_deliveries_each(store_db *db, int64_t webhook_id, int limit,
				  int (*fn)(void *ctx, const store_delivery_row *row), void *ctx);
/* delivery_id's event sent again to its webhook (which must be the project's webhook_id), at
 * now_ms: a delivery still pending is tried then (*new_id = delivery_id: no second copy);
 * one delivered or failed gets a new pending delivery (*new_id its id). STORE_NOTFOUND when
 * there is no such delivery. */
int store_webhook_redeliver(store_db *db, int64_t project_id, int64_t webhook_id,
			    int64_t delivery_id, int64_t now_ms, int64_t *new_id);

/* ---- the sender's side ---- */

/* A pending delivery for each enabled webhook of ev's project the event is for (its events
 * list names the type or "*"; a "test" event goes to the webhook its data's webhook_id names,
 * or to all when it names none), due at now_ms (write transaction). *n gets how many. */
int store_webhook_fanout(store_db *db, const store_outbox_row *ev, int64_t now_ms, int *n);

/* A due delivery with what sending it needs; strings borrowed. */
typedef struct store_due_row {
	int64_t id, webhook_id, event_id, attempts, created_at, event_time;
	const char *url, *secret, *format, *type, *data, *project;
} store_due_row;

/* fn for at most `limit` pending deliveries of enabled webhooks due at now_ms, earliest first. */
int store_webhook_due(store_db *db, int64_t now_ms, int limit,
		      int (*fn)(void *ctx, const store_due_row *row), void *ctx);
/* When the next pending delivery of an enabled webhook is due (unix ms), 0 when none is. */
int store_webhook_next_due(store_db *db, int64_t *at_ms);
/* Record one attempt: the delivery's new state ("pending" with next_at, "delivered", "failed"),
 * and what came back (status -1 when no answer, error NULL when none). */
int store_webhook_attempted(store_db *db, int64_t delivery_id, const char *state,
			    int64_t next_at, int64_t at_ms, int status, int64_t duration_ms,
			    const char *error);
/* Disable a webhook, saying why (the receiver answered 410). */
int store_webhook_disable(store_db *db, int64_t webhook_id, const char *reason);

#endif
