/* releases.h - the handlers release managers call: releases, what they shipped and fixed, repository sync. */
#ifndef PROSUM_RELEASES_H
#define PROSUM_RELEASES_H

#include "api/router.h"

/* POST /api/v1/projects/{p}/releases {"name","ref"} (release or admin token) */
void releases_add(request *rq);
/* GET /api/v1/projects/{p}/releases */
void releases_list(request *rq);
/* GET /api/v1/projects/{p}/releases/{name} */
void releases_get(request *rq);
/* GET /api/v1/projects/{p}/releases/{name}/notes: Markdown */
void releases_notes(request *rq);
/* POST /api/v1/projects/{p}/sync: fetch, walk new commits, link, resolve */
void releases_sync(request *rq);

#endif
