/* config.c - defaults, limits and the data directory layout of prosumd. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int config_set(char **field, const char *value)
{
	char *copy = NULL;

	if (value) {
		copy = strdup(value);
		if (!copy)
			return -1;
	}
	free(*field);
	*field = copy;
	return 0;
}

int config_init(config *c)
{
	const char *env = getenv("PROSUM_DATA");

	memset(c, 0, sizeof(*c));
	c->threads = 0;
	c->readers = PROSUM_READERS;
	c->max_header_bytes = PROSUM_MAX_HEADER_BYTES;
	c->max_headers = PROSUM_MAX_HEADERS;
	c->max_json = PROSUM_MAX_JSON;
	c->max_body = PROSUM_MAX_BODY;
	c->max_frames = PROSUM_MAX_FRAMES;
	c->max_tags = PROSUM_MAX_TAGS;
	c->handshake_timeout_ms = PROSUM_HANDSHAKE_TIMEOUT_MS;
	c->head_timeout_ms = PROSUM_HEAD_TIMEOUT_MS;
	c->body_timeout_ms = PROSUM_BODY_TIMEOUT_MS;
	c->idle_timeout_ms = PROSUM_IDLE_TIMEOUT_MS;
	c->write_timeout_ms = PROSUM_WRITE_TIMEOUT_MS;
	c->max_connections = PROSUM_MAX_CONNECTIONS;
	c->write_queue = PROSUM_WRITE_QUEUE;
	c->write_batch = PROSUM_WRITE_BATCH;
	c->rate_ip = PROSUM_RATE_IP;
	c->rate_key = PROSUM_RATE_KEY;
	c->conns_per_ip = PROSUM_CONNS_PER_IP;
	c->log_level = 2; /* OPLOG_INFO */
	c->mail_interval = 3600;
	if (config_set(&c->data_dir, env && *env ? env : "./prosum-data") < 0 ||
	    config_set(&c->listen, PROSUM_DEFAULT_LISTEN) < 0) {
		config_free(c);
		return -1;
	}
	return 0;
}

void config_free(config *c)
{
	if (!c)
		return;
	free(c->data_dir);
	free(c->listen);
	free(c->cert_file);
	free(c->log_file);
	free(c->metrics_token);
	free(c->key_file);
	free(c->public_url);
	free(c->smtp_url);
	free(c->smtp_from);
	free(c->smtp_user);
	free(c->smtp_password_file);
	memset(c, 0, sizeof(*c));
}

char *config_path(const config *c, const char *name)
{
	size_t n = strlen(c->data_dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", c->data_dir, name);
	return p;
}

const char *config_db_unreachable(const char *db_path, char *buf, size_t len)
{
	int e = errno, dirlen;
	struct passwd *pw;
	const char *slash;

	if (e == ENOENT)
		return NULL;
	if (e != EACCES) {
		snprintf(buf, len, "cannot reach %s: %s", db_path, strerror(e));
		return buf;
	}
	/* Typically a directory restored or made by root for a service user. */
	pw = getpwuid(geteuid());
	slash = strrchr(db_path, '/');
	dirlen = slash ? (int)(slash - db_path) : 1;
	snprintf(buf, len,
		 "cannot reach %s: %s (prosumd runs as %s: the data directory and everything in it "
		 "must be that user's, e.g. chown -R %s: %.*s)",
		 db_path, strerror(e), pw ? pw->pw_name : "this user", pw ? pw->pw_name : "USER",
		 dirlen, slash ? db_path : ".");
	return buf;
}

int config_mail_check(const config *c, char *buf, size_t len)
{
	if (!c->smtp_url)
		return 0;
	if (!c->smtp_from || !c->public_url) {
		snprintf(buf, len, "--smtp-url needs --smtp-from (the sender) and --public-url (the "
				   "links in mails)");
		return -1;
	}
	if (strncmp(c->smtp_url, "smtp://", 7) != 0 && strncmp(c->smtp_url, "smtps://", 8) != 0) {
		snprintf(buf, len, "--smtp-url: '%s' is not smtp://HOST:PORT or smtps://HOST:PORT",
			 c->smtp_url);
		return -1;
	}
	if (c->smtp_password_file && access(c->smtp_password_file, R_OK) < 0) {
		snprintf(buf, len, "--smtp-password-file: cannot read %s: %s", c->smtp_password_file,
			 strerror(errno));
		return -1;
	}
	return 0;
}
