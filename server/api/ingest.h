/* ingest.h - the handlers testers' builds call with an ingest key: reports, with their attachments. */
#ifndef PROSUM_INGEST_H
#define PROSUM_INGEST_H

#include "api/router.h"
#include "model/report.h"
#include "store/store.h"

/* POST /api/v1/projects/{p}/reports: JSON, or multipart/form-data with a report part and files */
void ingest_report(request *rq);
/* GET /api/v1/projects/{p}/reports/{R-n}/attachments/{name}: the stored file, to tokens only */
void ingest_attachment_get(request *rq);
/*
 * Work a mapped intake (a Sentry envelope) does beside its report, in the same write
 * transaction: run() on the writer thread once the credentials are checked, with the
 * project's id and the report's number (0 when there is no report); a non-STORE_OK result
 * rolls the whole transaction back. free() on the connection's thread when the job is done
 * (or could not be submitted). Either may be NULL.
 */
typedef struct ingest_extra {
	int (*run)(store_db *db, int64_t project_id, int64_t report_num, int64_t now, void *ctx);
	void (*free)(void *ctx);
	void *ctx;
	/* May be NULL. After run() returned STORE_INVALID (a refusal: nothing is stored), on the
	 * connection's thread: the HTTP status to answer (> 0) with the error's code, message
	 * and field (strings ctx owns; each may be NULL). */
	int (*why)(void *ctx, const char **code, const char **message, const char **field);
} ingest_extra;

/*
 * Store a report made from another format (a Sentry event) as POST .../reports would: rep and
 * text (the document rep->raw borrows, malloc'd; may be NULL) become the job's; rep NULL: no
 * report, only `extra` (copied; its ctx becomes the job's, freed even on failure). The
 * project is the one of numeric id project_id, checked against creds; the answer is
 * 200 {"id":event_id}, or 200 {} when event_id is NULL or empty and there is no report.
 */
void ingest_mapped(request *rq, report *rep, char *text, int64_t project_id, const auth_creds *creds,
		   const char *event_id, const ingest_extra *extra);

/* A mapped report and the document text its raw borrows (malloc'd). */
typedef struct ingest_doc {
	report rep;
	char *text;
} ingest_doc;

/*
 * ingest_mapped() for several reports stored in one write transaction, in order, before
 * `extra` runs (with the first one's number): docs (a malloc'd array of n) and all it holds
 * become the job's, freed even on failure. n 0: no report, only `extra`.
 */
void ingest_mapped_many(request *rq, ingest_doc *docs, size_t n, int64_t project_id,
			const auth_creds *creds, const char *event_id, const ingest_extra *extra);

#endif
