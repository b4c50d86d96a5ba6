/* pages.h - the reads the web app's pages make: the home page's overview, a group's counts, a report's source lines. */
#ifndef PROSUM_PAGES_H
#define PROSUM_PAGES_H

#include "api/router.h"

/* GET /api/v1/projects/{p}/overview: new, regressed and rising groups, releases, totals */
void pages_overview(request *rq);
/* GET /api/v1/projects/{p}/groups/{G-n}/stats?days=N: daily counts and breakdowns */
void pages_group_stats(request *rq);
/* GET /api/v1/projects/{p}/reports/{R-n}/source?context=N: in-app frames' lines at the
 * report's resolved commit */
void pages_report_source(request *rq);

#endif
