/* admin_webhooks.h - a project's webhooks over the API: add, list, change, remove, test, log. */
#ifndef PROSUM_ADMIN_WEBHOOKS_H
#define PROSUM_ADMIN_WEBHOOKS_H

#include "api/router.h"

/*
 * All admin. A webhook answers as {"id","url","events":[...],"format","enabled",
 * "disabled_reason","created_at"}; "secret" only in the answer that made or rotated it.
 */
/* POST /api/v1/projects/{p}/webhooks {"url","events","secret"?,"format"?}: 201. */
void admin_webhooks_add(request *rq);
/* GET /api/v1/projects/{p}/webhooks: {"items":[...]}. */
void admin_webhooks_list(request *rq);
/* GET /api/v1/projects/{p}/webhooks/{id}. */
void admin_webhook_get(request *rq);
/* PATCH /api/v1/projects/{p}/webhooks/{id} {"url"?,"events"?,"secret"? (null: a new one),
 * "format"?,"enabled"?}. */
void admin_webhook_patch(request *rq);
/* DELETE /api/v1/projects/{p}/webhooks/{id}: {"removed":id}; its log goes with it. */
void admin_webhook_delete(request *rq);
/* POST /api/v1/projects/{p}/webhooks/{id}/test {"message"?}: 202 {"event":"evt_N"}, a test
 * event for this webhook alone, recorded in the outbox. */
void admin_webhook_test(request *rq);
/* GET /api/v1/projects/{p}/webhooks/{id}/deliveries?limit=N: {"items":[...]}, newest first. */
void admin_webhook_deliveries(request *rq);
/* POST /api/v1/projects/{p}/webhooks/{id}/deliveries/{d}/redeliver: 202 {"delivery":id}. */
void admin_webhook_redeliver(request *rq);

#endif
