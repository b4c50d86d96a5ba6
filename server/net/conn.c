/* conn.c - one client connection: TLS, reading requests, waiting for the store, writing answers. */
#include "net/conn.h"
#include "net/conn_int.h"

#include <assert.h>
#include <errno.h>
#include <malloc.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "api/router.h"
#include "metrics/metrics.h"
#include "net/accesslog.h"
#include "oplog.h"
#include "net/reload.h"

#define READ_CHUNK 16384
#define CHUNKED_SLACK (64 * 1024) /* framing bytes allowed on top of the body limit */

static server *srv_of(conn *c)
{
	return c->io->srv;
}

static const config *cfg_of(conn *c)
{
	return c->io->srv->cfg;
}

static void timeq_unlink(conn *c)
{
	struct io_timeq *q;

	if (!c->timeq)
		return;
	q = &c->io->timeq[c->timeq - 1];
	if (c->tq_prev)
		c->tq_prev->tq_next = c->tq_next;
	else
		q->head = c->tq_next;
	if (c->tq_next)
		c->tq_next->tq_prev = c->tq_prev;
	else
		q->tail = c->tq_prev;
	c->tq_prev = c->tq_next = NULL;
	c->timeq = 0;
}

/*
 * The deadline `ms` after `from` goes into the queue for `ms`, at its tail
 * unless `from` was before the last one's (then a few steps back): the queue
 * stays sorted. Should every queue be taken (more timeout lengths than
 * IO_TIMEQS), the connection is in none and conn_tick() alone closes it,
 * within a second.
 */
static void set_deadline_from(conn *c, int64_t from, int ms)
{
	io_thread *io = c->io;
	struct io_timeq *q;
	conn *after;
	int i, k = -1;

	timeq_unlink(c);
	c->deadline = from + ms;
	for (i = 0; i < IO_TIMEQS && k < 0; i++)
		if (io->timeq[i].ms == ms)
			k = i;
	for (i = 0; i < IO_TIMEQS && k < 0; i++)
		if (!io->timeq[i].head)
			k = i;
	if (k < 0)
		return;
	q = &io->timeq[k];
	q->ms = ms;
	/* By the deadline each was queued with: one cleared since (parked on the store) keeps
	 * its place until it reaches the head and is dropped. */
	for (after = q->tail; after && after->tq_at > c->deadline; after = after->tq_prev)
		;
	c->tq_prev = after;
	c->tq_next = after ? after->tq_next : q->head;
	if (c->tq_prev)
		c->tq_prev->tq_next = c;
	else
		q->head = c;
	if (c->tq_next)
		c->tq_next->tq_prev = c;
	else
		q->tail = c;
	c->tq_at = c->deadline;
	c->timeq = k + 1;
}

void conn_set_deadline(conn *c, int ms)
{
	set_deadline_from(c, loop_now(c->io->loop), ms);
}

/*
 * When TCP connected: the client has been waiting since, though the
 * connection may have sat in the listen queue before we accepted it. The
 * kernel counts the time since the last ACK it got, which for a connection
 * not yet read from is its last step of the TCP handshake or a later segment.
 */
static int64_t connected_at(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int64_t now = loop_clock_ms();

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    len < offsetof(struct tcp_info, tcpi_last_ack_recv) + sizeof(ti.tcpi_last_ack_recv))
		return now;
	return now - (ti.tcpi_last_ack_recv < 3600000 ? (int64_t)ti.tcpi_last_ack_recv : 0);
}

/* Handshakes that failed, and when the next line saying how many may be written. */
static atomic_uint_fast64_t tls_failed, tls_failed_said;
static atomic_llong tls_say_at;

#define TLS_FAIL_REPORT_MS 60000

/* At most once a minute, from whichever thread comes first: how many handshakes failed. */
static void tls_fail_report(int64_t now)
{
	long long at = atomic_load_explicit(&tls_say_at, memory_order_relaxed);
	uint_fast64_t all, said;

	if (now < at || !atomic_compare_exchange_strong(&tls_say_at, &at, now + TLS_FAIL_REPORT_MS))
		return;
	all = atomic_load(&tls_failed);
	said = atomic_exchange(&tls_failed_said, all);
	if (at > 0 && all > said)
		oplog(OPLOG_WARN, "tls_failures",
		      "%llu TLS handshakes failed or timed out in the last %d s (%llu since the start): "
		      "clients that do not trust the certificate, scanners, or a network problem",
		      (unsigned long long)(all - said), TLS_FAIL_REPORT_MS / 1000,
		      (unsigned long long)all);
}

/*
 * Memory after a burst. Each connection holds about 35 KiB while it lives (mbedTLS's two
 * record buffers, the struct), allocated by the I/O thread that accepted it, in that
 * thread's malloc arena. When thousands close, glibc keeps their freed chunks in the arenas
 * (only the top of the main heap is ever trimmed on its own), so RSS stays at the peak.
 * Once the open connections fell by TRIM_MIN_DROP and to half their peak or less,
 * malloc_trim(0) gives the free pages of every arena back to the system (madvise): one
 * call from one thread's tick, at most every TRIM_EVERY_MS. It holds each arena's lock
 * while it walks it, a few milliseconds for hundreds of megabytes, once after a burst.
 */
