/* conn_drive.c - the connection's state machine: handshake, head, body, dispatch, answer out. */
#include "net/conn.h"
#include "net/conn_int.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "api/router.h"
#include "metrics/metrics.h"

#define READ_CHUNK 16384

/*
 * A client that sends plain HTTP to the TLS port gets a plain answer saying
 * so, rather than a silent close; anything else that is not a TLS record is
 * dropped. Returns 1 to go on with the handshake, 0 to wait, -1 closed.
 */
static int peek_tls(conn *c)
{
	static const char body[] =
		"{\"error\":{\"code\":\"tls_required\",\"message\":\"this port speaks HTTPS only\"}}";
	char plain[768];
	int len;
	unsigned char b;
	ssize_t n = recv(c->watch.fd, &b, 1, MSG_PEEK);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n == 1 && b == 0x16) { /* a TLS handshake record */
		c->peeked = 1;
		return 1;
	}
	if (n == 1 && b >= 'A' && b <= 'Z') {
		len = snprintf(plain, sizeof(plain),
			       "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
			       "Connection: close\r\nContent-Length: %zu\r\n" HTTP_SECURITY_HEADERS
			       "\r\n%s",
			       sizeof(body) - 1, body);
		(void)!send(c->watch.fd, plain, (size_t)len, MSG_NOSIGNAL);
	}
	conn_close(c);
	return -1;
}

/* Read what the socket has into `in`. 1 read something, 0 wait, -1 closed. */
static int read_more(conn *c)
{
	ssize_t n;
	int rc;

	rc = buf_reserve(&c->in, READ_CHUNK);
	if (rc == BUF_TOO_LARGE) {
		/* Only reachable when the framing itself overflows the ceiling. */
		rc = buf_reserve(&c->in, 1);
	}
	if (rc != BUF_OK) {
		conn_close(c);
		return -1;
	}
	n = tls_read(c->tls, c->in.p + c->in.len, c->in.cap - 1 - c->in.len);
	if (n > 0) {
		if (c->in.len == 0 && c->state == CONN_READ_HEAD)
			conn_set_deadline(c, cfg_of(c)->head_timeout_ms);
		if (!c->t_start)
			c->t_start = metrics_now_us();
		c->in.len += (size_t)n;
		c->in.p[c->in.len] = '\0';
		return 1;
	}
	if (n == TLS_WANT_READ || n == TLS_WANT_WRITE)
		return 0;
	conn_close(c);
	return -1;
}

/* The head is complete: check what it announces before reading a byte of body. */
static void on_head(conn *c)
{
	const config *cfg = cfg_of(c);

	c->body_len = 0;
	c->head_at = c->in.p;
	memset(&c->chunked, 0, sizeof(c->chunked));
	c->head_only = http_slice_eq(c->req.method, "HEAD");
	c->state = CONN_READ_BODY;
	conn_set_deadline(c, cfg->body_timeout_ms);
	if (c->req.content_length > (int64_t)cfg->max_body) {
		char msg[96];

		/* Answer at once and close: the body is never read. */
		snprintf(msg, sizeof(msg), "the body may be at most %zu bytes", cfg->max_body);
		conn_reply_error(c, 413, "too_large", msg, NULL);
		return;
	}
	if (c->req.expect_continue && (c->req.chunked || c->req.content_length > 0) &&
	    c->in.len == c->head_len) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		buf_append(&c->out, cont, sizeof(cont) - 1);
		c->out_off = 0;
	}
}

/* Try to write `out`. 1 all written, 0 wait, -1 closed. */
static int flush_out(conn *c)
{
	ssize_t n;

	while (c->out_off < c->out.len) {
		n = tls_write(c->tls, c->out.p + c->out_off, c->out.len - c->out_off);
		if (n > 0) {
			c->out_off += (size_t)n;
			c->sent += (uint64_t)n;
			continue;
		}
		if (n == TLS_WANT_READ || n == TLS_WANT_WRITE)
			return 0;
		conn_close(c);
		return -1;
	}
	buf_reset(&c->out);
	c->out_off = 0;
	return 1;
}

/* Is the body all here? 1 yes, 0 not yet, -1 answered with an error. */
static int body_ready(conn *c)
{
	const config *cfg = cfg_of(c);
	size_t avail = c->in.len - c->head_len;
	ssize_t rest;

	if (!c->req.chunked) {
		c->body_len = c->req.content_length > 0 ? (size_t)c->req.content_length : 0;
		return avail >= c->body_len;
	}
	if (avail == c->body_len)
		return 0;
	{
		size_t n = avail - c->body_len;
		char *p = c->in.p + c->head_len + c->body_len;

		rest = http_chunked_decode(&c->chunked, p, &n);
		if (rest == HTTP_ERROR) {
			conn_reply_error(c, 400, "bad_request", "malformed chunked body", NULL);
			return -1;
		}
		c->body_len += n;
		if (c->body_len > cfg->max_body) {
			conn_reply_error(c, 413, "too_large", "the body is too large", NULL);
			return -1;
		}
		if (rest == HTTP_INCOMPLETE) {
			c->in.len = c->head_len + c->body_len;
			return 0;
		}
		c->in.len = c->head_len + c->body_len + (size_t)rest;
		return 1;
	}
}

