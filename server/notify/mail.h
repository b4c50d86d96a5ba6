/* mail.h - the e-mail channel: a thread that reads the outbox from its "email" cursor, queues news per person, and sends digests. */
#ifndef PROSUM_MAIL_H
#define PROSUM_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define MAIL_INTERVAL_DEFAULT 3600 /* seconds: at most one mail per person this often */
#define MAIL_CHANNEL "email"       /* the outbox cursor */

/* What serve was told; every string borrowed for mail_start() only (copied). */
typedef struct mail_config {
	const char *db_path;
	const char *smtp_url;   /* smtp://host:port or smtps://host:port */
	const char *from;       /* "prosum <noreply@example.com>" or an address */
	const char *user;       /* NULL: no authentication */
	const char *password;   /* with user: read from --smtp-password-file */
	const char *public_url; /* https://host:port: links in mails */
	int interval;           /* seconds */
} mail_config;

typedef struct mail_channel mail_channel;

/* Start the thread (its own write connection to the database). 0 and *out (stop and free
 * with mail_stop()), or -1 with the reason in err. */
int mail_start(mail_channel **out, const mail_config *cfg, char *err, size_t errlen);
/* Stop the thread (a send in flight finishes first) and free. NULL is fine. */
void mail_stop(mail_channel *ch);

/* ---- mail_route.c ---- */

/* Queue the news of outbox event `id` (type, its JSON data) of project project_id (named
 * project) for every person it concerns, with links under public_url. Write transaction. */
int mail_route(store_db *db, int64_t id, int64_t project_id, const char *project,
	       const char *type, const char *data, const char *public_url, int64_t now);

#endif
