/* news.h - a tester's news in the beta build: their bugs fixed in a release, their suggestions
 * shipped, the team's replies, since they last said they saw it. */
#ifndef PROSUM_NEWS_H
#define PROSUM_NEWS_H

#include "api/router.h"

/*
 * GET /api/v1/projects/{p}/news: the ingest key and X-Prosum-Install (or a tester's board
 * session) -> 200 {"items":[{"id":"evt_N","kind":"fixed"|"shipped"|"reply","text",
 * "time", "report"|"suggestion", "group"?, "release"?, "title"?, "body"?}], "cursor":N,
 * "more":bool}: the install's news after its cursor, oldest first, at most 50. Reading moves
 * nothing: POST .../news/seen {"cursor":N} does (news up to N is seen; never moves back).
 */
void news_get(request *rq);
void news_seen(request *rq);

#endif
