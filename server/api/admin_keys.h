/* admin_keys.h - a project's ingest keys over the API: list, add (to rotate), revoke. */
#ifndef PROSUM_ADMIN_KEYS_H
#define PROSUM_ADMIN_KEYS_H

#include "api/router.h"

/* GET /api/v1/projects/{p}/keys (admin): {"items":[{"key","created_at","revoked_at","dsn"}]}. */
void admin_keys_list(request *rq);
/* POST /api/v1/projects/{p}/keys (admin): 201 the new key with its DSN. */
void admin_keys_add(request *rq);
/* DELETE /api/v1/projects/{p}/keys/{key} (admin): the key, revoked; builds that ship it can
 * no longer submit. */
void admin_keys_revoke(request *rq);

#endif
