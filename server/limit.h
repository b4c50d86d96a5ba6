/* limit.h - token buckets and connection counts per client address and per ingest key, shared by the I/O threads. */
#ifndef PROSUM_LIMIT_H
#define PROSUM_LIMIT_H

#include <stddef.h>
#include <stdint.h>

/*
 * A fixed-size table (no allocation after limit_new) of buckets, keyed by a
 * seeded hash of the client's address or key, so a flood of new addresses
 * cannot grow it or aim at one slot. When the table is full of busy entries a
 * newcomer is let through rather than refused: the limits protect the
 * service, they must not become the outage. Thread-safe (striped locks).
 */
typedef struct limit limit;

/* rate: requests per second refilled; burst: bucket size. rate 0 disables the buckets;
 * max_conns 0 disables the connection count. 0, or -1 when out of memory. */
int limit_new(limit **out, double rate, double burst, int max_conns);
void limit_free(limit *l);

/* Take one request from the bucket of `key`. 0 allowed; else the seconds to wait (>= 1). */
int limit_take(limit *l, const void *key, size_t len, int64_t now_ms);

/* Count a connection in (limit_conn_open) and out (limit_conn_close) for `key`.
 * limit_conn_open returns 0, or -1 when the key already has max_conns (not counted then). */
int limit_conn_open(limit *l, const void *key, size_t len);
void limit_conn_close(limit *l, const void *key, size_t len);

#endif
