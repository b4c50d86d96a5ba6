/* conn.h - one client connection: TLS, reading requests, waiting for the store, writing answers. */
#ifndef PROSUM_CONN_H
#define PROSUM_CONN_H

#include <jansson.h>
#include <stddef.h>

#include "net/server.h"
#include "store/store.h"

typedef struct conn conn;

struct sockaddr;
/* Take an accepted non-blocking socket onto `io`'s loop; closes fd when refused
 * (too many connections in all or from that address) or on failure. */
void conn_accept(io_thread *io, int fd, const struct sockaddr *peer, unsigned peer_len);
/* Drop idle buffers; close connections whose deadline passed (conn_arm_timer()'s timer
 * does that on time; this is the backstop). Called by the loop's tick. */
void conn_tick(io_thread *io);
/* Have the loop wake when the next deadline of `io`'s connections passes, and close
 * those whose deadline passed then. Call before each wait (after the round's events). */
void conn_arm_timer(io_thread *io);
/* Free the connections closed during this round of events. */
void conn_reap(io_thread *io);
/* Shutting down: close connections between requests, so the rest finish first;
 * with `force`, every connection not waiting on the store. */
void conn_close_idle(io_thread *io, int force);

/*
 * Answer the request being served. The body is copied. After the answer is
 * written the connection reads the next request, or closes when the client
 * asked for it, the server is stopping, or the status was a fatal framing
 * error. These may be called from the handler itself or from the done task of
 * a store job the handler submitted.
 */
void conn_reply(conn *c, int status, const char *content_type, const char *body, size_t len,
		const char *extra_headers);
void conn_reply_json(conn *c, int status, const json_t *body);
void conn_reply_error(conn *c, int status, const char *code, const char *message,
		      const char *field);
/* The same with "Retry-After: retry_after" when it is > 0. */
void conn_reply_error_retry(conn *c, int status, const char *code, const char *message,
			    const char *field, int retry_after);
/* Answer 429 to a Sentry SDK: the JSON error, the CORS headers, "Retry-After: seconds" and
 * "X-Sentry-Rate-Limits: seconds::organization" (for the rate limiter, or a full write queue
 * when the SDK should back off). Every 429 or 503 with a Retry-After on a Sentry ingest path
 * carries the same headers already (conn_reply_error_retry). */
void conn_reply_sentry_limited(conn *c, int seconds, const char *message);
/* Take a request from the bucket of an ingest key: 0, or -1 after answering 429. */
int conn_rate_key(conn *c, const char *key);
/* A sign-in attempt (or a one-time link's use, name NULL): take one from the buckets of the
 * client's address and of the name; 0, or -1 after answering 429 with Retry-After. */
int conn_rate_signin(conn *c, const char *name);
/* The attempt succeeded: give both back, so only failures count. */
void conn_rate_signin_ok(conn *c, const char *name);
/* A vote, suggestion or comment on the board: take one from the bucket of the client's
 * address; 0, or -1 after answering 429 with Retry-After. */
int conn_rate_board(conn *c);

/*
 * Streamed answers (exports), in constant memory: conn_stream_start() queues
 * the head (chunked transfer coding) and the first piece; each time what was
 * queued has been written, more(c, ctx) is called to produce the next piece
 * (usually by submitting a store job whose done task calls conn_stream_write()
 * or, at the end, conn_stream_end()). If the connection dies first,
 * free_ctx(ctx) is called instead; it is also called after conn_stream_end().
 */
typedef void (*conn_more_fn)(conn *c, void *ctx);
void conn_stream_start(conn *c, int status, const char *content_type, const char *first,
		       size_t len, conn_more_fn more, void (*free_ctx)(void *ctx), void *ctx);
void conn_stream_write(conn *c, const char *data, size_t len);
/* Cut the stream short (the store failed): no last chunk, the connection closes,
 * and the client knows the answer is incomplete. */
void conn_stream_abort(conn *c);
/* The last piece (may be empty) and the end of the stream. */
void conn_stream_end(conn *c, const char *last, size_t len);

/*
 * Hand a job to the store on behalf of the request of `c` and park the
 * connection until its done task answers. Sets job->owner. Returns 0; or -1
 * after answering 503 itself (queue full or stopping), and the caller then
 * frees the job, which will never run.
 */
int conn_submit(conn *c, store_job *job);

#endif
