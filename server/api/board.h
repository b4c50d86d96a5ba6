/* board.h - the community board: public reads for visitors, testers and the team, and moderation. */
#ifndef PROSUM_BOARD_H
#define PROSUM_BOARD_H

#include "api/router.h"

struct apijob;

/* GET /api/v1/projects/{p}/board?sort=&status=&q=&limit=&cursor= (visitor on a public project,
 * any credential allowed on the project) */
void board_list(request *rq);
/* GET /api/v1/projects/{p}/board/{S-n} */
void board_get(request *rq);
/* PATCH /api/v1/projects/{p}/comments/{id} {"hidden":bool} (developer or above) */
void board_comment_patch(request *rq);
/* POST /api/v1/projects/{p}/suggestions/{S-n}/comments {"body"}: the team's comment (token or
 * person), or a tester's (ingest key + X-Prosum-Install, optional "name" to credit). */
void board_comment_add(request *rq);
/* GET /api/v1/projects/{p}/shipped (fame.c) */
void board_shipped(request *rq);
/* GET /api/v1/projects/{p}/fame?release=NAME (fame.c) */
void board_fame(request *rq);
/* GET /api/v1/projects/{p}/testers/{name} (fame.c) */
void board_profile(request *rq);

/* Does the caller see the board as the team (hidden items marked, names in history)? */
int board_is_team(const struct apijob *j);

#endif
