/* idle_conns.c - open N TLS connections to a server, finish their handshakes, hold them idle until told, then close them. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>

/*
 * Usage: idle_conns HOST PORT N [HOLD-SECONDS] [full]
 *
 * Opens N connections, at most INFLIGHT handshakes at a time, all non-blocking.
 * The first connection does a full handshake; the others resume its session
 * (a session ticket), unless "full" is given: the server keeps the same state
 * for a resumed connection as for a new one, and resuming spares both sides
 * the public-key work, so ten thousand connections open in seconds.
 *
 * Prints "BENCH established E", "BENCH failed F", "BENCH resumed R",
 * "BENCH open_seconds S", then "BENCH ready 1" and holds the connections
 * until SIGTERM or SIGINT (or HOLD-SECONDS, default 120). It then counts the
 * connections the server has not closed meanwhile ("BENCH alive A") and closes
 * them all. Exit status 0 when every connection was established and alive.
 */

#define INFLIGHT 256
#define OPEN_DEADLINE_S 120.0

enum cstate { C_CONNECTING, C_HANDSHAKE, C_OPEN, C_FAILED };

typedef struct cn {
	mbedtls_ssl_context ssl;
	mbedtls_net_context net;
	enum cstate state;
	short want;        /* poll events the next step waits for */
	int full;          /* the server went through ServerKeyExchange: not resumed */
} cn;

typedef struct client {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_config conf;
	mbedtls_ssl_session session;
	int have_session;
	struct sockaddr_in addr;
} client;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report_err(const char *what, int ret)
{
	char msg[128];

	mbedtls_strerror(ret, msg, sizeof(msg));
	fprintf(stderr, "idle_conns: %s: %s (-0x%04x)\n", what, msg, (unsigned)-ret);
}

/* Start one connection: socket, non-blocking connect, TLS state. 0 or -1. */
static int cn_start(client *cl, cn *c)
{
	int fd, one = 1, ret;

	mbedtls_ssl_init(&c->ssl);
	mbedtls_net_init(&c->net);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "idle_conns: socket: %s\n", strerror(errno));
		return -1;
	}
	c->net.fd = fd;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ret = mbedtls_ssl_setup(&c->ssl, &cl->conf);
	if (ret != 0) {
		report_err("mbedtls_ssl_setup", ret);
		return -1;
	}
	if (cl->have_session && (ret = mbedtls_ssl_set_session(&c->ssl, &cl->session)) != 0) {
		report_err("mbedtls_ssl_set_session", ret);
		return -1;
	}
	mbedtls_ssl_set_bio(&c->ssl, &c->net, mbedtls_net_send, mbedtls_net_recv, NULL);
	if (connect(fd, (struct sockaddr *)&cl->addr, sizeof(cl->addr)) == 0) {
		c->state = C_HANDSHAKE;
		c->want = POLLOUT;
		return 0;
	}
	if (errno != EINPROGRESS) {
		fprintf(stderr, "idle_conns: connect: %s\n", strerror(errno));
		return -1;
	}
	c->state = C_CONNECTING;
	c->want = POLLOUT;
	return 0;
}

