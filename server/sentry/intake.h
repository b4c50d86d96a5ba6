/* intake.h - the endpoints Sentry SDKs send to: POST /api/{id}/store/ and /api/{id}/envelope/. */
#ifndef PROSUM_SENTRY_INTAKE_H
#define PROSUM_SENTRY_INTAKE_H

#include "api/router.h"

/* POST /api/{id}/store/: one event (JSON); 200 {"id":"<event_id>"}. */
void sentry_intake_store(request *rq);
/* POST /api/{id}/envelope/: an envelope; its `event` item is stored, other items skipped. */
void sentry_intake_envelope(request *rq);

#endif
