/* admin_tokens.h - API tokens over the API: list, create (the token shown once), revoke. */
#ifndef PROSUM_ADMIN_TOKENS_H
#define PROSUM_ADMIN_TOKENS_H

#include "api/router.h"

/* GET /api/v1/tokens (admin): {"items":[{"id","role","name","project","created_at",
 * "revoked_at"}]}, never a token or its hash. An admin limited to a project sees the
 * tokens limited to it alone. */
void admin_tokens_list(request *rq);
/* POST /api/v1/tokens {"role","name","project"?} (admin): 201 with "token", the only time
 * it is shown; only its keyed hash is stored. An admin limited to a project makes tokens
 * limited to it only. */
void admin_tokens_add(request *rq);
/* DELETE /api/v1/tokens/{id} (admin): the token, revoked. */
void admin_tokens_revoke(request *rq);

#endif
