/* mail_api.h - the e-mail API: a person's address and follows, a tester's opt-in, one-click unsubscribe. */
#ifndef PROSUM_MAIL_API_H
#define PROSUM_MAIL_API_H

#include "api/router.h"

/* GET /api/v1/account/mail (a signed-in person): {"email": "..." | null, "follows":
 * [{"project","kind","group"}]} (kind "group" with group "G-3", "new_group", "regression"). */
void mail_api_account_get(request *rq);
/* PATCH /api/v1/account/mail {"email": "a@example.com" | null}: the same answer. */
void mail_api_account_patch(request *rq);
/* GET /api/v1/projects/{p}/follows (a person): {"items":[{"kind","group"}]}. */
void mail_api_follows(request *rq);
/* PUT / DELETE /api/v1/projects/{p}/follows/{what} (a person), what "G-3", "new_group" or
 * "regression": {"kind","group","following": true | false}. */
void mail_api_follow(request *rq);
void mail_api_unfollow(request *rq);
/* PUT /api/v1/projects/{p}/mail/tester {"email"} (ingest key + X-Prosum-Install, or a tester's
 * board session): the install asks for mail; DELETE: it no longer does; GET: {"email"|null}. */
void mail_api_tester_put(request *rq);
void mail_api_tester_delete(request *rq);
void mail_api_tester_get(request *rq);
/* GET /api/v1/mail/unsubscribe?t=TOKEN: a page that asks to confirm; POST (the form, or
 * RFC 8058 one-click "List-Unsubscribe=One-Click"): unsubscribed. No credential: the token is one. */
void mail_api_unsubscribe_page(request *rq);
void mail_api_unsubscribe(request *rq);

#endif
