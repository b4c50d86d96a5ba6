/* conn_int.h - the connection's fields, and what the conn*.c files share; not the interface. */
#ifndef PROSUM_CONN_INT_H
#define PROSUM_CONN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "api/router.h"
#include "config.h"
#include "net/conn.h"

/* The one state field of a connection, and the one switch on it in conn_drive(). */
enum conn_state {
	CONN_HANDSHAKE,  /* TLS handshake (after a peek that the client speaks TLS at all) */
	CONN_READ_HEAD,  /* waiting for a complete request head */
	CONN_READ_BODY,  /* head parsed, reading (and decoding) the body */
	CONN_DISPATCH,   /* the handler is running on this thread */
	CONN_WAIT_STORE, /* a store job is out; the connection is parked */
	CONN_WRITE,      /* writing the answer */
	CONN_CLOSE       /* closed; freed before the loop waits again */
};

struct conn {
	loop_watch watch;
	io_thread *io;
	tls_conn *tls;
	enum conn_state state;
	int peeked;          /* the first byte was seen to be a TLS record */
	buf in;              /* raw bytes: head, then the body (chunked decoded in place), then more */
	buf out;             /* the answer being written */
	size_t out_off;
	buf body;            /* the inflated body of a gzip request */
	size_t head_len;     /* bytes of the parsed head in `in` */
	size_t body_len;     /* bytes of (decoded) body after the head */
	http_chunked chunked;
	http_request req;
	request rq;
	int64_t deadline;    /* monotonic ms; 0 for none */
	int timeq;           /* 1 + the index of the deadline queue it is in; 0 for none */
	int64_t tq_at;       /* the deadline it was queued with; `deadline` may be cleared since */
	conn *tq_prev, *tq_next;
	conn_more_fn more;   /* a streamed answer wants more once `out` is written */
	void (*more_free)(void *ctx);
	void *more_ctx;
	int close_after;     /* close once `out` is written */
	int head_only;       /* a HEAD request: answers carry their headers but no content */
	int sentry;          /* a Sentry ingest path: answers carry the CORS headers */
	unsigned char peer[16]; /* the client's address (an IPv6 one cut to its /64) */
	unsigned peer_len;
	char addr[48];       /* the client's whole address, as text, for the log */
	/* The request being answered, for its log line and metrics (net/conn.c request_done()): */
	int status;          /* of the answer queued; 0 before one is */
	uint64_t t_start;    /* monotonic us of its first byte */
	uint64_t sent;       /* bytes of the answer written */
	uint64_t rid;        /* its id, 0 until one is needed */
	const char *head_at; /* where `in` was when req's slices were made */
	char reason[24];     /* the error code answered, or "queue_full" */
	conn *prev, *next;
};

static inline server *srv_of(conn *c)
{
	return c->io->srv;
}

static inline const config *cfg_of(conn *c)
{
	return c->io->srv->cfg;
}

/* conn_drive.c: run the connection's state machine until it waits for the network or the
 * store, or closes. */
void conn_drive(conn *c);
/* conn.c: close the connection (once; never one parked on the store): its log line when an
 * answer was under way, off the loop and the deadline queues, onto io->closed for
 * conn_reap() to free. */
void conn_close(conn *c);
/* conn_deadline.c: close the connection unless it makes progress within ms from now, or
 * from `from` (monotonic ms). */
void conn_set_deadline(conn *c, int ms);
void conn_set_deadline_from(conn *c, int64_t from, int ms);
/* conn_deadline.c: take the connection out of its deadline queue (none: nothing). */
void conn_timeq_unlink(conn *c);
/* conn_stream.c: the streamed answer's producer is done with (if there is one): its
 * free_ctx called, no more pieces asked for. */
void conn_stream_drop(conn *c);
/* conn_log.c: the answer to a request is written (or the connection died under it): its
 * metrics and its access-log line, then the fields are ready for the next request. */
void conn_request_done(conn *c);

#endif
