/* sender.h - background delivery of the spool: retries with backoff, Retry-After, flush. */
#ifndef PROSUM_CLIENT_SENDER_H
#define PROSUM_CLIENT_SENDER_H

#include <stdint.h>

#include "prosum.h"

/* A client's background sender. The client's inside (lib/client.h) is for sender.c alone. */
typedef struct sender sender;

/*
 * Make the sender of client `c` (which must outlive it). Unless the client
 * has PROSUM_NO_SENDER, a thread starts that delivers the spool at once and
 * then whenever woken. Caller owns *out (sender_stop()).
 * PROSUM_ENOMEM, PROSUM_ERROR (no thread).
 */
int sender_start(sender **out, prosum_client *c);

/* Stop the thread (a transfer in flight ends when c->cancel is set) and free. NULL is fine. */
void sender_stop(sender *s);

/* A report was queued: deliver it unless the sender is backing off. */
void sender_wake(sender *s);

/* prosum_flush(): see prosum.h. */
int sender_flush(sender *s, long timeout_ms);

/*
 * How an answer is treated. Exposed for tests.
 * SENDER_DONE: delete the spool file (2xx, or a 4xx about the report itself:
 * 400, 409, 413, 415, 422, ...);
 * SENDER_RETRY: keep it and try again later (401, 403, 404: the key or the
 * project is wrong until someone fixes it; 408, 429, 5xx, anything else).
 */
#define SENDER_DONE 0
#define SENDER_RETRY 1
int sender_classify(long status);

/* The delay before retry number `attempt` (1, 2, ...): exponential, capped, with jitter. */
unsigned int sender_backoff_ms(unsigned int attempt, uint32_t random);

#endif
