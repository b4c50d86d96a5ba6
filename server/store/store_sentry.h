/* store_sentry.h - what Sentry envelopes keep beside reports: attachments (with their Sentry type,
 * or waiting for their event) and the links of feedback reports to the event they are about. */
#ifndef PROSUM_STORE_SENTRY_H
#define PROSUM_STORE_SENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* An attachment from an envelope whose file is already written by attach_store(). Borrowed. */
typedef struct store_sentry_attachment {
	const char *name;            /* a safe name (attach_name_ok) of at most 120 bytes */
	const char *content_type;
	const char *sha256;          /* 64 hex digits */
	const char *attachment_type; /* "event.attachment", "event.minidump", ... */
	int64_t size;
} store_sentry_attachment;

/* The number of the report of uuid (lower-case 8-4-4-4-12) in *num: STORE_OK or STORE_NOTFOUND. */
int store_sentry_report_num(store_db *db, int64_t project_id, const char *uuid, int64_t *num);

/*
 * Record attachment a of report num, or, num 0, as waiting for the event of event_uuid. The
 * same name with the same bytes is there already: nothing is added (*added 0; a resent
 * envelope). The same name with other bytes: the name gets "-2", "-3", ... before its
 * extension. In a write transaction.
 */
int store_sentry_attachment_put(store_db *db, int64_t project_id, int64_t num,
				const char *event_uuid, const store_sentry_attachment *a,
				int64_t now, int *added);

/* The attachments of report num (num 0: those waiting for event_uuid): count and bytes. */
int store_sentry_attachments_total(store_db *db, int64_t project_id, int64_t num,
				   const char *event_uuid, int64_t *count, int64_t *bytes);

/* The attachments waiting for event_uuid become report num's. In a write transaction. */
int store_sentry_pending_claim(store_db *db, int64_t project_id, int64_t num,
			       const char *event_uuid, int64_t now);

/* Feedback report feedback_num is about the event of event_uuid (stored or not yet). Kept
 * once. In a write transaction. */
int store_sentry_feedback_link(store_db *db, int64_t project_id, int64_t feedback_num,
			       const char *event_uuid);

/* The report of the event feedback report num is about, in *event_num: STORE_OK, or
 * STORE_NOTFOUND when num is no linked feedback or its event has not arrived. */
int store_sentry_feedback_for(store_db *db, int64_t project_id, int64_t num, int64_t *event_num);

/* fn(ctx, n) per feedback report n on report num, oldest first; a non-zero return stops
 * with STORE_ERROR. */
int store_sentry_feedback_each(store_db *db, int64_t project_id, int64_t num,
			       int (*fn)(void *ctx, int64_t feedback_num), void *ctx);

/* fn(ctx, name, type) per attachment of report num that has a Sentry attachment type. */
int store_sentry_attachment_types(store_db *db, int64_t project_id, int64_t num,
				  int (*fn)(void *ctx, const char *name, const char *type),
				  void *ctx);

#endif
