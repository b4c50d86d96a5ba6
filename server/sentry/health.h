/* health.h - the envelope items kept for release health and intake counts: session, sessions,
 * client_report, and the item types prosum accepts but does not store (counted as dropped). */
#ifndef PROSUM_SENTRY_HEALTH_H
#define PROSUM_SENTRY_HEALTH_H

#include <stdint.h>

#include "sentry/envelope.h"
#include "store/store.h"

/* Aggregate buckets (entries of `sessions` items' aggregates) taken per envelope; more are
 * counted as invalid. SDKs send one per minute and attributes. */
#define SENTRY_HEALTH_BUCKETS_MAX 1000

typedef struct sentry_health sentry_health;

/*
 * Read the health and count items of env on the connection's thread. NULL when the envelope
 * holds none (only items other code stores: event, attachment, user_report, feedback), else a
 * value the caller owns and frees with sentry_health_free(). Malformed items of these types
 * are counted, never refused. NULL also when out of memory (nothing is counted then).
 */
sentry_health *sentry_health_parse(const sentry_envelope *env);

/*
 * Store h for project_id inside the writer's transaction, at time now: session updates
 * (store_health_session(): older than five days or more than a day ahead are ignored and
 * counted, a client clock off by over 55 minutes corrected by the envelope's sent_at),
 * aggregates, client discards and the item counts. A STORE_* code.
 */
int sentry_health_apply(store_db *db, int64_t project_id, const sentry_health *h, int64_t now);

/* The ingest key the envelope came with (copied; NULL or "" when none): a session's cohort is
 * resolved with it (store_cohort_resolve(): the install's, else the key's, else the
 * environment's). */
void sentry_health_set_key(sentry_health *h, const char *key);

/* Release h (NULL accepted). */
void sentry_health_free(sentry_health *h);

#endif