#define TRIM_MIN_DROP 512
#define TRIM_EVERY_MS 2000

static atomic_int conns_peak; /* the most connections open at once since the last trim */
static atomic_llong trim_after;

static void note_peak(int open)
{
	int peak = atomic_load_explicit(&conns_peak, memory_order_relaxed);

	while (open > peak && !atomic_compare_exchange_weak(&conns_peak, &peak, open))
		;
}

static void trim_after_burst(server *srv, int64_t now)
{
	int open = atomic_load_explicit(&srv->nconns, memory_order_relaxed);
	int peak = atomic_load_explicit(&conns_peak, memory_order_relaxed);
	long long at = atomic_load_explicit(&trim_after, memory_order_relaxed);

	if (now < at || peak - open < TRIM_MIN_DROP || open > peak / 2 ||
	    !atomic_compare_exchange_strong(&trim_after, &at, now + TRIM_EVERY_MS))
		return;
	atomic_store(&conns_peak, open);
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* The answer to a request is written (or the connection died under it): its metrics and
 * its access-log line, then the fields are ready for the next request. */
static void request_done(conn *c)
{
	server *srv = c->io->srv;
	uint64_t usec = c->t_start ? metrics_now_us() - c->t_start : 0;
	http_slice none = {"", 0};
	accesslog_entry e;
	const char *method, *pattern = NULL;
	int st;

	e.method = e.path = e.query = none;
	e.minor_version = 1;
	if (c->head_len > 0 && c->head_at != c->in.p &&
	    http_parse_head(&c->req, c->in.p, c->head_len, &srv->hlim, &st) != (ssize_t)c->head_len)
		c->head_len = 0; /* cannot be: the same bytes parsed before */
	if (c->head_len > 0) {
		c->head_at = c->in.p;
		e.method = c->req.method;
		e.path = c->req.path;
		e.query = c->req.query;
		e.minor_version = c->req.minor_version;
	}
	metrics_request(c->rq.route, c->status, usec);
	if (c->head_len > 0 && accesslog_is_ingest(e.method, e.path)) {
		http_slice project;
		int by_id;

		if (accesslog_project(e.path, &project, &by_id))
			metrics_ingest(project.p, project.len, by_id, c->status, c->reason);
	}
	if (oplog_on(OPLOG_INFO)) {
		if (router_route_info(c->rq.route, &method, &pattern) < 0)
			pattern = c->rq.route == METRICS_ROUTE_WEB ? "web" : NULL;
		e.client = c->addr;
		e.status = c->status;
		e.bytes = c->sent;
		e.usec = usec;
		e.route = pattern;
		e.id = c->rid ? c->rid : accesslog_next_id();
		accesslog_write(&e);
	}
	c->status = 0;
	c->t_start = 0;
	c->sent = 0;
	c->rid = 0;
	c->reason[0] = '\0';
	c->rq.route = METRICS_ROUTE_OTHER;
}

static void conn_close(conn *c)
{
	io_thread *io = c->io;

	if (c->state == CONN_CLOSE)
		return;
	assert(c->state != CONN_WAIT_STORE); /* the store task still points at us */
	if (c->state == CONN_HANDSHAKE && c->peeked) {
		metrics_tls(METRICS_TLS_FAILED);
		atomic_fetch_add(&tls_failed, 1);
		oplog(OPLOG_DEBUG, "tls_handshake",
		      "the TLS handshake with %s failed, timed out or was abandoned", c->addr);
	}
	if (c->status)
		request_done(c); /* the answer was cut short: still a line */
	c->state = CONN_CLOSE;
	timeq_unlink(c);
	if (c->more_free)
		c->more_free(c->more_ctx);
	c->more = NULL;
	c->more_free = NULL;
	loop_del(io->loop, &c->watch);
	close(c->watch.fd);
	c->watch.fd = -1;
	/* Move from the live list to the closed list: an event for it may still be pending. */
	if (c->prev)
		c->prev->next = c->next;
	else
		io->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = NULL;
	c->next = io->closed;
	io->closed = c;
	io->nconns--;
	atomic_fetch_sub(&io->srv->nconns, 1);
	ratelimit_conn_close(io->srv->per_ip, c->peer, c->peer_len);
}

void conn_reap(io_thread *io)
{
	conn *c, *next;

	for (c = io->closed; c; c = next) {
		next = c->next;
		tls_conn_free(c->tls);
		buf_free(&c->in);
		buf_free(&c->out);
		buf_free(&c->body);
		free(c);
	}
	io->closed = NULL;
}

static void on_event(loop *l, loop_watch *w, uint32_t events)
{
	conn *c = w->data;

	(void)l;
	if (c->state == CONN_CLOSE)
		return;
	if ((events & (EPOLLERR | EPOLLHUP)) && c->state != CONN_WAIT_STORE) {
		conn_close(c);
		return;
	}
	conn_drive(c);
}

/* The part of an address that names one client: an IPv4 address, an IPv6 /64. */
static unsigned peer_key(const struct sockaddr *sa, unsigned len, unsigned char out[16])
{
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 4;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 8);
		return 8;
	}
	return 0;
}

