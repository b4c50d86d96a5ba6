/* webhook.c - one webhook request: the body of an event in a format, signed, sent with libcurl. */
#include "notify/webhook.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
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
#include "model/weblink.h"
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

/* The one-line message of the Slack and Discord formats, its item a link to its page. Text from
 * the event (a crash title, a comment) is escaped for the format: it cannot make a link, a
 * mention or markup of its own. */
typedef struct msg_line {
	buf b;
	int slack; /* else discord */
	const char *url;
	int rc;
} msg_line;

/* s as text of the line: Slack's mrkdwn takes &, < and > as markup; Discord's markdown takes
 * these punctuation marks, escaped with a backslash. */
static void put_text(msg_line *l, const char *s)
{
	for (; *s && l->rc >= 0; s++) {
		const char *e = NULL;

		if (l->slack)
			e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : NULL;
		else if (strchr("\\*_~`|[]()<>", *s))
			l->rc = buf_printf(&l->b, "\\");
		l->rc = l->rc < 0 ? l->rc : e ? buf_puts(&l->b, e) : buf_append(&l->b, s, 1);
	}
}

static void put(msg_line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(msg_line *l, const char *fmt, ...)
{
	buf t = BUF_INIT(1 << 16);
	va_list ap;

	va_start(ap, fmt);
	if (l->rc >= 0)
		l->rc = buf_vprintf(&t, fmt, ap);
	va_end(ap);
	if (l->rc >= 0)
		put_text(l, t.p ? t.p : "");
	buf_free(&t);
}

/* How many bytes of s, at most max, end on a character: a cut never splits one (the body is
 * JSON, which must be UTF-8). */
static int utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return (int)n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return (int)max;
}

/* label, linked to the event's page: <url|label> (Slack), [label](url) (Discord). The url is
 * made by weblink_event(): percent-encoded, no markup characters of either format. */
static void put_link(msg_line *l, const char *label)
{
	if (l->rc >= 0)
		l->rc = buf_puts(&l->b, l->slack ? "<" : "[");
	if (l->rc >= 0 && l->slack)
		l->rc = buf_printf(&l->b, "%s|", l->url);
	put_text(l, label);
	if (l->rc >= 0)
		l->rc = l->slack ? buf_puts(&l->b, ">") : buf_printf(&l->b, "](%s)", l->url);
}

static void one_line(msg_line *l, const char *type, const char *project, json_t *d)
{
	const char *group = str(d, "group"), *title = str(d, "title");
	const char *sug = str(d, "suggestion"), *rel = str(d, "release");
	const char *report = str(d, "report");
	int item = strncmp(type, "group.", 6) == 0 || strncmp(type, "suggestion.", 11) == 0 ||
		   strcmp(type, "report.comment") == 0 || strcmp(type, "release.created") == 0;

	if (!item) {
		/* About the project: its name is the link. */
		put(l, "[");
		put_link(l, project);
		if (strcmp(type, "test") == 0)
			put(l, "] Test from prosum: %s", str(d, "message"));
		else
			put(l, "] %s", type);
		return;
	}
	put(l, "[%s] ", project);
	if (strcmp(type, "group.created") == 0) {
		/* a group of bugs or feedback is no crash group */
		put(l, "New %s%sgroup ", str(d, "kind"), str(d, "kind")[0] ? " " : "");
		put_link(l, group);
		put(l, ": %s", title);
	} else if (strcmp(type, "group.regressed") == 0) {
		put_link(l, group);
		put(l, " regressed%s%s: %s", rel[0] ? " in " : "", rel, title);
	} else if (strcmp(type, "group.status_changed") == 0) {
		put_link(l, group);
		put(l, " is now %s: %s", str(d, "status"), title);
	} else if (strcmp(type, "group.fixed_in_release") == 0) {
		put_link(l, group);
		put(l, " is fixed in %s: %s", rel, title);
	} else if (strncmp(type, "group.", 6) == 0) {
		put_link(l, group);
		put(l, " %s: %s", type, title);
	} else if (strcmp(type, "report.comment") == 0) {
		put(l, "Team reply on ");
		put_link(l, report[0] ? report : group);
		put(l, " by %s: %.*s", str2(d, "comment", "author"),
		    utf8_prefix(str2(d, "comment", "body"), 200), str2(d, "comment", "body"));
	} else if (strcmp(type, "suggestion.created") == 0) {
		put(l, "New suggestion ");
		put_link(l, sug);
		put(l, ": %s", title);
	} else if (strcmp(type, "suggestion.shipped") == 0) {
		put_link(l, sug);
		put(l, " shipped%s%s: %s", rel[0] ? " in " : "", rel, title);
	} else if (strncmp(type, "suggestion.", 11) == 0) {
		put_link(l, sug);
		put(l, " is now %s: %s", str(d, "status"), title);
	} else { /* release.created */
		put(l, "Release ");
		put_link(l, rel);
		put(l, " registered");
	}
}

char *webhook_body(const char *format, int64_t event_id, const char *type, const char *project,
		   int64_t time, const char *data, const char *base)
{
	json_t *d = json_loads(data, 0, NULL), *o = NULL;
	char id[40], when[32], url[WEBLINK_MAX];
	msg_line l = {BUF_INIT(1 << 16), 0, url, 0};
	char *out = NULL;
	time_t t = (time_t)time;
	struct tm tm;

	if (!json_is_object(d))
		goto out;
	strip_internal(d);
	if (weblink_event(url, sizeof(url), base, project, type, d) < 0)
		goto out;
	snprintf(id, sizeof(id), "evt_%" PRId64, event_id);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (strcmp(format, "slack") == 0 || strcmp(format, "discord") == 0) {
		l.slack = strcmp(format, "slack") == 0;
		one_line(&l, type, project, d);
		if (l.rc < 0 || !l.b.p)
			goto out;
		if (l.slack)
			o = json_pack("{s:s}", "text", l.b.p);
		else /* no @everyone or role pings from a title */
			o = json_pack("{s:s, s:{s:[]}}", "content", l.b.p, "allowed_mentions",
				      "parse");
	} else {
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}", "id", id, "type", type, "project",
			      project, "time", when, "url", url, "data", d);
	}
	if (o)
		out = json_dumps(o, JSON_COMPACT);
out:
	buf_free(&l.b);
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
