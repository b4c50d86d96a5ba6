/* release.h - the handlers release managers call: releases, what they shipped and fixed, repository sync. */
#ifndef PROSUM_RELEASE_H
#define PROSUM_RELEASE_H

#include "router.h"

/* POST /api/v1/projects/{p}/releases {"name","ref"} (release or admin token) */
void release_add(request *rq);
/* GET /api/v1/projects/{p}/releases */
void release_list(request *rq);
/* GET /api/v1/projects/{p}/releases/{name} */
void release_get(request *rq);
/* GET /api/v1/projects/{p}/releases/{name}/notes: Markdown */
void release_notes(request *rq);
/* POST /api/v1/projects/{p}/sync: fetch, walk new commits, link, resolve */
void release_sync(request *rq);

#endif
