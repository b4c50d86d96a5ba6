/* server.c - the server context: listening socket, I/O threads, TLS, store; start and graceful stop. */
#include "net/server.h"

#include <curl/curl.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/auth.h"
#include "api/password.h"
#include "api/releases.h"
#include "net/conn.h"
#include "git/repo.h"
#include "oplog.h"
#include "net/notify.h"
#include "net/reload.h"
#include "notify/dispatcher.h"
#include "notify/mail.h"

#define STOP_GRACE_MS 10000

static void on_accept(loop *l, loop_watch *w, uint32_t events)
{
	io_thread *io = w->data;
	int i, fd;

	(void)l;
	(void)events;
	/* A bounded number per wake-up, so one thread cannot take every connection. */
	for (i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		fd = accept4(w->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN: another thread took it; other errors: try on the next wake */
		conn_accept(io, fd, (struct sockaddr *)&ss, sl);
	}
}

static void on_tick(loop *l, void *data)
{
	io_thread *io = data;

	conn_tick(io);
	if (!io->stopping)
		return;
	/* Past the grace period, only requests the store still owes an answer may stay. */
	conn_close_idle(io, loop_now(l) >= io->stop_deadline);
	if (io->nconns == 0)
		loop_stop(l);
}

static void before_sleep(loop *l, void *data)
{
	(void)l;
	conn_reap(data);
	conn_arm_timer(data);
}

static void on_stop(loop_task *t)
{
	io_thread *io = (io_thread *)((char *)t - offsetof(io_thread, stop_task));

	io->stopping = 1;
	io->stop_deadline = loop_now(io->loop) + STOP_GRACE_MS;
	loop_del(io->loop, &io->listen);
	conn_close_idle(io, 0);
	loop_set_tick(io->loop, 50, on_tick, io);
	if (io->nconns == 0)
		loop_stop(io->loop);
}

static void *io_main(void *arg)
{
	io_thread *io = arg;

	if (loop_run(io->loop) < 0)
		fprintf(stderr, "prosumd: event loop failed: %s\n", strerror(errno));
	conn_reap(io);
	return NULL;
}

/* Split HOST:PORT or [HOST]:PORT. */
static int split_listen(const char *s, char *host, size_t hostsz, char *port, size_t portsz)
{
	const char *colon;
	size_t hl;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':')
			return -1;
		hl = (size_t)(end - s - 1);
		s++;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostsz || strlen(colon + 1) == 0 || strlen(colon + 1) >= portsz)
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	memcpy(port, colon + 1, strlen(colon + 1) + 1);
	return 0;
}

