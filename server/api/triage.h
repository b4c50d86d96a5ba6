/* triage.h - the handlers developers call with a token: reports and groups, lists, search, changes, export. */
#ifndef PROSUM_TRIAGE_H
#define PROSUM_TRIAGE_H

#include "api/router.h"

/* GET /api/v1/projects/{p}/reports */
void triage_report_list(request *rq);
/* GET /api/v1/projects/{p}/reports/{R-n} */
void triage_report_get(request *rq);
/* PATCH /api/v1/projects/{p}/reports/{R-n}: status, assignee, fixed_by, comment */
void triage_report_patch(request *rq);
/* GET /api/v1/projects/{p}/groups */
void triage_group_list(request *rq);
/* GET /api/v1/projects/{p}/groups/{G-n} */
void triage_group_get(request *rq);
/* PATCH /api/v1/projects/{p}/groups/{G-n}: status, assignee, fixed_by, comment, merge_into */
void triage_group_patch(request *rq);

#endif
