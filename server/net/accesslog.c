/* accesslog.c - one access-log line per answered request, text (Common Log Format and more) or JSON. */
#include "net/accesslog.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "oplog.h"

#define PATH_SHOWN_MAX 512 /* a longer path or query is cut there, with "..." */

static atomic_uint_fast64_t next_id;

uint64_t accesslog_next_id(void)
{
	uint_fast64_t id = atomic_fetch_add_explicit(&next_id, 1, memory_order_relaxed);

	if (id == 0) {
		/* The first caller seeds the counter with the time; a race costs only that a
		 * few early ids are small numbers. */
		uint_fast64_t seed = (uint_fast64_t)time(NULL) << 24, expect = 1;

		atomic_compare_exchange_strong(&next_id, &expect, seed + 1);
		return seed;
	}
	return id;
}

/* Append len bytes, escaped for JSON or for a quoted text field (nginx's \xHH). */
static size_t put(char *out, size_t outsz, size_t at, const char *s, size_t len, int json)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	if (json)
		return oplog_json_escape(out, outsz, at, s, len);
	for (i = 0; i < len && at + 5 < outsz; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= 0x20 || ch >= 0x7f || ch == '"' || ch == '\\') {
			out[at++] = '\\';
			out[at++] = 'x';
			out[at++] = hex[ch >> 4];
			out[at++] = hex[ch & 15];
		} else {
			out[at++] = (char)ch;
		}
	}
	out[at] = '\0';
	return at;
}

static size_t puts_(char *out, size_t outsz, size_t at, const char *s)
{
	size_t n = strlen(s);

	if (at + 1 >= outsz)
		return at;
	if (at + n >= outsz)
		n = outsz - 1 - at;
	memcpy(out + at, s, n);
	out[at + n] = '\0';
	return at + n;
}

/* Does a query parameter's name look like it carries a secret? */
static int secret_name(const char *name, size_t len)
{
	static const char *const words[] = {"key", "token", "secret", "pass", "auth",
					    "session", "sig", "code", "cookie"};
	size_t i, j;

	if (memchr(name, '%', len) || memchr(name, '+', len))
		return 1; /* escaped names are decoded by the handlers: never guess what they say */
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t wl = strlen(words[i]);

		for (j = 0; j + wl <= len; j++)
			if (strncasecmp(name + j, words[i], wl) == 0)
				return 1;
	}
	return 0;
}

size_t accesslog_target(char *out, size_t outsz, size_t at, http_slice path, http_slice query,
			int json)
{
	size_t i = 0, seg;
	int after_keys = 0, cut = 0;

	/* Cut before escaping: a line stays far below OPLOG_LINE_MAX, whole and valid JSON. A
	 * value cut short is redacted all the same: its name and '=' came before it. */
	if (path.len > PATH_SHOWN_MAX) {
		path.len = PATH_SHOWN_MAX;
		query.len = 0;
		cut = 1;
	}
	if (query.len > PATH_SHOWN_MAX) {
		query.len = PATH_SHOWN_MAX;
		cut = 1;
	}

	/* The path, segment by segment: an ingest key may be one (DELETE .../keys/KEY). */
	while (i < path.len) {
		size_t end = i + 1;

		while (end < path.len && path.p[end] != '/')
			end++;
		seg = end - i; /* "/name" */
		if (after_keys && seg > 1)
			at = put(out, outsz, at, "/REDACTED", 9, json);
		else
			at = put(out, outsz, at, path.p + i, seg, json);
		after_keys = seg == 5 && memcmp(path.p + i, "/keys", 5) == 0;
		i = end;
	}
	if (query.len == 0)
		return cut ? puts_(out, outsz, at, "...") : at;
	at = put(out, outsz, at, "?", 1, json);
	for (i = 0;;) {
		size_t end = i, eq;

		while (end < query.len && query.p[end] != '&')
			end++;
		for (eq = i; eq < end && query.p[eq] != '='; eq++)
			;
		if (secret_name(query.p + i, eq - i) && eq < end) {
			at = put(out, outsz, at, query.p + i, eq - i, json);
			at = put(out, outsz, at, "=REDACTED", 9, json);
		} else {
			at = put(out, outsz, at, query.p + i, end - i, json);
		}
		if (end >= query.len)
			break;
		at = put(out, outsz, at, "&", 1, json);
		i = end + 1;
	}
	return cut ? puts_(out, outsz, at, "...") : at;
}

