/* conn_stream.c - streamed answers (exports): chunked framing of pieces made on demand. */
#include "net/conn.h"
#include "net/conn_int.h"

#include <stddef.h>

/* Append one chunk of a streamed answer; 0, or -1 when it cannot be framed. */
static int stream_chunk(conn *c, const char *data, size_t len)
{
	if (len == 0)
		return 0;
	if (buf_printf(&c->out, "%zx\r\n", len) != BUF_OK ||
	    buf_append(&c->out, data, len) != BUF_OK || buf_append(&c->out, "\r\n", 2) != BUF_OK)
		return -1;
	return 0;
}

void conn_stream_drop(conn *c)
{
	if (c->more_free)
		c->more_free(c->more_ctx);
	c->more = NULL;
	c->more_free = NULL;
	c->more_ctx = NULL;
}

/* After a piece of a stream was queued: write it, driving the connection when a store task queued it. */
static void stream_queued(conn *c, enum conn_state was, int ok)
{
	if (!ok) {
		/* Cannot frame the rest: cut the answer short; the client sees it incomplete. */
		conn_stream_drop(c);
		c->close_after = 1;
	}
	c->state = CONN_WRITE;
	conn_set_deadline(c, c->io->srv->cfg->write_timeout_ms);
	if (was == CONN_WAIT_STORE)
		conn_drive(c);
}

void conn_stream_start(conn *c, int status, const char *content_type, const char *first,
		       size_t len, conn_more_fn more, void (*free_ctx)(void *ctx), void *ctx)
{
	enum conn_state was = c->state;
	int keep = c->req.keep_alive && !c->io->stopping;

	if (!keep)
		c->close_after = 1;
	c->status = status;
	c->out_off = 0;
	c->more = more;
	c->more_free = free_ctx;
	c->more_ctx = ctx;
	if (c->head_only) {
		/* HEAD: the head alone (RFC 9112 6.1 lets it name the chunked coding GET
		 * would use); no piece of the stream is ever made. */
		conn_stream_drop(c);
		len = 0;
	}
	stream_queued(c, was,
		      buf_printf(&c->out,
				 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
				 "Transfer-Encoding: chunked\r\nConnection: %s\r\n"
				 HTTP_SECURITY_HEADERS "\r\n",
				 status, http_reason(status), content_type,
				 keep ? "keep-alive" : "close") == BUF_OK &&
			      (c->head_only || stream_chunk(c, first, len) == 0));
}

void conn_stream_write(conn *c, const char *data, size_t len)
{
	stream_queued(c, c->state, stream_chunk(c, data, len) == 0);
}

void conn_stream_abort(conn *c)
{
	stream_queued(c, c->state, 0);
}

void conn_stream_end(conn *c, const char *last, size_t len)
{
	enum conn_state was = c->state;
	int ok = stream_chunk(c, last, len) == 0 && buf_append(&c->out, "0\r\n\r\n", 5) == BUF_OK;

	conn_stream_drop(c);
	stream_queued(c, was, ok);
}
