/* ingest.h - the handlers testers' builds call with an ingest key: reports, with their attachments. */
#ifndef PROSUM_INGEST_H
#define PROSUM_INGEST_H

#include "api/router.h"

/* POST /api/v1/projects/{p}/reports: JSON, or multipart/form-data with a report part and files */
void ingest_report(request *rq);
/* GET /api/v1/projects/{p}/reports/{R-n}/attachments/{name}: the stored file, to tokens only */
void ingest_attachment_get(request *rq);
/*
 * Store a report made from another format (a Sentry event) as POST .../reports would: rep and
 * text (the document rep->raw borrows, malloc'd; may be NULL) become the job's. The project is
 * the one of numeric id project_id, checked against creds; the answer is 200 {"id":event_id}.
 */
void ingest_mapped(request *rq, report *rep, char *text, int64_t project_id, const auth_creds *creds,
		   const char *event_id);

#endif