int accesslog_project(http_slice path, http_slice *project, int *by_id)
{
	static const char pre[] = "/api/v1/projects/";
	size_t n = sizeof(pre) - 1, end;

	*by_id = 0;
	if (http_sentry_path(path)) {
		for (end = 5; path.p[end] != '/'; end++)
			;
		project->p = path.p + 5;
		project->len = end - 5;
		*by_id = 1;
		return 1;
	}
	if (path.len <= n || memcmp(path.p, pre, n) != 0)
		return 0;
	for (end = n; end < path.len && path.p[end] != '/'; end++)
		;
	project->p = path.p + n;
	project->len = end - n;
	return project->len > 0;
}

int accesslog_is_ingest(http_slice method, http_slice path)
{
	static const char pre[] = "/api/v1/projects/";
	size_t n = sizeof(pre) - 1, end;

	if (!http_slice_eq(method, "POST"))
		return 0;
	if (http_sentry_path(path))
		return 1;
	if (path.len <= n || memcmp(path.p, pre, n) != 0)
		return 0;
	for (end = n; end < path.len && path.p[end] != '/'; end++)
		;
	return end > n && path.len - end == 8 && memcmp(path.p + end, "/reports", 8) == 0;
}

void accesslog_write(const accesslog_entry *e)
{
	char line[OPLOG_LINE_MAX], when[40];
	http_slice project = {0};
	int by_id, json = oplog_format() == OPLOG_JSON, has_project;
	size_t at;
	int n;

	if (!oplog_on(OPLOG_INFO))
		return;
	has_project = e->path.len && accesslog_project(e->path, &project, &by_id);
	if (json) {
		oplog_time_iso(when, sizeof(when));
		n = snprintf(line, sizeof(line),
			     "{\"time\":\"%s\",\"level\":\"info\",\"event\":\"access\",\"client\":\"%s\","
			     "\"method\":\"",
			     when, e->client);
		at = put(line, sizeof(line), (size_t)n, e->method.p, e->method.len, 1);
		at = puts_(line, sizeof(line), at, "\",\"path\":\"");
		at = accesslog_target(line, sizeof(line), at, e->path, e->query, 1);
		n = snprintf(line + at, sizeof(line) - at,
			     "\",\"status\":%d,\"bytes\":%llu,\"duration_ms\":%.3f,\"route\":",
			     e->status, (unsigned long long)e->bytes, (double)e->usec / 1000.0);
		at += n > 0 && (size_t)n < sizeof(line) - at ? (size_t)n : 0;
		if (e->route) {
			at = puts_(line, sizeof(line), at, "\"");
			at = put(line, sizeof(line), at, e->route, strlen(e->route), 1);
			at = puts_(line, sizeof(line), at, "\"");
		} else {
			at = puts_(line, sizeof(line), at, "null");
		}
		at = puts_(line, sizeof(line), at, ",\"project\":");
		if (has_project) {
			at = puts_(line, sizeof(line), at, "\"");
			at = put(line, sizeof(line), at, project.p, project.len, 1);
			at = puts_(line, sizeof(line), at, "\"");
		} else {
			at = puts_(line, sizeof(line), at, "null");
		}
		n = snprintf(line + at, sizeof(line) - at, ",\"request_id\":\"%016llx\"}\n",
			     (unsigned long long)e->id);
	} else {
		/* Common Log Format, then the time taken, the project and the request id. */
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S +0000", &tm);
		n = snprintf(line, sizeof(line), "%s - - [%s] \"", e->client, when);
		if (e->method.len) {
			at = put(line, sizeof(line), (size_t)n, e->method.p, e->method.len, 0);
			at = puts_(line, sizeof(line), at, " ");
			at = accesslog_target(line, sizeof(line), at, e->path, e->query, 0);
			n = snprintf(line + at, sizeof(line) - at, " HTTP/1.%d\"", e->minor_version);
		} else {
			at = (size_t)n;
			n = snprintf(line + at, sizeof(line) - at, "-\"");
		}
		at += n > 0 && (size_t)n < sizeof(line) - at ? (size_t)n : 0;
		n = snprintf(line + at, sizeof(line) - at, " %d %llu rt=%.3f project=", e->status,
			     (unsigned long long)e->bytes, (double)e->usec / 1e6);
		at += n > 0 && (size_t)n < sizeof(line) - at ? (size_t)n : 0;
		if (has_project)
			at = put(line, sizeof(line), at, project.p, project.len, 0);
		else
			at = puts_(line, sizeof(line), at, "-");
		n = snprintf(line + at, sizeof(line) - at, " rid=%016llx\n", (unsigned long long)e->id);
	}
	if (n < 0 || (size_t)n >= sizeof(line) - at) {
		/* Cut: the line still ends with its newline. */
		at = sizeof(line) - 2;
		line[at++] = '\n';
	} else {
		at += (size_t)n;
	}
	oplog_write(line, at);
}
