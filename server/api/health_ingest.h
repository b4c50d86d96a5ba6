/* health_ingest.h - sessions and ratings testers' builds send (libprosum), and the admin's tester cohorts. */
#ifndef PROSUM_HEALTH_INGEST_H
#define PROSUM_HEALTH_INGEST_H

#include "api/router.h"

/* POST /api/v1/projects/{p}/sessions: one session update (ingest key) */
void health_session_post(request *rq);
/* POST /api/v1/projects/{p}/ratings: an install rates its build (ingest key, tester's session) */
void health_rating_post(request *rq);
/* GET /api/v1/projects/{p}/ratings/mine: the caller's build and its rating (key + install,
 * tester's session) */
void health_rating_mine(request *rq);
/* GET /api/v1/projects/{p}/ratings?release=R[&revision=V][&cohort=C]: a build's ratings (developer) */
void health_ratings_get(request *rq);
/* GET and PATCH /api/v1/projects/{p}/cohorts: the cohorts of keys, channels, installs (admin) */
void health_cohorts_get(request *rq);
void health_cohorts_patch(request *rq);

#endif
