/* byevent.h - a report found by its Sentry event id (its uuid), with the known-fix answer. */
#ifndef PROSUM_BYEVENT_H
#define PROSUM_BYEVENT_H

#include "api/router.h"

/*
 * GET /api/v1/projects/{p}/reports/by-event/{event_id}: event_id is 32 hex digits, dashes
 * allowed, any case. For any token, team member or the project's ingest key:
 * {"id","group","event_id","status","known"}; 404 (field event_id) when no report has it,
 * 422 (field event_id) when it is malformed.
 */
void byevent_get(request *rq);

#endif
