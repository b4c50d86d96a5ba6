/* triage.h - the handlers developers call with a token: reading reports. */
#ifndef PROSUM_TRIAGE_H
#define PROSUM_TRIAGE_H

#include "router.h"

/* GET /api/v1/projects/{p}/reports */
void triage_report_list(request *rq);
/* GET /api/v1/projects/{p}/reports/{R-n} */
void triage_report_get(request *rq);

#endif