void conn_accept(io_thread *io, int fd, const struct sockaddr *peer, unsigned peer_len)
{
	server *srv = io->srv;
	unsigned char key[16];
	unsigned klen = peer_key(peer, peer_len, key);
	conn *c;
	int one = 1, open = atomic_fetch_add(&srv->nconns, 1) + 1;

	if (open > srv->cfg->max_connections) {
		atomic_fetch_sub(&srv->nconns, 1);
		close(fd);
		return;
	}
	note_peak(open);
	if (ratelimit_conn_open(srv->per_ip, key, klen) < 0) {
		/* One address may not hold every slot: refused before any TLS work. */
		atomic_fetch_sub(&srv->nconns, 1);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c || server_tls_conn_new(srv, &c->tls, fd) < 0) {
		free(c);
		ratelimit_conn_close(srv->per_ip, key, klen);
		atomic_fetch_sub(&srv->nconns, 1);
		close(fd);
		return;
	}
	memcpy(c->peer, key, sizeof(key));
	c->peer_len = klen;
	if (peer->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)peer)->sin6_addr, c->addr,
			  sizeof(c->addr));
	else if (peer->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)peer)->sin_addr, c->addr,
			  sizeof(c->addr));
	if (!c->addr[0])
		memcpy(c->addr, "-", 2);
	c->rq.route = METRICS_ROUTE_OTHER;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->watch.fd = fd;
	c->watch.fn = on_event;
	c->watch.data = c;
	c->io = io;
	c->state = CONN_HANDSHAKE;
	c->rq.conn = c;
	c->rq.io = io;
	c->rq.srv = srv;
	c->rq.store = srv->store;
	c->rq.attach_dir = srv->attach_dir;
	c->rq.rlim = &srv->rlim;
	c->rq.secret = srv->secret;
	c->rq.pbkdf2_iterations = srv->pbkdf2_iterations;
	c->rq.public_url = srv->cfg->public_url;
	c->rq.board_install = srv->board_install;
	c->rq.board_links = srv->board_links;
	c->rq.http = &c->req;
	buf_init(&c->in, srv->cfg->max_header_bytes + srv->cfg->max_body + CHUNKED_SLACK);
	buf_init(&c->out, PROSUM_MAX_ANSWER);
	buf_init(&c->body, srv->cfg->max_body);
	c->next = io->conns;
	if (io->conns)
		io->conns->prev = c;
	io->conns = c;
	io->nconns++;
	set_deadline_from(c, connected_at(fd), srv->cfg->handshake_timeout_ms);
	if (loop_add(io->loop, &c->watch, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET) < 0) {
		conn_close(c);
		return;
	}
	conn_drive(c);
}

void conn_tick(io_thread *io)
{
	int64_t now = loop_now(io->loop);
	conn *c, *next;

	tls_fail_report(now);
	trim_after_burst(io->srv, now);
	for (c = io->conns; c; c = next) {
		next = c->next;
		if (c->deadline && now >= c->deadline) {
			conn_close(c);
			continue;
		}
		/* Between requests a connection keeps no buffers: idle ones cost little. */
		if (c->state == CONN_READ_HEAD && c->in.len == 0 && c->in.cap) {
			buf_free(&c->in);
			buf_free(&c->out);
			buf_free(&c->body);
		}
	}
}

/* The earliest deadline of the queue heads; drops those whose deadline was cleared. 0 for none. */
static int64_t timeq_first(io_thread *io)
{
	int64_t first = 0;
	int i;

	for (i = 0; i < IO_TIMEQS; i++) {
		conn *c = io->timeq[i].head;

		while (c && !c->deadline) { /* parked on the store since */
			timeq_unlink(c);
			c = io->timeq[i].head;
		}
		if (c && (!first || c->deadline < first))
			first = c->deadline;
	}
	return first;
}

static void on_deadline(loop *l, void *data)
{
	io_thread *io = data;
	int64_t now = loop_now(l);
	int i;

	for (i = 0; i < IO_TIMEQS; i++) {
		conn *c;

		while ((c = io->timeq[i].head) && (!c->deadline || c->deadline <= now)) {
			if (c->deadline)
				conn_close(c); /* unlinks it */
			else
				timeq_unlink(c);
		}
	}
}

void conn_arm_timer(io_thread *io)
{
	loop_set_timer(io->loop, timeq_first(io), on_deadline, io);
}

void conn_close_idle(io_thread *io, int force)
{
	conn *c, *next;

	for (c = io->conns; c; c = next) {
		next = c->next;
		if (c->state == CONN_HANDSHAKE || (c->state == CONN_READ_HEAD && c->in.len == 0) ||
		    (force && c->state != CONN_WAIT_STORE))
			conn_close(c);
	}
}

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
		if (c->more_free)
			c->more_free(c->more_ctx);
		c->more = NULL;
		c->more_free = NULL;
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
		request_done(c);
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
