/* webhook.c - one webhook request: the body of an event in a format, signed, sent with libcurl. */
#include "notify/webhook.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include "common/buf.h"
#include "model/events.h"
#include "notify/sign.h"
#include "notify/ssrf.h"

int webhook_format_ok(const char *format)
{
	return format && (strcmp(format, "standard") == 0 || strcmp(format, "slack") == 0 ||
			  strcmp(format, "discord") == 0);
}

int webhook_events_ok(const json_t *v)
{
	static const char *const known[] = {
		"*", "group.created", "group.regressed", "group.status_changed",
		"group.fixed_in_release", "report.comment", "suggestion.created",
		"suggestion.status_changed", "suggestion.shipped", "release.created", "test",
	};
	size_t i, j, k, n = json_array_size(v);

	if (!json_is_array(v) || n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++) {
		const char *t = json_string_value(json_array_get(v, i));

		if (!t)
			return 0;
		for (k = 0; k < sizeof(known) / sizeof(known[0]) && strcmp(t, known[k]) != 0; k++)
			;
		if (k == sizeof(known) / sizeof(known[0]))
			return 0;
		for (j = 0; j < i; j++)
			if (strcmp(t, json_string_value(json_array_get(v, j))) == 0)
				return 0;
	}
	return 1;
}

/* Fields of event data for prosum alone: the ones docs/notifications.md marks internal (who a
 * tester is: for e-mail and news), and the webhook a test event is for. Never sent. */
static void strip_internal(json_t *data)
{
	const char *key;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(data, tmp, key, v)
	{
		if (events_field_internal(key) || strcmp(key, "webhook_id") == 0)
			json_object_del(data, key);
	}
}

static const char *str(json_t *data, const char *key)
{
	const char *v = json_string_value(json_object_get(data, key));

	return v ? v : "";
}

/* A nested object's field: data.comment.body. */
static const char *str2(json_t *data, const char *key, const char *key2)
{
	return str(json_object_get(data, key), key2);
}

/* The one-line message of the Slack and Discord formats. */
static int one_line(buf *b, const char *type, const char *project, json_t *d)
{
	const char *group = str(d, "group"), *title = str(d, "title");
	const char *sug = str(d, "suggestion"), *rel = str(d, "release");
	int rc;

	if (strcmp(type, "group.created") == 0) /* a group of bugs or feedback is no crash */
		rc = buf_printf(b, "[%s] New %s%sgroup %s: %s", project, str(d, "kind"),
				str(d, "kind")[0] ? " " : "", group, title);
	else if (strcmp(type, "group.regressed") == 0)
		rc = buf_printf(b, "[%s] %s regressed%s%s: %s", project, group, rel[0] ? " in " : "",
				rel, title);
	else if (strcmp(type, "group.status_changed") == 0)
		rc = buf_printf(b, "[%s] %s is now %s: %s", project, group, str(d, "status"), title);
	else if (strcmp(type, "group.fixed_in_release") == 0)
		rc = buf_printf(b, "[%s] %s is fixed in %s: %s", project, group, rel, title);
	else if (strcmp(type, "report.comment") == 0)
		rc = buf_printf(b, "[%s] Team reply on %s by %s: %.200s", project,
				str(d, "report")[0] ? str(d, "report") : group,
				str2(d, "comment", "author"), str2(d, "comment", "body"));
	else if (strcmp(type, "suggestion.created") == 0)
		rc = buf_printf(b, "[%s] New suggestion %s: %s", project, sug, title);
	else if (strcmp(type, "suggestion.status_changed") == 0)
		rc = buf_printf(b, "[%s] %s is now %s: %s", project, sug, str(d, "status"), title);
	else if (strcmp(type, "suggestion.shipped") == 0)
		rc = buf_printf(b, "[%s] %s shipped%s%s: %s", project, sug, rel[0] ? " in " : "", rel,
				title);
	else if (strcmp(type, "release.created") == 0)
		rc = buf_printf(b, "[%s] Release %s registered", project, rel);
	else if (strcmp(type, "test") == 0)
		rc = buf_printf(b, "[%s] Test from prosum: %s", project, str(d, "message"));
	else
		rc = buf_printf(b, "[%s] %s", project, type);
	if (rc >= 0 && str(d, "url")[0])
		rc = buf_printf(b, " %s", str(d, "url"));
	return rc;
}

/* Slack's mrkdwn takes &, < and > as markup: escaped, a title cannot make a link or ping. */
static json_t *slack_text(const char *s)
{
	buf b = BUF_INIT(1 << 16);
	json_t *v = NULL;

	for (; *s; s++) {
		const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : NULL;

		if ((e ? buf_printf(&b, "%s", e) : buf_printf(&b, "%c", *s)) < 0)
			goto out;
	}
	v = json_string(b.p ? b.p : "");
out:
	buf_free(&b);
	return v;
}

