/* suggestions.h - community suggestions and votes, the tester's own view, and who to thank. */
#ifndef PROSUM_SUGGESTIONS_H
#define PROSUM_SUGGESTIONS_H

#include "api/router.h"

/* POST /api/v1/projects/{p}/suggestions (ingest key) */
void suggestions_add(request *rq);
/* POST and DELETE /api/v1/projects/{p}/suggestions/{S-n}/votes (ingest key) */
void suggestions_vote(request *rq);
void suggestions_unvote(request *rq);
/* GET /api/v1/projects/{p}/suggestions and /{S-n} (token) */
void suggestions_list(request *rq);
void suggestions_get(request *rq);
/* PATCH /api/v1/projects/{p}/suggestions/{S-n}: status, duplicate_of, shipped_in, comment */
void suggestions_patch(request *rq);
/* GET /api/v1/projects/{p}/mine?since=TIME (ingest key and X-Prosum-Install) */
void suggestions_mine(request *rq);
/* POST /api/v1/projects/{p}/reports/{R-n}/comments {"body"} (ingest key and the
 * X-Prosum-Install that sent the report): the tester replies to the team. */
void suggestions_report_reply(request *rq);
/* GET /api/v1/projects/{p}/contributors (token) */
void suggestions_contributors(request *rq);

#endif
