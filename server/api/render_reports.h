/* render_reports.h - the API's JSON of reports, groups, their threads and suspects. */
#ifndef PROSUM_RENDER_REPORTS_H
#define PROSUM_RENDER_REPORTS_H

#include <jansson.h>

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

#endif
