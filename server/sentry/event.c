/* event.c - a Sentry SDK event (JSON) mapped to the report document libprosum sends. */
#include "sentry/event.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TAGS_MAX 64
#define SHORT_MAX 256

static const char *const scrub_words[] = {"password", "passwd", "secret", "token", "api_key",
					  "apikey", "auth", "cookie", "session"};

static int sensitive(const char *name)
{
	char low[128];
	size_t i, n = strlen(name);

	if (n >= sizeof(low))
		n = sizeof(low) - 1;
	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[n] = '\0';
	for (i = 0; i < sizeof(scrub_words) / sizeof(scrub_words[0]); i++)
		if (strstr(low, scrub_words[i]))
			return 1;
	return 0;
}

void sentry_event_scrub(json_t *v)
{
	const char *k;
	json_t *m;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, m) {
			if (sensitive(k))
				json_object_set_new(v, k, json_string("[Filtered]"));
			else
				sentry_event_scrub(m);
		}
	} else if (json_is_array(v)) {
		json_t *name = json_array_get(v, 0);

		if (json_array_size(v) == 2 && json_is_string(name) &&
		    sensitive(json_string_value(name))) {
			json_array_set_new(v, 1, json_string("[Filtered]"));
			return;
		}
		json_array_foreach(v, i, m)
			sentry_event_scrub(m);
	}
}

/* A string member of o that is not empty and at most max bytes, else NULL. */
static const char *str_of(const json_t *o, const char *name, size_t max)
{
	const json_t *v = json_object_get(o, name);
	const char *s = json_string_value(v);

	if (!s || !s[0] || json_string_length(v) > max || strlen(s) != json_string_length(v))
		return NULL;
	return s;
}

static int is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* event_id: 32 hex, with or without dashes, into out (lower case). 0 or -1. */
static int take_event_id(const json_t *event, char out[SENTRY_EVENT_ID_LEN + 1])
{
	const char *s = json_string_value(json_object_get(event, "event_id"));
	size_t n = 0;

	if (!s)
		return -1;
	for (; *s; s++) {
		if (*s == '-')
			continue;
		if (!isxdigit((unsigned char)*s) || n == SENTRY_EVENT_ID_LEN)
			return -1;
		out[n++] = (char)tolower((unsigned char)*s);
	}
	out[n] = '\0';
	return n == SENTRY_EVENT_ID_LEN ? 0 : -1;
}

/* Whether v (n bytes) is `git describe` output: NAME-N-gHASH, maybe with -dirty after. */
static int is_describe(const char *v, size_t n)
{
	static const char dirty[] = "-dirty";
	const size_t dl = sizeof(dirty) - 1;
	size_t i, h;

	if (n > dl && memcmp(v + n - dl, dirty, dl) == 0)
		n -= dl;
	for (h = 0; h < n && isxdigit((unsigned char)v[n - 1 - h]); h++)
		;
	if (h < 4 || h > 40 || n < h + 2 || v[n - h - 1] != 'g' || v[n - h - 2] != '-')
		return 0;
	i = n - h - 2; /* the "-" before "g": then the count N, a "-", a name */
	for (h = 0; i > 0 && isdigit((unsigned char)v[i - 1]); i--, h++)
		;
	return h > 0 && i >= 2 && v[i - 1] == '-';
}

/*
 * release "app@1.4.0+abc1234" -> version 1.4.0, revision abc1234; a bare hash -> revision;
 * `git describe` output ("app@v1.4.0-3-gabc1234") -> version and revision both that, which
 * the repository resolves as it does a libprosum build's revision.
 */
static void take_release(json_t *build, const char *release)
{
	const char *at = strrchr(release, '@');
	const char *v = at ? at + 1 : release;
	const char *plus = strchr(v, '+');
	size_t vlen = strlen(v);

	if (!at && vlen >= 7 && vlen <= 40 && is_hex(v, vlen)) {
		json_object_set_new(build, "revision", json_string(v));
		return;
	}
	if (plus && strlen(plus + 1) >= 7 && strlen(plus + 1) <= 40 &&
	    is_hex(plus + 1, strlen(plus + 1))) {
		json_object_set_new(build, "revision", json_string(plus + 1));
		vlen = (size_t)(plus - v);
	}
	if (vlen > 0)
		json_object_set_new(build, "version", json_stringn(v, vlen));
	if (vlen > 0 && !json_object_get(build, "revision") && is_describe(v, vlen))
		json_object_set_new(build, "revision", json_stringn(v, vlen));
}

void sentry_release_revision(const char *release, char *out, size_t outsz)
{
	json_t *build = json_object();
	const char *r;

	out[0] = '\0';
	if (!build)
		return;
	take_release(build, release);
	r = json_string_value(json_object_get(build, "revision"));
	if (r && strlen(r) < outsz)
		memcpy(out, r, strlen(r) + 1);
	json_decref(build);
}

