/* conn_reply.c - a request's answer queued (JSON, errors), or the request parked on the store. */
#include "net/conn.h"
#include "net/conn_int.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "net/accesslog.h"
#include "oplog.h"

/* Queue an answer and switch to writing. */
static void queue_reply(conn *c, int status, const char *content_type, const char *body,
			size_t len, const char *extra)
{
	int keep = c->req.keep_alive && !c->close_after && !c->io->stopping;
	buf headers;

	if (status == 400 || status == 408 || status == 413 || status == 414 || status == 431 ||
	    status == 501 || status == 505)
		keep = 0; /* the framing of what follows cannot be trusted */
	if (!keep)
		c->close_after = 1;
	c->status = status;
	/* Every answer carries the security headers, before the handler's own. */
	buf_init(&headers, sizeof(HTTP_SECURITY_HEADERS) + sizeof(HTTP_CORS_SENTRY_HEADERS) +
				   (extra ? strlen(extra) : 0));
	if (buf_puts(&headers, HTTP_SECURITY_HEADERS) != BUF_OK ||
	    (c->sentry && buf_puts(&headers, HTTP_CORS_SENTRY_HEADERS) != BUF_OK) ||
	    (extra && buf_puts(&headers, extra) != BUF_OK))
		buf_reset(&headers);
	/* RFC 9110 9.3.2: the answer to HEAD has the headers GET would have, no content. */
	if (headers.len == 0 ||
	    http_write_head(&c->out, status, content_type, len, keep, headers.p) != BUF_OK ||
	    (!c->head_only && buf_append(&c->out, body, len) != BUF_OK)) {
		buf_reset(&c->out);
		c->close_after = 1;
		http_write_head(&c->out, 500, NULL, 0, 0, HTTP_SECURITY_HEADERS);
	}
	buf_free(&headers);
	c->out_off = 0;
	c->state = CONN_WRITE;
	conn_set_deadline(c, cfg_of(c)->write_timeout_ms);
}

void conn_reply(conn *c, int status, const char *content_type, const char *body, size_t len,
		const char *extra_headers)
{
	enum conn_state was = c->state;

	assert(was == CONN_DISPATCH || was == CONN_WAIT_STORE || was == CONN_READ_HEAD ||
	       was == CONN_READ_BODY);
	queue_reply(c, status, content_type, body, len, extra_headers);
	/* From a store task nothing else will drive the connection. */
	if (was == CONN_WAIT_STORE)
		conn_drive(c);
}

void conn_reply_json(conn *c, int status, const json_t *body)
{
	buf b;

	buf_init(&b, PROSUM_MAX_ANSWER);
	if (http_dump_json(&b, body) != BUF_OK) {
		buf_free(&b);
		conn_reply_error(c, 500, "internal_error", "the answer could not be built", NULL);
		return;
	}
	conn_reply(c, status, "application/json", b.p, b.len, NULL);
	buf_free(&b);
}

void conn_reply_error_retry(conn *c, int status, const char *code, const char *message,
			    const char *field, int retry_after)
{
	json_t *v = http_error_body(code ? code : http_error_code(status), message, field);
	char extra[96] = "";
	buf b;

	snprintf(c->reason, sizeof(c->reason), "%s", code ? code : http_error_code(status));
	if (retry_after > 0 && c->sentry && (status == 429 || status == 503))
		http_sentry_retry_headers(extra, sizeof(extra), retry_after); /* a Sentry SDK backs off */
	else if (retry_after > 0)
		snprintf(extra, sizeof(extra), "Retry-After: %d\r\n", retry_after);
	buf_init(&b, PROSUM_MAX_ERROR_ANSWER);
	if (!v || http_dump_json(&b, v) != BUF_OK)
		buf_puts(&b, "{\"error\":{\"code\":\"internal_error\",\"message\":\"\"}}");
	json_decref(v);
	conn_reply(c, status, "application/json", b.p, b.len, extra[0] ? extra : NULL);
	buf_free(&b);
}

void conn_reply_error(conn *c, int status, const char *code, const char *message,
		      const char *field)
{
	conn_reply_error_retry(c, status, code, message, field,
			       status == 503 || status == 429 ? 1 : 0);
}

int conn_submit(conn *c, store_job *job)
{
	int rc;

	job->owner = c->io->loop;
	rc = store_submit(srv_of(c)->store, job);
	if (rc == STORE_OK) {
		c->state = CONN_WAIT_STORE;
		c->deadline = 0; /* the store answers; no timeout may free us meanwhile */
		return 0;
	}
	if (c->more) {
		/* Mid-stream there is no status left to send: cut the answer short, and
		 * the missing last chunk tells the client it is incomplete. */
		conn_stream_drop(c);
		c->close_after = 1;
		c->state = CONN_WRITE;
		return -1;
	}
	{
		static atomic_int busy_said;
		http_error_answer st = http_error_of(rc == STORE_BUSY ? STORE_BUSY : STORE_STOPPED);

		conn_reply_error_retry(c, st.status, st.code, st.message, NULL, st.retry_after);
		if (rc == STORE_BUSY) {
			memcpy(c->reason, "queue_full", sizeof("queue_full"));
			if (!c->rid)
				c->rid = accesslog_next_id();
			oplog_limited(&busy_said, OPLOG_WARN, "store_busy",
				      "the write queue is full (%d jobs wait for the writer): answering "
				      "503 with Retry-After (request %016llx); the disk is too slow for "
				      "the load, or --write-queue too small",
				      cfg_of(c)->write_queue, (unsigned long long)c->rid);
		}
	}
	return -1;
}
