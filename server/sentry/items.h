/* items.h - the items of a Sentry envelope beside its events: attachments (minidumps among them)
 * and user feedback, read on the connection's thread and stored with the envelope's events. */
#ifndef PROSUM_SENTRY_ITEMS_H
#define PROSUM_SENTRY_ITEMS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sentry/envelope.h"
#include "sentry/event.h"
#include "store/attach.h"
#include "store/store.h"

#define SENTRY_UUID_LEN 36          /* 8-4-4-4-12 */
#define SENTRY_ATTACHMENT_TYPE_MAX 64 /* "event.minidump" with its NUL, and room */
#define SENTRY_ATTACHMENT_NAME_MAX 120 /* leaves room for the "-2" of a second file so named */

/* An attachment item, read from its header; data borrowed from the envelope's buffer. */
typedef struct sentry_attachment {
	char name[ATTACH_NAME_MAX + 1];      /* "filename", made a safe name (attach_name_ok) */
	char content_type[ATTACH_TYPE_MAX];  /* application/x-dmp for minidumps */
	char attachment_type[SENTRY_ATTACHMENT_TYPE_MAX]; /* default "event.attachment" */
	const char *data;
	size_t len;
} sentry_attachment;

/*
 * An event_id as sent (32 hex digits, dashes allowed, any case) into out as 32 lower-case hex
 * digits. 0, or -1 when it is not one.
 */
int sentry_id_norm(const char *s, char out[SENTRY_EVENT_ID_LEN + 1]);

/* The uuid (8-4-4-4-12) of a 32-hex-digit id. */
void sentry_id_uuid(const char *hex, char out[SENTRY_UUID_LEN + 1]);

/*
 * The item sizes: an attachment at most max_attachment bytes, an item prosum reads (event,
 * user_report, feedback, session, sessions, client_report, check_in) at most max_json. 0, or
 * -1 with err naming the item ("item 3 (attachment crash.dmp): 30.0 MiB (31457280 bytes) is
 * over the limit of 10 MiB"): the caller answers 413.
 */
int sentry_items_check_sizes(const sentry_envelope *env, size_t max_json, size_t max_attachment,
			     char *err, size_t errlen);

/* An attachment item's header: name, content type and attachment type, and its payload. */
void sentry_attachment_read(const sentry_item *it, sentry_attachment *out);

/* filename made a safe attachment name (attach_name_ok) of at most SENTRY_ATTACHMENT_NAME_MAX
 * bytes: other bytes become '_', the extension is kept; NULL or empty: `fallback`. */
void sentry_attachment_name(const char *filename, const char *fallback,
			    char out[ATTACH_NAME_MAX + 1]);

/*
 * A user_report item ({event_id, name, email, comments}) as a feedback report document
 * (version 1), with env_headers (the envelope header: its trace.release and
 * trace.environment give the build). Its uuid is derived from event_id, so a user report
 * sent again is stored once (one per event, as Sentry keeps them). 0 with *doc (owned) and
 * event_uuid, the event it is about; -1 with err and field.
 */
int sentry_feedback_from_user_report(const json_t *ur, const json_t *env_headers, json_t **doc,
				     char event_uuid[SENTRY_UUID_LEN + 1], char *err,
				     size_t errlen, char *field, size_t fieldlen);

/*
 * A report document mapped from a `feedback` event (sentry_event_map) made a feedback
 * report: contexts.feedback's message, name and contact_email. event_uuid: its
 * associated_event_id, or "" when it names none.
 */
void sentry_feedback_from_event(json_t *doc, const json_t *event,
				char event_uuid[SENTRY_UUID_LEN + 1]);

/* ---- storing them, in the envelope's write transaction ---- */

typedef struct sentry_items sentry_items;

/* A new, empty set (NULL when out of memory); attach_dir is borrowed (the server's). */
sentry_items *sentry_items_new(const char *attach_dir);
/* An event report of the envelope (its uuid): the attachments waiting for it become its. */
int sentry_items_event(sentry_items *it, const char *uuid);
/* A feedback report of the envelope and the event it is about ("": none). */
int sentry_items_feedback(sentry_items *it, const char *feedback_uuid, const char *event_uuid);
/* An attachment of the event of uuid `target` (copied; data stays borrowed). */
int sentry_items_attachment(sentry_items *it, const char *target, const sentry_attachment *a);
/* Are there any (else nothing to run)? */
int sentry_items_any(const sentry_items *it);

/*
 * Store them for project_id, on the writer thread after the envelope's reports: files
 * written (fsynced) under attach_dir, rows added, waiting attachments claimed, feedback
 * linked. STORE_OK; STORE_INVALID when a report would have more attachments than
 * PROSUM_MAX_ATTACHMENTS or more than PROSUM_MAX_BODY bytes of them (sentry_items_why()
 * says it); STORE_FULL when a file could not be written; else STORE_ERROR.
 */
int sentry_items_run(store_db *db, int64_t project_id, int64_t now, sentry_items *it);

/* After STORE_INVALID: the status (413) and the error to answer. */
int sentry_items_why(sentry_items *it, const char **code, const char **message,
		     const char **field);

void sentry_items_free(sentry_items *it);

#endif