static void take_frames(json_t *doc, const json_t *event, const json_t *exc, size_t max)
{
	const json_t *st = json_object_get(exc, "stacktrace");
	const json_t *frames, *f;
	json_t *out;
	size_t i, n;

	if (!json_is_array(json_object_get(st, "frames")))
		st = json_object_get(event, "stacktrace");
	frames = json_object_get(st, "frames");
	n = json_array_size(frames);
	if (n == 0)
		return;
	out = json_array();
	/* Sentry sends the outermost frame first; reports hold the innermost first. */
	for (i = n; i-- > 0 && json_array_size(out) < max;) {
		json_t *o = json_object();
		const char *s;
		json_int_t line;

		f = json_array_get(frames, i);
		if (!json_is_object(f)) {
			json_decref(o);
			continue;
		}
		if ((s = str_of(f, "function", 16384)))
			json_object_set_new(o, "function", json_string(s));
		if ((s = str_of(f, "filename", 16384)) || (s = str_of(f, "abs_path", 16384)))
			json_object_set_new(o, "file", json_string(s));
		line = json_integer_value(json_object_get(f, "lineno"));
		if (json_is_integer(json_object_get(f, "lineno")) && line >= 0 && line <= INT32_MAX)
			json_object_set_new(o, "line", json_integer(line));
		if ((s = str_of(f, "module", 16384)) || (s = str_of(f, "package", 16384)))
			json_object_set_new(o, "module", json_string(s));
		if ((s = str_of(f, "instruction_addr", 16384)))
			json_object_set_new(o, "address", json_string(s));
		if (json_is_boolean(json_object_get(f, "in_app")))
			json_object_set(o, "in_app", json_object_get(f, "in_app"));
		json_array_append_new(out, o);
	}
	json_object_set_new(doc, "frames", out);
}

static void add_tag(json_t *tags, const char *k, const json_t *v)
{
	const char *s = json_string_value(v);
	char num[32];

	if (json_is_integer(v) || json_is_real(v) || json_is_boolean(v)) {
		if (json_is_boolean(v))
			s = json_is_true(v) ? "true" : "false";
		else if (json_is_integer(v))
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v)), s = num;
		else
			snprintf(num, sizeof(num), "%g", json_real_value(v)), s = num;
	}
	if (!k || !k[0] || strlen(k) > 64 || !s || strlen(s) > SHORT_MAX ||
	    json_object_size(tags) >= TAGS_MAX)
		return;
	json_object_set_new(tags, k, json_string(s));
}

static void take_tags(json_t *doc, const json_t *event)
{
	const json_t *t = json_object_get(event, "tags"), *v;
	json_t *tags = json_object();
	const char *k;
	size_t i;

	if (json_is_object(t)) {
		json_object_foreach((json_t *)t, k, v)
			add_tag(tags, k, v);
	} else if (json_is_array(t)) {
		json_array_foreach(t, i, v)
			if (json_array_size(v) == 2)
				add_tag(tags, json_string_value(json_array_get(v, 0)),
					json_array_get(v, 1));
	}
	if (json_object_size(tags))
		json_object_set_new(doc, "tags", tags);
	else
		json_decref(tags);
}

/* user.id, else another stable name of the user, else "sentry". "{{auto}}" (the JavaScript
 * SDKs' ip_address with sendDefaultPii: "the address the event came from") names no one. */
static const char *install_id(const json_t *event)
{
	static const char *const keys[] = {"id", "username", "email", "ip_address"};
	const json_t *user = json_object_get(event, "user");
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *s = str_of(user, keys[i], 128);
		if (s && printable(s) && strcmp(s, "[Filtered]") != 0 && strcmp(s, "{{auto}}") != 0)
			return s;
	}
	return "sentry";
}

