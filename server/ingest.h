/* ingest.h - the handlers testers' builds call with an ingest key: reports. */
#ifndef PROSUM_INGEST_H
#define PROSUM_INGEST_H

#include "router.h"

/* POST /api/v1/projects/{p}/reports */
void ingest_report(request *rq);

#endif
