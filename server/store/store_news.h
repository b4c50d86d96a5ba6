/* store_news.h - a tester's news: the outbox's events about their own items, since they last saw. */
#ifndef PROSUM_STORE_NEWS_H
#define PROSUM_STORE_NEWS_H

#include <stdint.h>

#include "store/store.h"

/* One piece of news; strings borrowed for the callback's duration. */
typedef struct store_news_item {
	int64_t id;         /* the outbox event's id */
	const char *type;   /* "group.fixed_in_release", "suggestion.shipped", "report.comment" */
	int64_t at;         /* when it happened, unix seconds */
	const char *data;   /* the event's data (JSON text, internal fields included) */
	int64_t num;        /* the install's item it concerns: its report R-num (fixed, reply) or
			     * the suggestion S-num (shipped) */
	int author;         /* shipped: the install sent the suggestion (else it voted for it) */
} store_news_item;

/*
 * The news of `install` in project_id after outbox id `after`, up to `top` (the newest id
 * looked at), in order, at most `limit` items, to fn (non-zero stops; that value is returned):
 * the events the install is in the audience of (EVENT_AUDIENCE in store_int.h, the rule the
 * testers' e-mail follows too): a fix of a group holding one of its reports that reached a
 * release, when that report is fixed now (the rule of `mine`: a build that holds the fix is
 * not told); a suggestion it sent or voted for that shipped; the team's comments on its
 * reports and on their groups (comments hidden since are left out). STORE_OK otherwise.
 */
int store_news_each(store_db *db, int64_t project_id, const char *install, int64_t after,
		    int64_t top, int limit, int (*fn)(void *ctx, const store_news_item *it),
		    void *ctx);

/* The newest outbox id of the project (0 when none) into *top. */
int store_news_top(store_db *db, int64_t project_id, int64_t *top);

/* The outbox id up to which `install` has seen its news (0: nothing yet). */
int store_news_seen_get(store_db *db, int64_t project_id, const char *install, int64_t *last);
/* Move it on to `through` (write transaction); it never moves back. */
int store_news_seen_set(store_db *db, int64_t project_id, const char *install,
			int64_t through);

#endif
