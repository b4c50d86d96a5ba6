/* client.c - prosum_client: options, install id, spool and sender; prosum_send/submit/flush. */
#include "lib/client.h"

#include <jansson.h>

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/appsession.h"
#include "lib/crash.h"
#include "lib/error.h"
#include "lib/prosum_tool.h"
#include "lib/sender.h"
#include "common/buf.h"
#include "lib/symbolize.h"
#include "lib/util.h"

static int copy_opt(char **dst, const char *src)
{
	if (!src || !src[0]) {
		*dst = NULL;
		return 0;
	}
	*dst = strdup(src);
	return *dst ? 0 : PROSUM_ENOMEM;
}

static const char *env(const prosum_client *c, const char *name)
{
	const char *v;

	if (c->flags & PROSUM_NO_ENV)
		return NULL;
	v = getenv(name);
	return v && v[0] ? v : NULL;
}

/*
 * "sha256//BASE64[;sha256//BASE64...]", each BASE64 the 44 characters of a
 * SHA-256. libcurl would take a malformed pin as a file name and fail every
 * handshake later; refusing it here names the mistake.
 */
static int pin_valid(const char *pin)
{
	const char *p = pin;

	for (;;) {
		size_t n;
		if (strncmp(p, "sha256//", 8) != 0)
			return 0;
		p += 8;
		n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
		if (n != 44 || p[43] != '=' || p[42] == '=')
			return 0;
		p += n;
		if (*p == '\0')
			return 1;
		if (*p != ';')
			return 0;
		p++;
	}
}

/* $XDG_STATE_HOME, else ~/.local/state. Caller frees. */
static int state_home(char **out, const prosum_client *c)
{
	const char *xdg = env(c, "XDG_STATE_HOME");
	const char *home = getenv("HOME");
	struct passwd pw, *res = NULL;
	char pwbuf[4096];

	if (xdg && xdg[0] == '/') {
		*out = strdup(xdg);
		return *out ? 0 : error_set(PROSUM_ENOMEM, "out of memory");
	}
	if (!home || home[0] != '/') {
		if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &res) != 0 || !res)
			return error_set(PROSUM_EIO, "no home directory for the spool: set "
						     "PROSUM_SPOOL or options.spool_dir");
		home = pw.pw_dir;
	}
	*out = util_path_join(home, ".local/state");
	return *out ? 0 : error_set(PROSUM_ENOMEM, "out of memory");
}

/* One spool per DSN: items queued in it all go to the same server and project. */
static int spool_for(char **out, const char *state, const dsn *d)
{
	buf sb = BUF_INIT(8192);
	const char *h = d->host;
	size_t hl = strlen(h);

	if (h[0] == '[') {
		h++;
		hl -= 2;
	}
	if (buf_printf(&sb, "%s/prosum/spool/%.*s-%u-%s", state, (int)hl, h, d->port, d->project) !=
	    0) {
		buf_free(&sb);
		return error_set(PROSUM_ENOMEM, "out of memory");
	}
	*out = buf_detach_str(&sb);
	return *out ? 0 : error_set(PROSUM_ENOMEM, "out of memory");
}

/* The state folder (state_home) of a client made with no_env or without. */
static int probe_state_home(char **state, int no_env)
{
	prosum_client probe;

	memset(&probe, 0, sizeof(probe));
	probe.flags = no_env ? PROSUM_NO_ENV : 0;
	return state_home(state, &probe);
}

int client_spool_root(char **out, int no_env)
{
	char *state = NULL;
	int rc;

	rc = probe_state_home(&state, no_env);
	if (rc)
		return rc;
	*out = util_path_join(state, "prosum/spool");
	free(state);
	return *out ? 0 : error_set(PROSUM_ENOMEM, "out of memory");
}

int client_spool_for(char **out, const dsn *d, int no_env)
{
	char *state = NULL;
	int rc;

	rc = probe_state_home(&state, no_env);
	if (rc == 0)
		rc = spool_for(out, state, d);
	free(state);
	return rc;
}

