/* dispatcher.h - the webhook sender thread: outbox events to deliveries, deliveries to receivers. */
#ifndef PROSUM_DISPATCHER_H
#define PROSUM_DISPATCHER_H

#include "store/store.h"

typedef struct dispatcher dispatcher;

/* The first retry waits this long (then twice as long each time, plus jitter up to as much
 * again); $PROSUM_TEST_WEBHOOK_BASE_MS changes it, for tests only. */
#define DISPATCHER_BASE_MS 30000
/* No wait is longer than this, and retries end this long after the delivery was made. */
#define DISPATCHER_MAX_WAIT_MS (6 * 3600 * 1000LL)
#define DISPATCHER_GIVE_UP_MS (24 * 3600 * 1000LL)

/*
 * Start the thread on the store `st` (which must outlive dispatcher_stop()). allow_private:
 * serve --webhook-allow-private. public_url: the server's https://HOST[:PORT] that the links
 * in bodies are made under (copied), when each delivery is sent. 0, or -1 with a message on
 * stderr.
 */
int dispatcher_start(dispatcher **out, store *st, int allow_private, const char *public_url);
/* Stop the thread (a request in flight is abandoned, its delivery stays pending), free it.
 * Before store_stop(). NULL is fine. */
void dispatcher_stop(dispatcher *d);

/* The earliest time of the retry after attempt `attempt` (1 for the first) failed, as
 * milliseconds after the failure: base * 2^(attempt-1), at most DISPATCHER_MAX_WAIT_MS. The
 * sender adds a random jitter of up to as much again. */
int64_t dispatcher_backoff_ms(int64_t base_ms, int64_t attempt);

#endif