/* Move one connection on after a poll event. */
static void cn_step(cn *c)
{
	int ret, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (c->state == C_CONNECTING) {
		if (getsockopt(c->net.fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
			fprintf(stderr, "idle_conns: connect: %s\n", strerror(soerr ? soerr : errno));
			c->state = C_FAILED;
			return;
		}
		c->state = C_HANDSHAKE;
	}
	for (;;) {
		if (c->ssl.state == MBEDTLS_SSL_SERVER_KEY_EXCHANGE)
			c->full = 1;
		if (c->ssl.state == MBEDTLS_SSL_HANDSHAKE_OVER) {
			c->state = C_OPEN;
			return;
		}
		ret = mbedtls_ssl_handshake_step(&c->ssl);
		if (ret == MBEDTLS_ERR_SSL_WANT_READ) {
			c->want = POLLIN;
			return;
		}
		if (ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
			c->want = POLLOUT;
			return;
		}
		if (ret != 0) {
			report_err("handshake", ret);
			c->state = C_FAILED;
			return;
		}
	}
}

static void cn_close(cn *c)
{
	if (c->state == C_OPEN)
		(void)mbedtls_ssl_close_notify(&c->ssl); /* best effort, never waits */
	mbedtls_net_free(&c->net);
	mbedtls_ssl_free(&c->ssl);
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Has the server closed (or written on) this idle connection? */
static int cn_alive(const cn *c)
{
	struct pollfd p = {.fd = c->net.fd, .events = POLLIN};

	if (c->state != C_OPEN)
		return 0;
	if (poll(&p, 1, 0) < 0)
		return 0;
	return p.revents == 0;
}

int main(int argc, char **argv)
{
	static const char pers[] = "prosum idle_conns";
	client cl;
	cn *conns = NULL;
	struct pollfd *pfd = NULL;
	int *pidx = NULL;
	long port, n, hold = 120, i;
	long next = 0, inflight = 0, established = 0, failed = 0, resumed = 0, alive = 0;
	int full_only = 0, ret, status = 1, sig;
	struct rlimit rl;
	sigset_t sigs;
	double t0, t1;

	if (argc < 4 || argc > 6 || parse_long(argv[2], 1, 65535, &port) < 0 ||
	    parse_long(argv[3], 1, 1000000, &n) < 0 ||
	    (argc >= 5 && parse_long(argv[4], 1, 3600, &hold) < 0) ||
	    (argc == 6 && strcmp(argv[5], "full") != 0)) {
		fprintf(stderr, "usage: idle_conns HOST PORT N [HOLD-SECONDS] [full]\n");
		return 2;
	}
	full_only = argc == 6;

	/* Signals are taken with sigwait() while holding; block them from the start. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGALRM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && (rlim_t)n + 16 > rl.rlim_cur) {
		fprintf(stderr, "idle_conns: %ld connections need more than %llu descriptors\n", n,
			(unsigned long long)rl.rlim_cur);
		return 1;
	}

	memset(&cl, 0, sizeof(cl));
	cl.addr.sin_family = AF_INET;
	cl.addr.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, argv[1], &cl.addr.sin_addr) != 1) {
		fprintf(stderr, "idle_conns: HOST must be an IPv4 address, not '%s'\n", argv[1]);
		return 2;
	}
	mbedtls_entropy_init(&cl.entropy);
	mbedtls_ctr_drbg_init(&cl.drbg);
	mbedtls_ssl_config_init(&cl.conf);
	mbedtls_ssl_session_init(&cl.session);
	conns = calloc((size_t)n, sizeof(*conns));
	pfd = calloc(INFLIGHT, sizeof(*pfd));
	pidx = calloc(INFLIGHT, sizeof(*pidx));
	if (!conns || !pfd || !pidx) {
		fprintf(stderr, "idle_conns: out of memory\n");
		goto out;
	}
	ret = mbedtls_ctr_drbg_seed(&cl.drbg, mbedtls_entropy_func, &cl.entropy,
				    (const unsigned char *)pers, sizeof(pers) - 1);
	if (ret == 0)
		ret = mbedtls_ssl_config_defaults(&cl.conf, MBEDTLS_SSL_IS_CLIENT,
						  MBEDTLS_SSL_TRANSPORT_STREAM,
						  MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret != 0) {
		report_err("TLS set-up", ret);
		goto out;
	}
	/* What is measured is the server's memory per connection, not who it is. */
	mbedtls_ssl_conf_authmode(&cl.conf, MBEDTLS_SSL_VERIFY_NONE);
	mbedtls_ssl_conf_rng(&cl.conf, mbedtls_ctr_drbg_random, &cl.drbg);
	mbedtls_ssl_conf_min_version(&cl.conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(&cl.conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_session_tickets(&cl.conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);

	t0 = now_s();
	while (established + failed < n) {
		long k = 0;

		/* The first connection alone, so the others can resume its session. */
		while (next < n && inflight < INFLIGHT &&
		       (next == 0 || established + failed > 0 || full_only)) {
			cn *c = &conns[next++];

			if (cn_start(&cl, c) < 0) {
				c->state = C_FAILED;
				failed++;
				continue;
			}
			inflight++;
		}
		for (i = 0; i < next && k < INFLIGHT; i++) {
			if (conns[i].state == C_CONNECTING || conns[i].state == C_HANDSHAKE) {
				pfd[k].fd = conns[i].net.fd;
				pfd[k].events = conns[i].want;
				pfd[k].revents = 0;
				pidx[k++] = (int)i;
			}
		}
		if (k == 0)
			continue;
		if (poll(pfd, (nfds_t)k, 1000) < 0 && errno != EINTR) {
			fprintf(stderr, "idle_conns: poll: %s\n", strerror(errno));
			goto out;
		}
		for (i = 0; i < k; i++) {
			cn *c = &conns[pidx[i]];

			if (!pfd[i].revents)
				continue;
			cn_step(c);
			if (c->state == C_OPEN) {
				established++;
				inflight--;
				if (!c->full)
					resumed++;
				if (!full_only && !cl.have_session &&
				    mbedtls_ssl_get_session(&c->ssl, &cl.session) == 0)
					cl.have_session = 1;
			} else if (c->state == C_FAILED) {
				failed++;
				inflight--;
			}
		}
		if (now_s() - t0 > OPEN_DEADLINE_S) {
			fprintf(stderr, "idle_conns: gave up after %.0f s\n", OPEN_DEADLINE_S);
			break;
		}
	}
	t1 = now_s();
	printf("BENCH established %ld\n", established);
	printf("BENCH failed %ld\n", failed + (n - established - failed));
	printf("BENCH resumed %ld\n", resumed);
	printf("BENCH open_seconds %.3f\n", t1 - t0);
	printf("BENCH ready 1\n");
	fflush(stdout);

	alarm((unsigned)hold);
	sig = 0;
	sigwait(&sigs, &sig);

	for (i = 0; i < n; i++)
		alive += cn_alive(&conns[i]);
	printf("BENCH alive %ld\n", alive);
	printf("BENCH held_until %s\n", sig == SIGALRM ? "timeout" : "signal");
	fflush(stdout);
	status = established == n && alive == n ? 0 : 1;
out:
	if (conns)
		for (i = 0; i < next; i++)
			cn_close(&conns[i]);
	free(conns);
	free(pfd);
	free(pidx);
	mbedtls_ssl_session_free(&cl.session);
	mbedtls_ssl_config_free(&cl.conf);
	mbedtls_ctr_drbg_free(&cl.drbg);
	mbedtls_entropy_free(&cl.entropy);
	return status;
}
