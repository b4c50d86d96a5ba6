/* ingest.h - the handlers testers' builds call with an ingest key: reports, with their attachments. */
#ifndef PROSUM_INGEST_H
#define PROSUM_INGEST_H

#include "api/router.h"

/* POST /api/v1/projects/{p}/reports: JSON, or multipart/form-data with a report part and files */
void ingest_report(request *rq);
/* GET /api/v1/projects/{p}/reports/{R-n}/attachments/{name}: the stored file, to tokens only */
void ingest_attachment_get(request *rq);

#endif