char *webhook_body(const char *format, int64_t event_id, const char *type, const char *project,
		   int64_t time, const char *data)
{
	json_t *d = json_loads(data, 0, NULL), *o = NULL;
	char id[40], when[32];
	buf line = BUF_INIT(1 << 16);
	char *out = NULL;
	time_t t = (time_t)time;
	struct tm tm;

	if (!json_is_object(d))
		goto out;
	strip_internal(d);
	snprintf(id, sizeof(id), "evt_%" PRId64, event_id);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (strcmp(format, "slack") == 0 || strcmp(format, "discord") == 0) {
		if (one_line(&line, type, project, d) < 0)
			goto out;
		if (strcmp(format, "slack") == 0)
			o = json_pack("{s:o}", "text", slack_text(line.p));
		else /* no @everyone or role pings from a title */
			o = json_pack("{s:s, s:{s:[]}}", "content", line.p, "allowed_mentions",
				      "parse");
	} else {
		o = json_pack("{s:s, s:s, s:s, s:s, s:O}", "id", id, "type", type, "project",
			      project, "time", when, "data", d);
	}
	if (o)
		out = json_dumps(o, JSON_COMPACT);
out:
	buf_free(&line);
	json_decref(o);
	json_decref(d);
	return out;
}

/* ---- sending ---- */

/* The address as text, for the log; "" when it is neither IPv4 nor IPv6. */
static void addr_text(const struct sockaddr *sa, char *out, size_t outsz)
{
	const void *p = sa->sa_family == AF_INET
			    ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
			: sa->sa_family == AF_INET6
			    ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
			    : NULL;

	if (!p || !inet_ntop(sa->sa_family, p, out, (socklen_t)outsz))
		out[0] = '\0';
}

typedef struct send_ctx {
	int allow_private;
	atomic_int *stop;
	webhook_result *out;
	size_t got; /* response bytes, read and dropped */
} send_ctx;

static curl_socket_t open_socket(void *p, curlsocktype purpose, struct curl_sockaddr *a)
{
	send_ctx *sc = p;
	char host[64] = "";

	(void)purpose;
	if (!sc->allow_private && !ssrf_addr_public(&a->addr, a->addrlen)) {
		addr_text(&a->addr, host, sizeof(host));
		snprintf(sc->out->error, sizeof(sc->out->error),
			 "refused: %s is not a public address (serve --webhook-allow-private "
			 "allows it)",
			 host[0] ? host : "the address");
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/* Response bodies are read and dropped: the log keeps the status alone. */
static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	send_ctx *sc = ctx;

	(void)p;
	sc->got += size * n;
	return size * n;
}

/* Retry-After: delay-seconds, or an HTTP date. */
static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	send_ctx *sc = ctx;
	size_t len = size * n;
	char v[64];
	time_t when;

	if (len > 12 && len < 12 + sizeof(v) && strncasecmp(p, "retry-after:", 12) == 0) {
		size_t i = 12, j = 0;
		char *end;
		long long secs;

		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		while (i < len && p[i] != '\r' && p[i] != '\n' && j + 1 < sizeof(v))
			v[j++] = p[i++];
		v[j] = '\0';
		secs = strtoll(v, &end, 10);
		if (j > 0 && *end == '\0' && secs >= 0 && secs < 86400 * 7)
			sc->out->retry_after_ms = secs * 1000;
		else if (j > 0 && (when = curl_getdate(v, NULL)) > 0)
			sc->out->retry_after_ms =
			    when > time(NULL) ? (int64_t)(when - time(NULL)) * 1000 : 0;
	}
	return len;
}

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	send_ctx *sc = ctx;

	(void)dt, (void)dn, (void)ut, (void)un;
	return sc->stop && atomic_load(sc->stop) ? 1 : 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int webhook_send(const char *url, const char *secret, const char *msg_id, int64_t timestamp,
		 const char *body, int allow_private, atomic_int *stop, webhook_result *out)
{
	send_ctx sc = {allow_private, stop, out, 0};
	struct curl_slist *h = NULL, *l;
	char line[160], sig[SIGN_SIGNATURE_MAX + 1];
	CURL *c = NULL;
	CURLcode cc;
	long status = 0;
	int64_t t0 = mono_ms();

	memset(out, 0, sizeof(*out));
	out->status = -1;
	out->retry_after_ms = -1;
	if (sign_standard(secret, msg_id, timestamp, body, strlen(body), sig) < 0) {
		snprintf(out->error, sizeof(out->error), "the webhook's secret is not usable");
		return 0;
	}
	c = curl_easy_init();
	if (!c)
		goto nomem;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		snprintf(line, sizeof(line), __VA_ARGS__);                                         \
		l = curl_slist_append(h, line);                                                    \
		if (!l)                                                                            \
			goto nomem;                                                                \
		h = l;                                                                             \
	} while (0)
	ADD("Content-Type: application/json");
	ADD("User-Agent: prosum-webhooks/1");
	ADD("webhook-id: %s", msg_id);
	ADD("webhook-timestamp: %lld", (long long)timestamp);
	ADD("webhook-signature: %s", sig);
	ADD("Expect:");
#undef ADD
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &sc);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sc);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &sc);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &sc);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	cc = curl_easy_perform(c);
	out->duration_ms = mono_ms() - t0;
	if (cc == CURLE_ABORTED_BY_CALLBACK && stop && atomic_load(stop)) {
		out->aborted = 1;
	} else if (cc != CURLE_OK) {
		/* A refusal by open_socket() said why already. */
		if (!out->error[0])
			snprintf(out->error, sizeof(out->error), "%s", curl_easy_strerror(cc));
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		out->status = (int)status;
		if (status < 200 || status > 299)
			snprintf(out->error, sizeof(out->error), "HTTP %ld", status);
		else
			out->error[0] = '\0';
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return 0;
nomem:
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	out->duration_ms = mono_ms() - t0;
	snprintf(out->error, sizeof(out->error), "out of memory");
	return 0;
}