/* The message as title: message, logentry.formatted or logentry.message; its first line. */
static json_t *message_title(const json_t *event)
{
	const json_t *m = json_object_get(event, "message");
	const json_t *le = json_object_get(event, "logentry");
	const char *s = json_string_value(m);
	size_t n;

	if (!s && json_is_object(m))
		s = json_string_value(json_object_get(m, "formatted"));
	if (!s)
		s = json_string_value(json_object_get(le, "formatted"));
	if (!s)
		s = json_string_value(json_object_get(le, "message"));
	while (s && isspace((unsigned char)*s))
		s++;
	if (!s || !*s)
		return NULL;
	n = strcspn(s, "\n");
	if (n > 1000) { /* under the 1,024-byte title, cut between UTF-8 characters */
		n = 1000;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return json_stringn(s, n);
}

/* `fingerprint` when the report format takes it (1 to 16 strings of 1 to 256 bytes, "{{ default
 * }}" among them or not); else none, and the report groups by the default rule. */
static void take_fingerprint(json_t *doc, const json_t *event)
{
	const json_t *fp = json_object_get(event, "fingerprint"), *v;
	size_t i, n = json_array_size(fp);

	if (n < 1 || n > 16)
		return;
	json_array_foreach(fp, i, v)
		if (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > 256 ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return;
	json_object_set(doc, "fingerprint", (json_t *)fp);
}

/*
 * Whether the exception is a message's: one an SDK made up at a capture call to carry its
 * stack, a message captured with attachStacktrace (the JavaScript SDKs' default) or a string
 * captured as an exception. It has no type, stands beside the event's message, and was
 * handled. (mechanism.synthetic alone does not tell: sentry-native marks its signal crashes so.)
 */
static int message_exception(const json_t *event, const json_t *exc)
{
	json_t *title;

	if (!json_is_object(exc) || str_of(exc, "type", SHORT_MAX) ||
	    json_is_false(json_object_get(json_object_get(exc, "mechanism"), "handled")))
		return 0;
	title = message_title(event);
	json_decref(title);
	return title != NULL;
}

int sentry_event_map(json_t *event, size_t max_frames, json_t **doc,
		     char event_id[SENTRY_EVENT_ID_LEN + 1], char *err, size_t errlen, char *field,
		     size_t fieldlen)
{
	static const char *const kept[] = {"breadcrumbs", "contexts", "extra", "request", "sdk",
					   "logger", "server_name", "transaction", "modules"};
	const json_t *excs = json_object_get(json_object_get(event, "exception"), "values");
	const json_t *exc, *os = json_object_get(json_object_get(event, "contexts"), "os");
	const json_t *dev = json_object_get(json_object_get(event, "contexts"), "device");
	json_t *d = NULL, *build, *platform, *title;
	const char *s;
	size_t i;
	char uuid[37];

	*doc = NULL;
	field[0] = '\0';
	if (!json_is_object(event)) {
		snprintf(err, errlen, "the event must be a JSON object");
		return -1;
	}
	if (!json_is_array(excs))
		excs = json_object_get(event, "exception"); /* the older form: the list itself */
	if (take_event_id(event, event_id) < 0) {
		snprintf(err, errlen, "event_id must be 32 hex digits (dashes allowed)");
		snprintf(field, fieldlen, "event_id");
		return -1;
	}
	sentry_event_scrub(event);
	snprintf(uuid, sizeof(uuid), "%.8s-%.4s-%.4s-%.4s-%.12s", event_id, event_id + 8,
		 event_id + 12, event_id + 16, event_id + 20);
	d = json_object();
	json_object_set_new(d, "uuid", json_string(uuid));
	/* The last exception of the chain is the one raised. */
	exc = json_array_get(excs, json_array_size(excs) ? json_array_size(excs) - 1 : 0);
	if (message_exception(event, exc)) {
		/* A message, not a crash: titled and grouped by its text as every other SDK's
		 * messages are; the stack of the capture call is kept as sent. */
		json_object_set_new(d, "kind", json_string("bug"));
		title = message_title(event);
		json_object_set_new(d, "title", title ? title : json_string("(no message)"));
		if (json_is_object(json_object_get(exc, "stacktrace")))
			json_object_set(d, "stacktrace", json_object_get(exc, "stacktrace"));
		exc = NULL;
	} else if (json_is_object(exc)) {
		const char *type = str_of(exc, "type", SHORT_MAX);
		json_t *e = json_pack("{s:s}", "type", type ? type : "Error");

		if ((s = json_string_value(json_object_get(exc, "value"))))
			json_object_set_new(e, "value", json_string(s));
		json_object_set_new(d, "kind", json_string("crash"));
		json_object_set_new(d, "exception", e);
	} else {
		json_object_set_new(d, "kind", json_string("bug"));
		title = message_title(event);
		json_object_set_new(d, "title", title ? title : json_string("(no message)"));
	}
	if ((s = str_of(event, "level", 32)))
		json_object_set_new(d, "severity", json_string(s));
	build = json_object();
	if ((s = str_of(event, "release", SHORT_MAX)))
		take_release(build, s);
	if (!json_object_get(build, "version") && !json_object_get(build, "revision"))
		json_object_set_new(build, "version", json_string("unknown"));
	if ((s = str_of(event, "environment", SHORT_MAX)))
		json_object_set_new(build, "channel", json_string(s));
	if ((s = str_of(event, "dist", SHORT_MAX)))
		json_object_set_new(build, "dist", json_string(s));
	json_object_set_new(d, "build", build);
	json_object_set_new(d, "tester", json_pack("{s:s}", "install_id", install_id(event)));
	platform = json_object();
	if ((s = str_of(os, "name", SHORT_MAX)))
		json_object_set_new(platform, "os", json_string(s));
	if ((s = str_of(os, "version", SHORT_MAX)))
		json_object_set_new(platform, "os_version", json_string(s));
	if ((s = str_of(dev, "arch", SHORT_MAX)))
		json_object_set_new(platform, "arch", json_string(s));
	if (json_object_size(platform))
		json_object_set_new(d, "platform", platform);
	else
		json_decref(platform);
	take_frames(d, event, exc, max_frames);
	take_tags(d, event);
	take_fingerprint(d, event);
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (json_object_get(event, kept[i]))
			json_object_set(d, kept[i], json_object_get(event, kept[i]));
	*doc = d;
	return 0;
}
