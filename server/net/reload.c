/* reload.c - SIGHUP: the settings that can change while serving, and the certificate. */
#include "net/reload.h"

#include "oplog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/notify.h"

/*
 * Settings replaced by a reload. The I/O threads read srv->cfg at any time
 * and a connection keeps pointers into it (public_url), so a generation is
 * never freed while serving: each is a few hundred bytes, one per reload.
 */
struct cfg_gen {
	config cfg;
	struct cfg_gen *prev;
};

/* Guards srv->tls while a new connection takes a reference to it, and its replacement. */
static pthread_mutex_t tls_lock = PTHREAD_MUTEX_INITIALIZER;

int server_tls_conn_new(server *srv, tls_conn **out, int fd)
{
	tls_server *t;
	int rc;

	pthread_mutex_lock(&tls_lock);
	t = srv->tls;
	tls_server_ref(t);
	pthread_mutex_unlock(&tls_lock);
	rc = tls_conn_new(out, t, fd);
	tls_server_free(t);
	return rc;
}

/* A setting applied while serving: said when it changed. */
static int applied(const char *name, double was, double now)
{
	if (was == now)
		return 0;
	fprintf(stderr, "prosumd: reload: %s %.0f -> %.0f\n", name, was, now);
	return 1;
}

/* A setting read only at the start: a change is said, and the running value stays. */
static int restart_str(const char *name, char **field, const char *running)
{
	const char *want = *field ? *field : "(not set)";

	if ((!*field && !running) || (*field && running && strcmp(*field, running) == 0))
		return 0;
	fprintf(stderr, "prosumd: reload: %s %s -> %s needs a restart; still %s\n", name,
		running ? running : "(not set)", want, running ? running : "(not set)");
	return config_set(field, running) < 0 ? -1 : 1;
}

static int restart_int(const char *name, int *field, int running)
{
	if (*field == running)
		return 0;
	fprintf(stderr, "prosumd: reload: %s %d -> %d needs a restart; still %d\n", name, running,
		*field, running);
	*field = running;
	return 1;
}

/* The certificate and key of `c`: its --cert/--key, else the data directory's. 0 or -1. */
static int load_tls(const config *c, tls_server **out)
{
	char err[512];
	char *cert = c->cert_file ? strdup(c->cert_file) : config_path(c, "tls/cert.pem");
	char *key = c->key_file ? strdup(c->key_file) : config_path(c, "tls/key.pem");
	int rc = -1;

	*out = NULL;
	if (!cert || !key)
		fprintf(stderr, "prosumd: reload: out of memory\n");
	else if (tls_server_new(out, cert, key, err, sizeof(err)) < 0)
		fprintf(stderr, "prosumd: reload: %s\n", err);
	else
		rc = 0;
	free(cert);
	free(key);
	return rc;
}

