/* suggest.h - community suggestions and votes, the tester's own view, and who to thank. */
#ifndef PROSUM_SUGGEST_H
#define PROSUM_SUGGEST_H

#include "router.h"

/* POST /api/v1/projects/{p}/suggestions (ingest key) */
void suggest_add(request *rq);
/* POST and DELETE /api/v1/projects/{p}/suggestions/{S-n}/votes (ingest key) */
void suggest_vote(request *rq);
void suggest_unvote(request *rq);
/* GET /api/v1/projects/{p}/suggestions and /{S-n} (token) */
void suggest_list(request *rq);
void suggest_get(request *rq);
/* PATCH /api/v1/projects/{p}/suggestions/{S-n}: status, duplicate_of, shipped_in, comment */
void suggest_patch(request *rq);
/* GET /api/v1/projects/{p}/mine?since=TIME (ingest key and X-Prosum-Install) */
void suggest_mine(request *rq);
/* POST /api/v1/projects/{p}/reports/{R-n}/comments {"body"} (ingest key and the
 * X-Prosum-Install that sent the report): the tester replies to the team. */
void suggest_report_reply(request *rq);
/* GET /api/v1/projects/{p}/contributors (token) */
void suggest_contributors(request *rq);

#endif
