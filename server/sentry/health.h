/* health.h - the envelope items kept for release health and intake counts: session, sessions,
 * client_report, and the item types prosum accepts but does not store (counted as dropped). */
#ifndef PROSUM_SENTRY_HEALTH_H
#define PROSUM_SENTRY_HEALTH_H

#include <stdint.h>

#include "sentry/envelope.h"
#include "store/store.h"

typedef struct sentry_health sentry_health;

/*
 * Read the health and count items of env on the connection's thread. NULL when the envelope
 * holds none (nothing to store), else a value the caller owns and frees with
 * sentry_health_free(). Malformed items of these types are counted, never refused.
 */
sentry_health *sentry_health_parse(const sentry_envelope *env);

/* Store h for project_id inside the writer's transaction: a STORE_* code. */
int sentry_health_apply(store_db *db, int64_t project_id, const sentry_health *h, int64_t now);

/* Release h (NULL accepted). */
void sentry_health_free(sentry_health *h);

#endif
