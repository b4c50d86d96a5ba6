/* render_reports.h - the API's JSON of reports, groups, their threads and suspects. */
#ifndef PROSUM_RENDER_REPORTS_H
#define PROSUM_RENDER_REPORTS_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

/* Each returns a new reference, NULL when out of memory. */
json_t *render_revision(const store_revision *r);
json_t *render_report_row(const store_report_row *r);
json_t *render_group_row(const store_group_row *g);
json_t *render_suspects(const store_suspect *s, size_t n);
/* The report: its document as sent (r->body) with what the server knows set on top. */
json_t *render_report(const store_report_detail *r);
json_t *render_group(const store_group_detail *g);
/* Set "comments" and "history" of `item` from t. STORE_OK or STORE_ERROR. */
int render_thread(const store_thread *t, json_t *item);

/*
 * The API's answers, read through the store (on a store thread, with its connection) and
 * rendered. On STORE_OK the JSON is a new reference the caller owns (decref); on any other
 * return (the store's code) nothing is left to free.
 */
/* One report (store_report_load). STORE_NOTFOUND when there is none. */
int render_report_get(store_db *db, int64_t project_id, int64_t num, json_t **out);
/* A page of reports (store_report_each): *items a JSON array, *next the next cursor or 0. */
int render_report_list(store_db *db, int64_t project_id, const store_report_filter *f,
		       json_t **items, int64_t *next);
/* One group with its builds, platforms, comments and history (store_group_load). */
int render_group_get(store_db *db, int64_t project_id, int64_t num, json_t **out);
/* A page of groups (store_group_each); `next` is "" on the last page. */
int render_group_list(store_db *db, int64_t project_id, const store_group_filter *f,
		      json_t **items, char next[STORE_CURSOR_MAX]);
/* The frames report `num` was sent with (store_report_frames_text): a new reference in
 * *frames, NULL when it has none. STORE_NOTFOUND when there is no such report. */
int render_report_frames(store_db *db, int64_t project_id, int64_t num, json_t **frames);
/* Add the tester's reply (store_report_reply_add, write transaction) and render it as the
 * tester sees it in *out. */
int render_report_reply(store_db *db, int64_t project_id, int64_t num, const char *install_id,
			const char *body, int64_t now, json_t **out);

#endif