void server_reload(server *srv)
{
	const config *cur = srv->cfg;
	struct cfg_gen *g = calloc(1, sizeof(*g));
	tls_server *t = NULL, *old = NULL;
	struct timespec now;
	char what[1024];
	int changed = 0, restart = 0, rc;

	clock_gettime(CLOCK_MONOTONIC, &now);
	notify_send("RELOADING=1\nMONOTONIC_USEC=%llu",
		    (unsigned long long)now.tv_sec * 1000000ULL +
			(unsigned long long)now.tv_nsec / 1000ULL);
	fprintf(stderr, "prosumd: reload: reading the settings again (SIGHUP)\n");
	if (!g || !cur->reload) {
		fprintf(stderr, "prosumd: reload: %s\n", g ? "no settings to read" : "out of memory");
		goto fail;
	}
	if (cur->reload(&g->cfg) < 0) {
		config_free(&g->cfg);
		goto fail;
	}
	g->cfg.reload = cur->reload;
	/* Read only at the start. */
	if ((rc = restart_str("data", &g->cfg.data_dir, cur->data_dir)) < 0 ||
	    (restart += rc, rc = restart_str("listen", &g->cfg.listen, cur->listen)) < 0 ||
	    (restart += rc, rc = restart_str("public-url", &g->cfg.public_url, cur->public_url)) <
		0) {
		config_free(&g->cfg);
		goto fail;
	}
	restart += rc;
	restart += restart_int("threads", &g->cfg.threads, cur->threads);
	restart += restart_int("write-queue", &g->cfg.write_queue, cur->write_queue);
	if (g->cfg.log_format != cur->log_format) {
		fprintf(stderr, "prosumd: reload: log-format %s -> %s needs a restart; still %s\n",
			oplog_format_name(cur->log_format), oplog_format_name(g->cfg.log_format),
			oplog_format_name(cur->log_format));
		g->cfg.log_format = cur->log_format;
		restart++;
	}
	if ((!g->cfg.log_file) != (!cur->log_file) ||
	    (g->cfg.log_file && strcmp(g->cfg.log_file, cur->log_file) != 0)) {
		fprintf(stderr, "prosumd: reload: log-file needs a restart; the log stays where it is\n");
		if (config_set(&g->cfg.log_file, cur->log_file) < 0) {
			config_free(&g->cfg);
			goto fail;
		}
		restart++;
	}
	if (load_tls(&g->cfg, &t) < 0) {
		config_free(&g->cfg);
		goto fail;
	}
	/* Applied from now on. */
	changed += applied("rate-ip", cur->rate_ip, g->cfg.rate_ip);
	changed += applied("rate-key", cur->rate_key, g->cfg.rate_key);
	changed += applied("conns-per-ip", cur->conns_per_ip, g->cfg.conns_per_ip);
	changed += applied("max-connections", cur->max_connections, g->cfg.max_connections);
	changed += applied("idle-timeout", cur->idle_timeout_ms, g->cfg.idle_timeout_ms);
	changed += applied("handshake-timeout", cur->handshake_timeout_ms,
			   g->cfg.handshake_timeout_ms);
	changed += applied("request-timeout (head)", cur->head_timeout_ms, g->cfg.head_timeout_ms);
	changed += applied("request-timeout (body)", cur->body_timeout_ms, g->cfg.body_timeout_ms);
	if (g->cfg.log_level != cur->log_level) {
		fprintf(stderr, "prosumd: reload: log-level %s -> %s\n",
			oplog_level_name(cur->log_level), oplog_level_name(g->cfg.log_level));
		changed++;
	}
	oplog_set_level(g->cfg.log_level);
	if ((!g->cfg.metrics_token) != (!cur->metrics_token) ||
	    (g->cfg.metrics_token && strcmp(g->cfg.metrics_token, cur->metrics_token) != 0)) {
		fprintf(stderr, "prosumd: reload: metrics-token changed\n"); /* never the token */
		changed++;
	}
	ratelimit_set(srv->per_ip, g->cfg.rate_ip, g->cfg.rate_ip * PROSUM_BURST_SECONDS,
		      g->cfg.conns_per_ip);
	ratelimit_set(srv->per_key, g->cfg.rate_key, g->cfg.rate_key * PROSUM_BURST_SECONDS, 0);
	/* Every setting of the new generation is read through it, flags of other layers too. */
	g->prev = srv->gens;
	srv->gens = g;
	srv->cfg = &g->cfg;
	g = NULL;

	pthread_mutex_lock(&tls_lock);
	if (tls_server_same(srv->tls, t)) {
		old = t; /* the same chain: the running one (and its ticket keys) stays */
	} else {
		old = srv->tls;
		srv->tls = t;
		changed++;
	}
	pthread_mutex_unlock(&tls_lock);
	if (old == t) {
		fprintf(stderr, "prosumd: reload: certificate unchanged\n");
	} else {
		tls_server_describe(t, what, sizeof(what));
		fprintf(stderr,
			"prosumd: reload: certificate now %s (new handshakes; open connections "
			"keep theirs)\n",
			what);
	}
	tls_server_free(old);
	fprintf(stderr, "prosumd: reload: done: %d change%s applied, %d needing a restart\n",
		changed, changed == 1 ? "" : "s", restart);
	notify_send("READY=1\nSTATUS=reloaded: %d change%s applied, %d needing a restart", changed,
		    changed == 1 ? "" : "s", restart);
	return;
fail:
	free(g);
	fprintf(stderr, "prosumd: reload: refused; nothing changed\n");
	notify_send("READY=1\nSTATUS=reload refused; nothing changed");
}

void server_reload_free(server *srv)
{
	struct cfg_gen *g = srv->gens, *prev;

	for (; g; g = prev) {
		prev = g->prev;
		config_free(&g->cfg);
		free(g);
	}
	srv->gens = NULL;
}
