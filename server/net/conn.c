/* conn.c - a connection's life: accepted, woken by its events, closed, freed; idle ones tidied. */
#include "net/conn.h"
#include "net/conn_int.h"

#include <assert.h>
#include <malloc.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "metrics/metrics.h"
#include "net/reload.h"
#include "oplog.h"

#define CHUNKED_SLACK (64 * 1024) /* framing bytes allowed on top of the body limit */

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

void conn_close(conn *c)
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
		conn_request_done(c); /* the answer was cut short: still a line */
	c->state = CONN_CLOSE;
	conn_timeq_unlink(c);
	conn_stream_drop(c);
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
	conn_set_deadline_from(c, connected_at(fd), srv->cfg->handshake_timeout_ms);
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
