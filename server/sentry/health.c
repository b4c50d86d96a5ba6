/* health.c - the envelope items kept for release health and intake counts (not stored yet). */
#include "sentry/health.h"

sentry_health *sentry_health_parse(const sentry_envelope *env)
{
	(void)env;
	return NULL;
}

int sentry_health_apply(store_db *db, int64_t project_id, const sentry_health *h, int64_t now)
{
	(void)db;
	(void)project_id;
	(void)h;
	(void)now;
	return STORE_OK;
}

void sentry_health_free(sentry_health *h)
{
	(void)h;
}
