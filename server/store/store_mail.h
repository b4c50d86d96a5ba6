/* store_mail.h - e-mail: testers' opt-ins, people's addresses and follows, the digest queue, unsubscribe tokens. */
#ifndef PROSUM_STORE_MAIL_H
#define PROSUM_STORE_MAIL_H

#include <stdint.h>

#include "store/store.h"

/* The tables are described in schema/0020_mail.sql. Strings passed in are borrowed; strings
 * handed to callbacks are borrowed for the callback's duration. */

#define STORE_EMAIL_MAX 254  /* RFC 5321's path limit */
#define STORE_MAIL_TOKEN_LEN 43 /* base64url of 32 random bytes */

/* ---- settings (store_mail.c) ---- */

/* A tester's install asks for mail at `email` (replacing an earlier address). */
int store_mail_tester_set(store_db *db, int64_t project_id, const char *install,
			  const char *email, int64_t now);
/* The tester no longer wants mail; its waiting items go too. STORE_OK even when it never asked. */
int store_mail_tester_clear(store_db *db, int64_t project_id, const char *install);
/* The address an install gave, into out (size STORE_EMAIL_MAX + 1), "" when none. */
int store_mail_tester_get(store_db *db, int64_t project_id, const char *install, char *out);

/* A person's address ("" or NULL clears it). STORE_NOTFOUND when no such person. */
int store_user_email_set(store_db *db, const char *name, const char *email);
/* The same for person user_id. */
int store_user_email_set_id(store_db *db, int64_t user_id, const char *email);
/* Person user_id's address into out (size STORE_EMAIL_MAX + 1), "" when none. */
int store_user_email_get(store_db *db, int64_t user_id, char *out);

/* Follow: kind "group" (group_num > 0), "new_group" or "regression" of project_id.
 * STORE_NOTFOUND when the group does not exist; following twice is STORE_OK. */
int store_mail_follow(store_db *db, int64_t user_id, int64_t project_id, const char *kind,
		      int64_t group_num, int64_t now);
/* Stop following (STORE_OK when it was not followed). */
int store_mail_unfollow(store_db *db, int64_t user_id, int64_t project_id, const char *kind,
			int64_t group_num);
/* What person user_id follows (project_id 0: every project); group_num 0 for project alerts. */
int store_mail_follows(store_db *db, int64_t user_id, int64_t project_id,
		       void (*fn)(void *ctx, const char *project, const char *kind,
				  int64_t group_num),
		       void *ctx);

/* What token names, for the page that asks to confirm: `what` (size >= 256) gets a
 * sentence ("e-mail about project demo"). STORE_NOTFOUND for an unknown token. */
int store_mail_token_describe(store_db *db, const char *token, char *what, size_t whatlen);
/* Unsubscribe what token names; its waiting items are dropped. STORE_NOTFOUND. */
int store_mail_unsubscribe(store_db *db, const char *token);

/* ---- the e-mail channel (store_mail_queue.c) ---- */

/* The opted-in testers outbox event `event_id` is news for (EVENT_AUDIENCE in store_int.h:
 * the rule the news in the beta build follows too), one call per install: its address, its
 * items the event is about ("R-12, R-15": `prefix` 'R' or 'S' and the numbers, in order),
 * and voter (1: the install only voted for the suggestion). */
int store_mail_audience(store_db *db, int64_t event_id, char prefix,
			void (*fn)(void *ctx, const char *install, const char *email,
				   const char *items, int voter),
			void *ctx);
/* Drop person's (a tester's, of `install`) waiting items whose event is no longer news for
 * it by the same rule: a comment hidden since, a fix that did not hold. Write transaction. */
int store_mail_tester_prune(store_db *db, const char *person, const char *install);
/* People with an address following kind ("group" with group_num, "new_group", "regression")
 * in project_id, not disabled; but not the one named `except` (the change's author: nobody
 * is told of their own comment), when not NULL. */
int store_mail_followers(store_db *db, int64_t project_id, const char *kind, int64_t group_num,
			 const char *except, void (*fn)(void *ctx, int64_t user_id, const char *email),
			 void *ctx);

typedef struct store_mail_item {
	int64_t id, event_id, created_at;
	const char *person, *address, *kind, *project, *line, *detail, *url;
} store_mail_item;

/* Queue an item for a person (a second item of the same event for them is dropped). */
int store_mail_pending_add(store_db *db, const store_mail_item *it);
/* Persons with waiting items whose last mail is at least `interval` seconds before now. */
int store_mail_due(store_db *db, int64_t now, int64_t interval,
		   int (*fn)(void *ctx, const char *person), void *ctx);
/* The waiting items of person (at most `limit`), oldest first. */
int store_mail_items(store_db *db, const char *person, int limit,
		     int (*fn)(void *ctx, const store_mail_item *it), void *ctx);
/* The unsubscribe token of person and kind, made when missing, into out (size
 * STORE_MAIL_TOKEN_LEN + 1); `fresh` is a new random token to use when none exists. */
int store_mail_token(store_db *db, const char *person, const char *kind, const char *fresh,
		     int64_t now, char *out);
/* Person was sent items up to last_id at now: those leave the queue. */
int store_mail_sent(store_db *db, const char *person, int64_t last_id, int64_t now);
/* Did the channel ever read the outbox (a cursor row exists)? */
int store_mail_cursor_exists(store_db *db, const char *channel, int *exists);
/* The last outbox id (0 when empty). */
int store_outbox_last(store_db *db, int64_t *id);

#endif
