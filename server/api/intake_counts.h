/* intake_counts.h - what a project's Sentry SDKs sent that prosum counted: dropped items, client discards, sessions. */
#ifndef PROSUM_INTAKE_COUNTS_H
#define PROSUM_INTAKE_COUNTS_H

#include "api/router.h"

/*
 * GET /api/v1/projects/{p}/intake (admin): the last 30 days (today and the 29 before, UTC):
 * {"days":30,"since":time,
 *  "dropped":[{"type","quantity"}],           items accepted and not stored, by type
 *  "health_items":[{"type","outcome","quantity"}], session/sessions/client_report items by outcome
 *  "discarded":[{"reason","category","quantity"}], what SDKs said they discarded
 *  "sessions":{"started","exited","errored","abnormal","crashed",
 *              "releases":[{"release","environment","started","exited","errored","abnormal",
 *                           "crashed","installs","crashed_installs","crash_free_sessions",
 *                           "crash_free_installs","last_hour"}]}}  (newest first, at most 50)
 */
void intake_counts_get(request *rq);

#endif