/* The whole request is here: undo the content coding and call the handler. */
static void dispatch(conn *c)
{
	request *rq = &c->rq;
	int status;

	/* Reading the body may have moved `in`: point the head's slices at where it is now. */
	if (http_parse_head(&c->req, c->in.p, c->head_len, &srv_of(c)->hlim, &status) !=
	    (ssize_t)c->head_len) {
		conn_reply_error(c, 400, "bad_request", "malformed request", NULL);
		return;
	}
	c->head_at = c->in.p;
	c->sentry = http_sentry_path(c->req.path);
	rq->body = c->in.p + c->head_len;
	rq->body_len = c->body_len;
	if (c->req.coding != HTTP_CODING_IDENTITY && c->body_len > 0) {
		char msg[64];
		int rc;

		buf_reset(&c->body);
		rc = http_decode(c->req.coding, rq->body, rq->body_len, &c->body);
		if (rc == BUF_TOO_LARGE) {
			conn_reply_error(c, 413, "too_large", "the inflated body is too large",
					 NULL);
			return;
		}
		if (rc != 0) {
			snprintf(msg, sizeof(msg), "the body is not valid %s",
				 http_coding_name(c->req.coding));
			conn_reply_error(c, 400, "bad_request", msg, NULL);
			return;
		}
		rq->body = c->body.p;
		rq->body_len = c->body.len;
	}
	auth_from_request(&rq->creds, &c->req, srv_of(c)->secret);
	c->state = CONN_DISPATCH;
	{
		/* A flood from one address is slowed down alone; everyone else goes on. */
		int wait = ratelimit_take(srv_of(c)->per_ip, c->peer, c->peer_len, loop_now(c->io->loop));

		if (wait) {
			metrics_rate_limited(METRICS_LIMIT_IP);
			conn_reply_error_retry(c, 429, "rate_limited",
					       "too many requests from this address; slow down",
					       NULL, wait);
			return;
		}
	}
	router_dispatch(rq);
	/* A handler either answered or parked the connection on the store. */
	assert(c->state == CONN_WRITE || c->state == CONN_WAIT_STORE);
}

/* The answer is out: drop this request's bytes and go on with the next. */
static void finish_request(conn *c)
{
	if (c->status)
		conn_request_done(c);
	if (c->close_after) {
		tls_close_notify(c->tls);
		shutdown(c->watch.fd, SHUT_WR);
		conn_close(c);
		return;
	}
	buf_consume(&c->in, c->head_len + c->body_len);
	c->head_only = 0;
	c->sentry = 0;
	c->head_len = 0;
	c->body_len = 0;
	c->state = CONN_READ_HEAD;
	if (c->in.len)
		c->t_start = metrics_now_us(); /* a pipelined request is here already */
	conn_set_deadline(c, c->in.len ? cfg_of(c)->head_timeout_ms : cfg_of(c)->idle_timeout_ms);
}

void conn_drive(conn *c)
{
	ssize_t n;
	int rc, status;

	for (;;) {
		switch (c->state) {
		case CONN_HANDSHAKE:
			if (!c->peeked && peek_tls(c) <= 0)
				return;
			rc = tls_handshake(c->tls);
			if (rc == TLS_WANT_READ || rc == TLS_WANT_WRITE)
				return;
			if (rc != TLS_OK) {
				conn_close(c);
				return;
			}
			metrics_tls(METRICS_TLS_DONE);
			c->state = CONN_READ_HEAD;
			conn_set_deadline(c, cfg_of(c)->idle_timeout_ms);
			break;
		case CONN_READ_HEAD:
			if (c->in.len > 0) {
				n = http_parse_head(&c->req, c->in.p, c->in.len, &srv_of(c)->hlim,
						    &status);
				if (n > 0) {
					c->head_len = (size_t)n;
					on_head(c);
					break;
				}
				if (n == HTTP_ERROR) {
					c->req.keep_alive = 0;
					c->head_only = http_slice_eq(c->req.method, "HEAD");
					if (c->req.error) {
						conn_reply_error(c, status, NULL, c->req.error,
								 c->req.error_field);
						break;
					}
					conn_reply_error(c, status, NULL,
							 status == 431 ? "request headers too large"
							 : status == 414 ? "request line too long"
							 : status == 505 ? "HTTP version not supported"
							 : status == 501 ? "unsupported content coding"
									 : "malformed request",
							 NULL);
					break;
				}
			}
			if (read_more(c) <= 0)
				return;
			break;
		case CONN_READ_BODY:
			if (c->out.len > c->out_off && flush_out(c) < 0) /* 100 Continue */
				return;
			rc = body_ready(c);
			if (rc > 0) {
				dispatch(c);
				break;
			}
			if (rc < 0)
				break;
			if (read_more(c) <= 0)
				return;
			break;
		case CONN_DISPATCH:
		case CONN_WAIT_STORE:
		case CONN_CLOSE:
			return;
		case CONN_WRITE:
			rc = flush_out(c);
			if (rc <= 0)
				return;
			if (c->more) {
				/* A streamed answer: ask for the next piece. */
				c->state = CONN_DISPATCH;
				c->more(c, c->more_ctx);
				assert(c->state == CONN_WRITE || c->state == CONN_WAIT_STORE);
				break;
			}
			finish_request(c);
			break;
		}
	}
}