static int bind_listen(const char *listen_addr, char *shown, size_t shownsz)
{
	struct addrinfo hints = {0}, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], port[16], nhost[NI_MAXHOST], nport[NI_MAXSERV];
	int fd = -1, one = 1, rc;

	if (split_listen(listen_addr, host, sizeof(host), port, sizeof(port)) < 0) {
		fprintf(stderr, "prosumd: --listen wants HOST:PORT, not '%s'\n", listen_addr);
		return -1;
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0) {
		fprintf(stderr, "prosumd: %s: %s\n", listen_addr, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 4096) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, nhost, sizeof(nhost), nport, sizeof(nport),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		fprintf(stderr, "prosumd: cannot listen on %s: %s\n", listen_addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	snprintf(shown, shownsz, strchr(nhost, ':') ? "[%s]:%s" : "%s:%s", nhost, nport);
	return fd;
}

/* The e-mail channel serve --smtp-url asks for: 0 and *out, or -1 having said why. */
static int mail_serve(const config *cfg, const char *db_path, mail_channel **out)
{
	mail_config mc = {0};
	char err[512], password[1024] = "";
	FILE *f;
	size_t n;

	if (config_mail_check(cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "prosumd: %s\n", err);
		return -1;
	}
	if (cfg->smtp_password_file) {
		f = fopen(cfg->smtp_password_file, "r");
		if (!f) {
			fprintf(stderr, "prosumd: --smtp-password-file: cannot read %s: %s\n",
				cfg->smtp_password_file, strerror(errno));
			return -1;
		}
		n = fread(password, 1, sizeof(password) - 1, f);
		fclose(f);
		password[n] = '\0';
		password[strcspn(password, "\r\n")] = '\0'; /* the first line */
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	mc.db_path = db_path;
	mc.smtp_url = cfg->smtp_url;
	mc.from = cfg->smtp_from;
	mc.user = cfg->smtp_user;
	mc.password = cfg->smtp_password_file ? password : NULL;
	mc.public_url = cfg->public_url;
	mc.interval = cfg->mail_interval > 0 ? cfg->mail_interval : MAIL_INTERVAL_DEFAULT;
	if (mail_start(out, &mc, err, sizeof(err)) < 0) {
		fprintf(stderr, "prosumd: %s\n", err);
		return -1;
	}
	memset(password, 0, sizeof(password));
	return 0;
}

int server_run(const config *cfg)
{
	server srv;
	char err[512], shown[300], base[310];
	char *db_path = NULL, *cert = NULL, *key = NULL, *secret = NULL;
	sigset_t sigs;
	mail_channel *mail = NULL;
	int i, sig, started = 0, status = 1;
	dispatcher *webhooks = NULL; /* the webhook sender */

	memset(&srv, 0, sizeof(srv));
	srv.cfg = cfg;
	srv.listen_fd = -1;
	srv.hlim.max_request_line = PROSUM_MAX_REQUEST_LINE;
	srv.hlim.max_header_bytes = cfg->max_header_bytes;
	srv.hlim.max_headers = cfg->max_headers;
	srv.rlim.max_json = cfg->max_json;
	srv.rlim.max_frames = cfg->max_frames;
	srv.rlim.max_tags = cfg->max_tags;
	srv.rlim.max_field = PROSUM_MAX_FIELD;

	/* Signals are taken by this thread alone, with sigwait(); every other thread blocks them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP); /* reopen the log file, read the settings again */
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file size limit makes writes fail with EFBIG, a full disk like any other. */
	signal(SIGXFSZ, SIG_IGN);
	repo_global_init();

	db_path = config_path(cfg, "prosum.db");
	srv.attach_dir = config_path(cfg, "attachments");
	secret = config_path(cfg, "secret");
	cert = cfg->cert_file ? strdup(cfg->cert_file) : config_path(cfg, "tls/cert.pem");
	key = cfg->key_file ? strdup(cfg->key_file) : config_path(cfg, "tls/key.pem");
	if (!db_path || !secret || !cert || !key || !srv.attach_dir) {
		fprintf(stderr, "prosumd: out of memory\n");
		goto out;
	}
	if (access(db_path, F_OK) < 0) {
		char why[1024];

		if (config_db_unreachable(db_path, why, sizeof(why)))
			fprintf(stderr, "prosumd: %s\n", why);
		else
			fprintf(stderr,
				"prosumd: %s has no database: run 'prosumd init --data %s' first\n",
				cfg->data_dir, cfg->data_dir);
		goto out;
	}
	/* Bursts of a few seconds' worth are let through at once; a sustained flood is not. */
	if (ratelimit_new(&srv.per_ip, cfg->rate_ip, cfg->rate_ip * PROSUM_BURST_SECONDS,
			  cfg->conns_per_ip) < 0 ||
	    ratelimit_new(&srv.per_key, cfg->rate_key, cfg->rate_key * PROSUM_BURST_SECONDS, 0) <
		0) {
		fprintf(stderr, "prosumd: out of memory\n");
		goto out;
	}
	if (ratelimit_new(&srv.signin_ip, PROSUM_SIGNIN_RATE_IP, PROSUM_SIGNIN_BURST_IP, 0) < 0 ||
	    ratelimit_new(&srv.signin_name, PROSUM_SIGNIN_RATE_NAME, PROSUM_SIGNIN_BURST_NAME, 0) <
		0) {
		fprintf(stderr, "prosumd: out of memory\n");
		goto out;
	}
	if (ratelimit_new(&srv.board_ip, PROSUM_BOARD_RATE_IP, PROSUM_BOARD_BURST_IP, 0) < 0 ||
	    ratelimit_new(&srv.board_install, PROSUM_BOARD_RATE_INSTALL, PROSUM_BOARD_BURST_INSTALL,
			  0) < 0 ||
	    ratelimit_new(&srv.board_links, PROSUM_BOARD_LINK_RATE, PROSUM_BOARD_LINK_BURST, 0) < 0) {
		fprintf(stderr, "prosumd: out of memory\n");
		goto out;
	}
	srv.pbkdf2_iterations = password_iterations_from_env();
	if (access(cfg->data_dir, W_OK) < 0) {
		/* Serving reports that cannot be kept would be worse than not serving. */
		fprintf(stderr, "prosumd: %s is not writable (%s): reports could not be stored\n",
			cfg->data_dir, strerror(errno));
		goto out;
	}
	if (auth_load_secret(secret, 0, srv.secret, err, sizeof(err)) < 0 ||
	    tls_server_new(&srv.tls, cert, key, err, sizeof(err)) < 0 ||
	    store_start(&srv.store, db_path, cfg->readers, cfg->write_queue, cfg->write_batch, err,
			sizeof(err)) < 0) {
		fprintf(stderr, "prosumd: %s\n", err);
		goto out;
	}
	if (cfg->smtp_url && mail_serve(cfg, db_path, &mail) < 0)
		goto out;
	srv.listen_fd = bind_listen(cfg->listen, shown, sizeof(shown));
	if (srv.listen_fd < 0)
		goto out;

	srv.nio = cfg->threads > 0 ? cfg->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (srv.nio < 1)
		srv.nio = 1;
	srv.io = calloc((size_t)srv.nio, sizeof(*srv.io));
	if (!srv.io)
		goto out;
	for (i = 0; i < srv.nio; i++) {
		io_thread *io = &srv.io[i];

		io->srv = &srv;
		io->stop_task.fn = on_stop;
		if (loop_new(&io->loop) < 0)
			goto out;
		io->listen.fd = srv.listen_fd;
		io->listen.fn = on_accept;
		io->listen.data = io;
		/* One listening socket in every loop; EPOLLEXCLUSIVE wakes one thread per connection. */
		if (loop_add(io->loop, &io->listen, EPOLLIN | EPOLLEXCLUSIVE) < 0)
			goto out;
		loop_set_tick(io->loop, 1000, on_tick, io);
		loop_set_before_sleep(io->loop, before_sleep, io);
	}
	for (i = 0; i < srv.nio; i++) {
		if (pthread_create(&srv.io[i].thread, NULL, io_main, &srv.io[i]) != 0) {
			fprintf(stderr, "prosumd: cannot start I/O threads\n");
			break;
		}
		started++;
	}
	if (started == srv.nio) {
		printf("listening on https://%s\n", shown);
		fflush(stdout);
		notify_send("READY=1\nSTATUS=listening on https://%s", shown);
		/* Reports of a data directory from before the fix checks get theirs now. */
		releases_fix_checks_start(srv.store, srv.io[0].loop);
		/* Links in webhook bodies: --public-url, else the address listened on (as the
		 * DSN of `project add` without --public-url). */
		snprintf(base, sizeof(base), "https://%s", shown);
		dispatcher_start(&webhooks, srv.store, cfg->webhook_allow_private,
				 cfg->public_url ? cfg->public_url : base);
		do {
			sig = 0;
			sigwait(&sigs, &sig);
			if (sig == SIGHUP) {
				oplog_reopen();
				server_reload(&srv);
			}
		} while (sig != SIGTERM && sig != SIGINT);
		notify_send("STOPPING=1");
		fprintf(stderr, "prosumd: stopping: finishing requests in flight\n");
		status = 0;
	}
	for (i = 0; i < started; i++)
		loop_post(srv.io[i].loop, &srv.io[i].stop_task);
	for (i = 0; i < started; i++)
		pthread_join(srv.io[i].thread, NULL);
out:
	/* Before the store: a delivery in flight is left pending, sent after a restart. */
	dispatcher_stop(webhooks);
	mail_stop(mail);
	/* The store drains its queue and commits before it stops. */
	store_stop(srv.store);
	repo_global_shutdown();
	if (srv.io)
		for (i = 0; i < srv.nio; i++) {
			/* Background jobs' last tasks: one that would queue the next job of its
			 * chain is told the store stopped, so the store is freed only after. */
			if (srv.io[i].loop)
				loop_drain(srv.io[i].loop);
			loop_free(srv.io[i].loop);
		}
	store_free(srv.store);
	free(srv.io);
	if (srv.listen_fd >= 0)
		close(srv.listen_fd);
	tls_server_free(srv.tls);
	ratelimit_free(srv.per_ip);
	ratelimit_free(srv.per_key);
	ratelimit_free(srv.signin_ip);
	ratelimit_free(srv.signin_name);
	ratelimit_free(srv.board_ip);
	ratelimit_free(srv.board_install);
	ratelimit_free(srv.board_links);
	free(db_path);
	free(srv.attach_dir);
	server_reload_free(&srv);
	free(secret);
	free(cert);
	free(key);
	return status;
}