/* Choose the spool directory and the directory of the install id. */
static int choose_dirs(prosum_client *c, const prosum_options *o, char **id_dir)
{
	const char *given =
	    o && o->spool_dir && o->spool_dir[0] ? o->spool_dir : env(c, "PROSUM_SPOOL");
	buf sb = BUF_INIT(8192);
	char *state = NULL;
	int rc = 0;

	if (given) {
		c->spool_path = strdup(given);
		*id_dir = strdup(given);
		if (!c->spool_path || !*id_dir)
			rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	rc = state_home(&state, c);
	if (rc)
		goto out;
	rc = spool_for(&c->spool_path, state, &c->dsn);
	if (rc)
		goto out;
	rc = buf_printf(&sb, "%s/prosum", state);
	if (rc == 0)
		*id_dir = buf_detach_str(&sb);
	if (rc || !c->spool_path || !*id_dir)
		rc = error_set(PROSUM_ENOMEM, "out of memory");
out:
	buf_free(&sb);
	free(state);
	return rc;
}

/* Read the install id, or make it once; concurrent first starts agree on one. */
static int load_install_id(prosum_client *c, const char *dir)
{
	char *path = NULL, *text = NULL;
	char id[37];
	size_t len = 0;
	int rc, tries;

	rc = util_mkdirs(dir, 0700);
	if (rc)
		return rc;
	path = util_path_join(dir, "install_id");
	if (!path)
		return error_set(PROSUM_ENOMEM, "out of memory");
	for (tries = 0; tries < 3; tries++) {
		free(text);
		text = NULL;
		rc = util_read_file(&text, &len, path, 128);
		if (rc == 0) {
			while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
				text[--len] = '\0';
			if (util_uuid_valid(text)) {
				for (size_t i = 0; i < 36; i++)
					c->install_id[i] =
					    (char)(text[i] >= 'A' && text[i] <= 'F' ? text[i] + 32
										    : text[i]);
				c->install_id[36] = '\0';
				rc = 0;
				goto out;
			}
		}
		rc = util_uuid4(id);
		if (rc)
			goto out;
		id[36] = '\n';
		/* Exclusive unless a damaged file is being replaced. */
		rc = util_write_atomic(dir, "install_id", id, 37, access(path, F_OK) == 0 ? 0 : 1);
		if (rc == PROSUM_ESTATE)
			continue; /* another process made it first: read theirs */
		if (rc)
			goto out;
		memcpy(c->install_id, id, 36);
		c->install_id[36] = '\0';
		goto out;
	}
	rc = error_set(PROSUM_EIO, "cannot settle the install id in %s", path);
out:
	free(text);
	free(path);
	return rc;
}

/*
 * Does this client record a session? By default yes (the run of a beta build); not with
 * PROSUM_NO_SESSIONS, nor when $PROSUM_SESSIONS says 0, no, false or off (read unless
 * PROSUM_NO_ENV). PROSUM_SESSIONS, once the way to opt in, is the default now.
 */
static int sessions_wanted(const prosum_client *c)
{
	static const char *const off[] = {"0", "no", "false", "off"};
	const char *v;
	size_t i;

	if (c->flags & PROSUM_NO_SESSIONS)
		return 0;
	v = env(c, "PROSUM_SESSIONS");
	for (i = 0; v && i < sizeof(off) / sizeof(off[0]); i++)
		if (strcasecmp(v, off[i]) == 0)
			return 0;
	return 1;
}

static void copy_uname(char *dst, size_t n, const char *src)
{
	size_t l = strlen(src);

	if (l >= n)
		l = n - 1;
	memcpy(dst, src, l);
	dst[l] = '\0';
}

int prosum_client_new(prosum_client **out, const char *dsn_text, const prosum_options *opts)
{
	prosum_client *c = NULL;
	char *id_dir = NULL;
	struct utsname u;
	int rc = 0;

	if (!out)
		return error_set(PROSUM_EINVALID, "no output given");
	if (opts && (opts->version == 0 || opts->version > PROSUM_OPTIONS_VERSION))
		return error_set(PROSUM_EINVALID, "unknown prosum_options version %u",
				 opts->version);
	c = calloc(1, sizeof(*c));
	if (!c)
		return error_set(PROSUM_ENOMEM, "out of memory");
	pthread_mutex_init(&c->lock, NULL);
	atomic_init(&c->cancel, 0);
	rc = dsn_parse(&c->dsn, dsn_text);
	if (rc)
		goto out;
	c->close_wait_ms = PROSUM_DEFAULT_CLOSE_WAIT_MS;
	if (opts && opts->version >= 2 && opts->close_wait_ms >= 0)
		c->close_wait_ms = opts->close_wait_ms;
	if (opts) {
		c->flags = opts->flags;
		c->connect_timeout_ms = opts->connect_timeout_ms;
		c->timeout_ms = opts->timeout_ms;
		c->on_delivery = opts->on_delivery;
		c->on_delivery_payload = opts->on_delivery_payload;
		if (copy_opt(&c->ca_file, opts->ca_file) ||
		    copy_opt(&c->pinned_pubkey, opts->pinned_pubkey) ||
		    copy_opt(&c->app_version, opts->app_version) ||
		    copy_opt(&c->app_revision, opts->app_revision) ||
		    copy_opt(&c->app_channel, opts->app_channel) ||
		    copy_opt(&c->source_root, opts->source_root)) {
			rc = error_set(PROSUM_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (!c->ca_file && env(c, "PROSUM_CACERT") &&
	    copy_opt(&c->ca_file, env(c, "PROSUM_CACERT"))) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	if (!c->pinned_pubkey && env(c, "PROSUM_PIN") &&
	    copy_opt(&c->pinned_pubkey, env(c, "PROSUM_PIN"))) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	if (c->pinned_pubkey && !pin_valid(c->pinned_pubkey)) {
		rc = error_set(PROSUM_EINVALID,
			       "the pinned public key must look like sha256//BASE64 (44 characters "
			       "of base64), several joined with ';'");
		goto out;
	}
	if (c->connect_timeout_ms <= 0)
		c->connect_timeout_ms = PROSUM_DEFAULT_CONNECT_TIMEOUT_MS;
	if (c->timeout_ms <= 0)
		c->timeout_ms = PROSUM_DEFAULT_TIMEOUT_MS;
	if (uname(&u) == 0) {
		copy_uname(c->os, sizeof(c->os), u.sysname);
		copy_uname(c->os_version, sizeof(c->os_version), u.release);
		copy_uname(c->arch, sizeof(c->arch), u.machine);
	}
	rc = choose_dirs(c, opts, &id_dir);
	if (rc)
		goto out;
	rc = spool_open(
	    &c->spool, c->spool_path,
	    opts && opts->max_spool_bytes ? opts->max_spool_bytes : PROSUM_DEFAULT_SPOOL_BYTES,
	    opts && opts->max_spool_files ? opts->max_spool_files : PROSUM_DEFAULT_SPOOL_FILES);
	if (rc)
		goto out;
	rc = load_install_id(c, id_dir);
	if (rc)
		goto out;
	spool_set_target(c->spool, dsn_text);
	/* Crashes of earlier runs become reports before the sender looks at the spool. */
	symbolize_pending(c);
	/* So do the sessions they left open: crashed, or ended some other way. */
	appsession_recover(c);
	rc = sender_start(&c->sender, c);
	if (rc)
		goto out;
	if (sessions_wanted(c)) {
		rc = prosum_session_start(c);
		/* By default only: another client of this process has the session, this one
		 * records none (asked for with PROSUM_SESSIONS, that is a failure, as it was). */
		if (rc == PROSUM_ESTATE && !(c->flags & PROSUM_SESSIONS))
			rc = 0;
		if (rc)
			goto out;
	}
	*out = c;
	c = NULL;
out:
	free(id_dir);
	prosum_close(c);
	return rc;
}

/* 1 when the spool holds something to deliver. */
static int pending_items(prosum_client *c)
{
	spool_entry *list = NULL;
	size_t n = 0;

	if (spool_list(c->spool, NULL, &list, &n) != 0)
		n = 0;
	free(list);
	return n > 0;
}

void prosum_close(prosum_client *client)
{
	if (!client)
		return;
	/* The run's session ends here (exited), queued before the last delivery. */
	appsession_close(client);
	/* A bounded last delivery, so a program that submits and exits still reports. */
	if (client->sender && !(client->flags & PROSUM_NO_SENDER) && client->close_wait_ms > 0 &&
	    pending_items(client))
		(void)sender_flush(client->sender, client->close_wait_ms);
	crash_release(client);
	atomic_store(&client->cancel, 1);
	sender_stop(client->sender);
	spool_free(client->spool);
	pthread_mutex_destroy(&client->lock);
	free(client->ca_file);
	free(client->pinned_pubkey);
	free(client->app_version);
	free(client->app_revision);
	free(client->app_channel);
	free(client->source_root);
	free(client->spool_path);
	free(client);
}

const char *prosum_client_install_id(const prosum_client *client)
{
	return client ? client->install_id : NULL;
}

const char *prosum_client_spool_dir(const prosum_client *client)
{
	return client ? client->spool_path : NULL;
}

int prosum_client_stats(prosum_stats *out, prosum_client *client)
{
	spool_entry *list = NULL;
	size_t n = 0;
	int rc;

	if (!out || !client || out->version == 0 || out->version > PROSUM_STATS_VERSION)
		return error_set(PROSUM_EINVALID, "no client or stats, or unknown stats version");
	rc = spool_list(client->spool, NULL, &list, &n);
	free(list);
	if (rc)
		return rc;
	pthread_mutex_lock(&client->lock);
	out->queued = client->queued;
	out->sent = client->sent;
	out->refused = client->refused;
	pthread_mutex_unlock(&client->lock);
	out->dropped = spool_dropped(client->spool);
	out->pending = n;
	return 0;
}

void client_defaults(const prosum_client *c, report_defaults *out)
{
	out->version = c->app_version;
	out->revision = c->app_revision;
	out->channel = c->app_channel;
	out->install_id = c->install_id;
	out->os = c->os[0] ? c->os : NULL;
	out->os_version = c->os_version[0] ? c->os_version : NULL;
	out->arch = c->arch[0] ? c->arch : NULL;
}

void client_transport_config(prosum_client *c, transport_config *out)
{
	out->ca_file = c->ca_file;
	out->pinned_pubkey = c->pinned_pubkey;
	out->connect_timeout_ms = c->connect_timeout_ms;
	out->timeout_ms = c->timeout_ms;
	out->cancel = &c->cancel;
}

void client_count(prosum_client *c, int what)
{
	pthread_mutex_lock(&c->lock);
	if (what == CLIENT_SENT)
		c->sent++;
	else if (what == CLIENT_REFUSED)
		c->refused++;
	else
		c->queued++;
	pthread_mutex_unlock(&c->lock);
}

int prosum_send(prosum_result *result, prosum_client *client, prosum_report *report)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	transport_config cfg;
	transport *t = NULL;
	report_defaults d;
	envelope p;
	int rc;

	memset(&p, 0, sizeof(p));
	if (!result || !client || !report || result->version == 0 ||
	    result->version > PROSUM_RESULT_VERSION)
		return error_set(PROSUM_EINVALID,
				 "prosum_send: missing argument or result not initialised");
	prosum_result_dispose(result);
	client_defaults(client, &d);
	rc = report_complete(report, &d);
	if (rc == 0)
		rc = report_envelope(&p, report);
	if (rc)
		goto out;
	client_transport_config(client, &cfg);
	rc = transport_new(&t, &cfg);
	if (rc == 0)
		rc = transport_post_report(t, &ans, &client->dsn, &p);
	if (rc == 0)
		rc = transport_read_result(result, &ans);
	if (rc == 0)
		appsession_note_report(client, json_string_value(json_object_get(report->root, "kind")));
	if (!result->uuid)
		result->uuid = strdup(p.uuid);
	if (result->version >= 2)
		result->kind = "report";
out:
	transport_answer_free(&ans);
	transport_free(t);
	envelope_free(&p);
	return rc;
}

int prosum_submit(prosum_client *client, prosum_report *report)
{
	report_defaults d;
	envelope p;
	int rc;

	memset(&p, 0, sizeof(p));
	if (!client || !report)
		return error_set(PROSUM_EINVALID, "prosum_submit: no client or report");
	client_defaults(client, &d);
	rc = report_complete(report, &d);
	if (rc == 0)
		rc = report_envelope(&p, report);
	if (rc == 0)
		rc = spool_write(client->spool, &p, NULL);
	if (rc == 0) {
		client_count(client, CLIENT_QUEUED);
		sender_wake(client->sender);
		appsession_note_report(client, json_string_value(json_object_get(report->root, "kind")));
	}
	envelope_free(&p);
	return rc;
}

int prosum_flush(prosum_client *client, long timeout_ms)
{
	if (!client)
		return error_set(PROSUM_EINVALID, "prosum_flush: no client");
	return sender_flush(client->sender, timeout_ms);
}

/* Write `doc` to the spool as an item of kind `suffix`; its "uuid" names it. */
static int submit_item(prosum_client *client, json_t *doc, const char *suffix, char *uuid_out)
{
	envelope p;
	char *text;
	int rc;

	memset(&p, 0, sizeof(p));
	text = json_dumps(doc, JSON_COMPACT);
	if (!text)
		return error_set(PROSUM_ENOMEM, "out of memory");
	if (strlen(text) > PROSUM_MAX_REPORT_JSON) {
		free(text);
		return error_set(PROSUM_ETOOBIG, "the text is too long");
	}
	memcpy(p.uuid, json_string_value(json_object_get(doc, "uuid")), 37);
	p.json = text;
	p.json_len = strlen(text);
	p.bufs[p.nbufs++] = text;
	rc = spool_write_kind(client->spool, &p, suffix, NULL);
	if (rc == 0) {
		client_count(client, CLIENT_QUEUED);
		sender_wake(client->sender);
		if (uuid_out)
			memcpy(uuid_out, p.uuid, 37);
	}
	envelope_free(&p);
	return rc;
}

int prosum_suggestion_submit(char *uuid_out, prosum_client *client, const char *title,
			     const char *body, const char *name)
{
	json_t *doc = NULL, *tester;
	char uuid[37];
	int rc;

	if (!client || !title || !title[0])
		return error_set(PROSUM_EINVALID, "prosum_suggestion_submit: no client or title");
	rc = util_uuid4(uuid);
	if (rc)
		return rc;
	/* The name goes along only when given: it is how the tester is credited. */
	tester = json_pack("{s:s}", "install_id", client->install_id);
	doc = json_pack("{s:s,s:s*,s:o*}", "uuid", uuid, "title", title, "tester", tester);
	if (!doc || !json_object_get(doc, "title") ||
	    (body && json_object_set_new(doc, "body", json_string(body))) ||
	    (name && json_object_set_new(tester, "name", json_string(name)))) {
		rc = error_set(PROSUM_EINVALID, "the title, body and name must be UTF-8 text");
		goto out;
	}
	rc = submit_item(client, doc, SPOOL_SUGGESTION, uuid_out);
out:
	json_decref(doc);
	return rc;
}

int prosum_vote_submit(char *uuid_out, prosum_client *client, const char *suggestion,
		       const char *name, int withdraw)
{
	json_t *doc = NULL;
	char uuid[37];
	size_t n = suggestion ? strlen(suggestion) : 0;
	int rc;

	if (!client || n < 3 || n > 21 || suggestion[0] != 'S' || suggestion[1] != '-' ||
	    suggestion[2] < '1' || suggestion[2] > '9' ||
	    strspn(suggestion + 2, "0123456789") != n - 2)
		return error_set(PROSUM_EINVALID, "a vote takes a suggestion id such as S-4");
	if (withdraw && name)
		return error_set(PROSUM_EINVALID, "a name goes with a vote, not with a withdrawal");
	rc = util_uuid4(uuid);
	if (rc)
		return rc;
	doc = json_pack("{s:s,s:s,s:b,s:s}", "uuid", uuid, "suggestion", suggestion, "withdraw",
			withdraw ? 1 : 0, "install_id", client->install_id);
	if (!doc || (name && json_object_set_new(doc, "name", json_string(name)))) {
		rc = error_set(PROSUM_EINVALID, "the name must be UTF-8 text");
		goto out;
	}
	rc = submit_item(client, doc, SPOOL_VOTE, uuid_out);
out:
	json_decref(doc);
	return rc;
}
