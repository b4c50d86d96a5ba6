/* store_events.h - recording the outbox's events at the changes that cause them. */
#ifndef PROSUM_STORE_EVENTS_H
#define PROSUM_STORE_EVENTS_H

#include <stdint.h>

#include "store/store.h"

/*
 * Every function here runs inside the write transaction of its change (the event commits or
 * rolls back with it) and returns STORE_OK or STORE_ERROR. The JSON is model/events.c's.
 *
 * Most events follow from the history (audit) rows a transaction wrote: status changes of
 * groups and suggestions, regressions, fixes that reach a release, suggestions shipped. They
 * are recorded at commit by st_events_flush() (a fix reaching a release is written to the
 * history by a trigger of schema 0009), from the audit rows after the mark
 * st_events_mark() took at BEGIN: a job the writer rolled back to its savepoint left none.
 * The others are recorded where their change is made.
 */
int st_events_mark(store_db *db);
int st_events_flush(store_db *db);

/* group.created: the group of report `report_num` was made by it. */
int st_event_group_created(store_db *db, int64_t project_id, int64_t group_num,
			   int64_t report_num, int64_t now);
/* report.comment: a team comment (id comment_id) on report or group type/num. */
int st_event_comment(store_db *db, int64_t project_id, const char *type, int64_t num,
		     int64_t comment_id, const char *author, const char *body, int64_t now);
/* suggestion.created. */
int st_event_suggestion_created(store_db *db, int64_t project_id, int64_t num, int64_t now);
/* release.created, once the release has its place in history order. */
int store_event_release_created(store_db *db, int64_t project_id, const char *name,
				int64_t now);

#endif
