/* server.h - the server context: listening socket, I/O threads, TLS, store; start and graceful stop. */
#ifndef PROSUM_SERVER_H
#define PROSUM_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "config.h"
#include "http/http.h"
#include "net/ratelimit.h"
#include "net/loop.h"
#include "model/report.h"
#include "store/store.h"
#include "net/tls.h"

typedef struct server server;
typedef struct io_thread io_thread;
struct conn;

/*
 * The connections of a thread whose deadlines are `ms` after they were set, in
 * the order they were set: since the clock only goes forward, each queue is
 * sorted by deadline, and the earliest deadline of a thread is at one of the
 * heads. One queue per timeout length in use (handshake, head, body, idle, write).
 */
#define IO_TIMEQS 8
struct io_timeq {
	int ms;
	struct conn *head, *tail;
};

/* One I/O thread: its own loop and the connections that live on it for their whole life. */
struct io_thread {
	server *srv;
	loop *loop;
	pthread_t thread;
	loop_watch listen;
	struct conn *conns;  /* live connections, for timeouts and shutdown */
	struct conn *closed; /* closed this round, freed before the next wait */
	int nconns;
	int stopping;
	int64_t stop_deadline;
	loop_task stop_task;
	struct io_timeq timeq[IO_TIMEQS];
};

/* Everything the threads share. Read-only once serving, apart from the atomics. */
struct server {
	_Atomic(const config *) cfg; /* replaced by a reload (reload.c), never freed while serving */
	tls_server *tls;             /* replaced by a reload: taken under reload.c's lock */
	store *store;
	uint8_t secret[PROSUM_SECRET_LEN];
	http_limits hlim;
	report_limits rlim;
	int listen_fd;
	char *attach_dir; /* DATA/attachments */
	ratelimit *per_ip;   /* request rate and connections per client address */
	ratelimit *per_key;  /* request rate per ingest key */
	ratelimit *signin_ip;   /* failed sign-ins and link uses per client address */
	ratelimit *signin_name; /* failed sign-ins per name */
	ratelimit *board_ip;      /* votes, suggestions and comments per client address */
	ratelimit *board_install; /* the same per install (tester), taken on the store threads */
	ratelimit *board_links;   /* board sign-in links per install */
	unsigned pbkdf2_iterations; /* work factor of new passwords and of the dummy hash */
	io_thread *io;
	int nio;
	atomic_int nconns;
	struct cfg_gen *gens; /* settings made by reloads (reload.c) */
};

/*
 * Serve with `cfg` until SIGTERM or SIGINT: open the store, load TLS, bind,
 * print "listening on https://HOST:PORT", run the I/O threads. On a signal,
 * stop accepting, finish the requests in flight, commit, and return 0.
 * Returns 1 with a message on stderr when it cannot start.
 */
int server_run(const config *cfg);

#endif
