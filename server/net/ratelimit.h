/* ratelimit.h - token buckets and connection counts per client address and per ingest key, shared by the I/O threads. */
#ifndef PROSUM_RATELIMIT_H
#define PROSUM_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

/*
 * A fixed-size table (no allocation after ratelimit_new) of buckets, keyed by a
 * seeded hash of the client's address or key, so a flood of new addresses
 * cannot grow it or aim at one slot. When the table is full of busy entries a
 * newcomer is let through rather than refused: the limits protect the
 * service, they must not become the outage. Thread-safe (striped locks).
 */
typedef struct ratelimit ratelimit;

/* rate: requests per second refilled; burst: bucket size. rate 0 disables the buckets;
 * max_conns 0 disables the connection count. 0, or -1 when out of memory. */
int ratelimit_new(ratelimit **out, double rate, double burst, int max_conns);
void ratelimit_free(ratelimit *l);
/* New limits for every key from now on (a reload); buckets keep their tokens, up to the new
 * burst. Connections are counted even while max_conns is 0, so a limit set later holds
 * the connections already open to it. Thread-safe. */
void ratelimit_set(ratelimit *l, double rate, double burst, int max_conns);

/* Take one request from the bucket of `key`. 0 allowed; else the seconds to wait (>= 1). */
int ratelimit_take(ratelimit *l, const void *key, size_t len, int64_t now_ms);

/* Give one request back to the bucket of `key` (up to its burst): for limits that count
 * only failures, such as sign-in attempts. */
void ratelimit_give(ratelimit *l, const void *key, size_t len, int64_t now_ms);

/* Count a connection in (ratelimit_conn_open) and out (ratelimit_conn_close) for `key` (only
 * the table that is given connections, per client address, counts them).
 * ratelimit_conn_open returns 0, or -1 when the key already has max_conns (not counted then). */
int ratelimit_conn_open(ratelimit *l, const void *key, size_t len);
void ratelimit_conn_close(ratelimit *l, const void *key, size_t len);

#endif
