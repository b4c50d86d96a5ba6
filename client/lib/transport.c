/* transport.c - libprosum's HTTPS client: libcurl with verification, ceilings, error mapping. */
#include "lib/transport.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/util.h"

struct transport {
	transport_config cfg;
	CURL *curl;
	long deadline_ms;
	int too_big;
	int stream_failed;
	char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

/* curl_global_init is thread-safe in the libcurl we build against, but runs once anyway. */
static void init_curl(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void transport_answer_free(transport_answer *a)
{
	if (!a)
		return;
	buf_free(&a->body);
	a->status = 0;
	a->retry_after = -1;
	a->content_type[0] = '\0';
}

int transport_new(transport **out, const transport_config *cfg)
{
	transport *t;

	pthread_once(&curl_once, init_curl);
	if (curl_init_rc != CURLE_OK)
		return error_set(PROSUM_ERROR, "libcurl failed to start: %s",
				 curl_easy_strerror(curl_init_rc));
	t = calloc(1, sizeof(*t));
	if (!t)
		return error_set(PROSUM_ENOMEM, "out of memory");
	t->cfg = *cfg;
	t->curl = curl_easy_init();
	if (!t->curl) {
		free(t);
		return error_set(PROSUM_ENOMEM, "out of memory (curl_easy_init)");
	}
	*out = t;
	return 0;
}

void transport_free(transport *t)
{
	if (!t)
		return;
	curl_easy_cleanup(t->curl);
	free(t);
}

void transport_set_deadline(transport *t, long timeout_ms)
{
	t->deadline_ms = timeout_ms;
}

typedef struct sink {
	transport *t;
	transport_answer *ans;
	transport_stream_fn stream; /* NULL: keep the body */
	void *stream_arg;
} sink;

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	sink *s = arg;
	size_t len = size * n;

	if (s->stream) {
		long status = 0;
		/* The head is complete by the first piece of the body: only a 2xx is streamed. */
		curl_easy_getinfo(s->t->curl, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status <= 299) {
			if (s->stream(data, len, s->stream_arg) != 0) {
				s->t->stream_failed = 1;
				return 0; /* CURLE_WRITE_ERROR */
			}
			return len;
		}
	}
	if (buf_append(&s->ans->body, data, len) != 0) {
		s->t->too_big = 1;
		return 0; /* CURLE_WRITE_ERROR */
	}
	return len;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	const transport *t = arg;

	return t->cfg.cancel && atomic_load(t->cfg.cancel) ? 1 : 0;
}

/* The scheme, host and port of `url`: what "cannot reach" is about, whichever endpoint was
 * asked (a flush may fail on an older queued item than the one a command just queued). */
static int origin_len(const char *url)
{
	const char *host = strstr(url, "://"), *slash;

	if (!host)
		return (int)strlen(url);
	slash = strchr(host + 3, '/');
	return (int)(slash ? (size_t)(slash - url) : strlen(url));
}

static int map_curl_error(transport *t, CURLcode cc, const char *url)
{
	const char *why = t->errbuf[0] ? t->errbuf : curl_easy_strerror(cc);

	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return error_set(PROSUM_ETIMEOUT, "%s: timed out: %s", url, why);
	case CURLE_PEER_FAILED_VERIFICATION:
		return error_set_untrusted(
		    "%s: TLS failed: the server's certificate is not trusted (%s)", url, why);
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return error_set_untrusted(
		    "%s: TLS failed: the server's public key does not match the pin (%s)", url,
		    why);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return error_set(PROSUM_ETLS, "%s: TLS failed: %s", url, why);
	case CURLE_WRITE_ERROR:
		if (t->stream_failed)
			return error_set(PROSUM_EIO, "%s: the answer could not be written out",
					 url);
		if (t->too_big)
			return error_set(PROSUM_EPROTOCOL, "%s: the answer is larger than %d bytes",
					 url, PROSUM_MAX_ANSWER);
		return error_set(PROSUM_ENETWORK, "%s: %s", url, why);
	case CURLE_ABORTED_BY_CALLBACK:
		return error_set(PROSUM_ENETWORK, "%s: cancelled", url);
	case CURLE_OUT_OF_MEMORY:
		return error_set(PROSUM_ENOMEM, "%s: out of memory", url);
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return error_set(PROSUM_EINVALID, "%s: %s", url, why);
	default:
		return error_set(PROSUM_ENETWORK, "cannot reach %.*s: %s", origin_len(url), url,
				 why);
	}
}

/* Settings common to every request; the handle is reset first so nothing leaks between them. */
static int prepare(transport *t, transport_answer *ans, sink *s, const char *url)
{
	long timeout = t->cfg.timeout_ms;
	CURL *c = t->curl;
	CURLcode cc = CURLE_OK;

	curl_easy_reset(c);
	t->errbuf[0] = '\0';
	t->too_big = 0;
	t->stream_failed = 0;
	transport_answer_free(ans);
	s->t = t;
	s->ans = ans;
	s->stream = NULL;
	s->stream_arg = NULL;
	if (t->deadline_ms > 0 && (timeout <= 0 || t->deadline_ms < timeout))
		timeout = t->deadline_ms;

#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (cc == CURLE_OK)                                                                \
			cc = curl_easy_setopt(c, opt, val);                                        \
	} while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_ERRORBUFFER, t->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_USERAGENT, "libprosum/" PROSUM_VERSION);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, s);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, t);
	SET(CURLOPT_CONNECTTIMEOUT_MS, t->cfg.connect_timeout_ms);
	if (timeout > 0) {
		SET(CURLOPT_TIMEOUT_MS, timeout);
	} else {
		/* No limit on the whole transfer (a long export): still none on silence. */
		SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
		SET(CURLOPT_LOW_SPEED_TIME, 60L);
	}
	SET(CURLOPT_ACCEPT_ENCODING, "");
	if (t->cfg.ca_file)
		SET(CURLOPT_CAINFO, t->cfg.ca_file);
	if (t->cfg.pinned_pubkey) {
		SET(CURLOPT_PINNEDPUBLICKEY, t->cfg.pinned_pubkey);
		/* A pin without a CA: the pin alone vouches for a self-signed server. */
		if (!t->cfg.ca_file) {
			SET(CURLOPT_SSL_VERIFYPEER, 0L);
			SET(CURLOPT_SSL_VERIFYHOST, 0L);
		}
	}
#undef SET
	if (cc != CURLE_OK)
		return error_set(PROSUM_ERROR, "libcurl refused an option: %s",
				 curl_easy_strerror(cc));
	return 0;
}

static int perform(transport *t, transport_answer *ans, const char *url)
{
	CURLcode cc = curl_easy_perform(t->curl);
	char *ct = NULL;
	curl_off_t ra = -1;

	if (cc != CURLE_OK)
		return map_curl_error(t, cc, url);
	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &ans->status);
	if (curl_easy_getinfo(t->curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct) {
		size_t n = strlen(ct);
		if (n >= sizeof(ans->content_type))
			n = sizeof(ans->content_type) - 1;
		memcpy(ans->content_type, ct, n);
		ans->content_type[n] = '\0';
	}
	if (curl_easy_getinfo(t->curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0) {
		if (ra > PROSUM_MAX_RETRY_AFTER_S)
			ra = PROSUM_MAX_RETRY_AFTER_S;
		ans->retry_after = (long)ra;
	} else if (ans->status == 429 || ans->status == 503) {
		/* "Retry-After: 0" or none: still not at once. */
		ans->retry_after = ra == 0 ? 0 : -1;
	}
	if (!ans->body.p)
		buf_append(&ans->body, "", 0);
	return 0;
}

int transport_post_report(transport *t, transport_answer *ans, const dsn *d, const envelope *p)
{
	struct curl_slist *headers = NULL, *h;
	curl_mime *mime = NULL;
	buf url = BUF_INIT(2048), key = BUF_INIT(256);
	sink s;
	int rc;

	rc = buf_printf(&url, "%s/api/v1/projects/%s/reports", d->origin, d->project);
	if (rc == 0)
		rc = buf_printf(&key, "X-Prosum-Key: %s", d->key);
	if (rc) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	rc = prepare(t, ans, &s, url.p);
	if (rc)
		goto out;
	h = curl_slist_append(headers, key.p);
	if (h)
		headers = h;
	h = h ? curl_slist_append(headers, "Accept: application/json") : NULL;
	/* The server answers at once; no 100-continue round trip. */
	h = h ? curl_slist_append(headers, "Expect:") : NULL;
	if (h && p->nparts == 0)
		h = curl_slist_append(headers, "Content-Type: application/json");
	if (!h) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	if (p->nparts == 0) {
		curl_easy_setopt(t->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->json_len);
		curl_easy_setopt(t->curl, CURLOPT_POSTFIELDS, p->json);
	} else {
		curl_mimepart *part;
		mime = curl_mime_init(t->curl);
		part = mime ? curl_mime_addpart(mime) : NULL;
		if (!part || curl_mime_name(part, "report") != CURLE_OK ||
		    curl_mime_type(part, "application/json") != CURLE_OK ||
		    curl_mime_data(part, p->json, p->json_len) != CURLE_OK) {
			rc = error_set(PROSUM_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < p->nparts; i++) {
			part = curl_mime_addpart(mime);
			if (!part || curl_mime_name(part, "attachment") != CURLE_OK ||
			    curl_mime_filename(part, p->parts[i].name) != CURLE_OK ||
			    curl_mime_type(part, "application/octet-stream") != CURLE_OK ||
			    curl_mime_data(part, (const char *)p->parts[i].data, p->parts[i].len) !=
				CURLE_OK) {
				rc = error_set(PROSUM_ENOMEM, "out of memory");
				goto out;
			}
		}
		curl_easy_setopt(t->curl, CURLOPT_MIMEPOST, mime);
	}
	curl_easy_setopt(t->curl, CURLOPT_HTTPHEADER, headers);
	rc = perform(t, ans, url.p);
out:
	/* The handle must forget the lists before they are freed. */
	curl_easy_setopt(t->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(t->curl, CURLOPT_MIMEPOST, NULL);
	curl_mime_free(mime);
	curl_slist_free_all(headers);
	buf_free(&url);
	buf_free(&key);
	return rc;
}

int transport_perform(transport *t, transport_answer *ans, const transport_call *call)
{
	struct curl_slist *headers = NULL, *h;
	buf auth = BUF_INIT(4096);
	const char *method = call->method;
	sink s;
	int rc;

	rc = prepare(t, ans, &s, call->url);
	if (rc)
		goto out;
	s.stream = call->stream;
	s.stream_arg = call->stream_arg;
	h = curl_slist_append(headers, "Accept: application/json");
	if (h)
		headers = h;
	h = h ? curl_slist_append(headers, "Expect:") : NULL;
	if (h && call->token) {
		if (buf_printf(&auth, "Authorization: Bearer %s", call->token) != 0)
			h = NULL;
		else
			h = curl_slist_append(headers, auth.p);
	}
	for (size_t i = 0; h && call->headers && call->headers[i]; i++)
		h = curl_slist_append(headers, call->headers[i]);
	if (h && call->body)
		h = curl_slist_append(headers, "Content-Type: application/json");
	if (!h) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	curl_easy_setopt(t->curl, CURLOPT_HTTPHEADER, headers);
	if (call->body) {
		curl_easy_setopt(t->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->body_len);
		curl_easy_setopt(t->curl, CURLOPT_POSTFIELDS, call->body);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(t->curl, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "POST") == 0 && !call->body) {
		curl_easy_setopt(t->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
		curl_easy_setopt(t->curl, CURLOPT_POSTFIELDS, "");
	}
	rc = perform(t, ans, call->url);
out:
	curl_easy_setopt(t->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	buf_free(&auth);
	return rc;
}

/* A copy of obj[key] when it is a string, else NULL. */
static char *dup_field(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? strdup(s) : NULL;
}

char *transport_error_line(const transport_answer *ans)
{
	json_t *root, *err;
	buf line = BUF_INIT(2048);
	const char *code = NULL, *msg = NULL, *field = NULL;
	char *out;

	root = json_loads(ans->body.p ? ans->body.p : "", 0, NULL);
	err = json_object_get(root, "error");
	if (json_is_object(err)) {
		code = json_string_value(json_object_get(err, "code"));
		msg = json_string_value(json_object_get(err, "message"));
		field = json_string_value(json_object_get(err, "field"));
	}
	buf_printf(&line, "%ld", ans->status);
	if (code)
		buf_printf(&line, " %s", code);
	if (msg)
		buf_printf(&line, "%s %s", code ? ":" : "", msg);
	if (field && field[0])
		buf_printf(&line, " (field %s)", field);
	if (!code && !msg && ans->body.len > 0)
		buf_printf(&line, " %.200s", ans->body.p);
	json_decref(root);
	out = buf_detach_str(&line);
	util_sanitize(out);
	return out;
}

int transport_read_result(prosum_result *res, const transport_answer *ans)
{
	json_t *root = NULL, *err, *rev, *known;
	json_error_t jerr;
	char *line = NULL;
	int rc = 0;

	prosum_result_dispose(res);
	res->status = (int)ans->status;
	res->body = strdup(ans->body.p ? ans->body.p : "");
	root = json_loadb(ans->body.p ? ans->body.p : "", ans->body.len, 0, &jerr);
	if (ans->status >= 200 && ans->status <= 299) {
		res->duplicate = ans->status == 200;
		if (!json_is_object(root)) {
			rc =
			    error_set(PROSUM_EPROTOCOL,
				      "the server answered %ld without a JSON object", ans->status);
			goto out;
		}
		res->id = dup_field(root, "id");
		res->group = dup_field(root, "group");
		rev = json_object_get(root, "revision");
		if (json_is_object(rev)) {
			res->revision_commit = dup_field(rev, "commit");
			res->revision_release = dup_field(rev, "release");
		}
		known = json_object_get(root, "known");
		if (json_is_object(known)) {
			res->known_group = dup_field(known, "group");
			res->known_status = dup_field(known, "status");
			res->known_fixed_in = dup_field(known, "fixed_in");
		}
		if (!res->id)
			rc = error_set(PROSUM_EPROTOCOL, "the server answered %ld without an id",
				       ans->status);
		goto out;
	}
	err = json_object_get(root, "error");
	if (json_is_object(err)) {
		res->error_code = dup_field(err, "code");
		res->error_message = dup_field(err, "message");
		res->error_field = dup_field(err, "field");
	}
	line = transport_error_line(ans);
	if (ans->status == 429 || ans->status == 503)
		rc = error_set(PROSUM_EBUSY, "server busy: %s", line ? line : "");
	else if (ans->status == 401 || ans->status == 403 || ans->status == 404)
		rc = error_set(PROSUM_EAUTH, "server refused the DSN: %s", line ? line : "");
	else if (ans->status >= 500)
		rc = error_set(PROSUM_EHTTP, "server error: %s", line ? line : "");
	else if (ans->status >= 400)
		rc = error_set(PROSUM_EHTTP, "server refused the report: %s", line ? line : "");
	else
		rc = error_set(PROSUM_EPROTOCOL, "unexpected answer: %s", line ? line : "");
out:
	free(line);
	json_decref(root);
	return rc;
}

char *transport_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	char *copy;

	if (!e)
		return NULL;
	copy = strdup(e);
	curl_free(e);
	return copy;
}

void prosum_result_dispose(prosum_result *result)
{
	if (!result)
		return;
	free(result->uuid);
	free(result->id);
	free(result->group);
	free(result->revision_commit);
	free(result->revision_release);
	free(result->known_group);
	free(result->known_status);
	free(result->known_fixed_in);
	free(result->error_code);
	free(result->error_message);
	free(result->error_field);
	free(result->body);
	{
		/* A result of version 1 ends where version 2 began. */
		unsigned int v = result->version;
		memset(result, 0, v == 1 ? offsetof(prosum_result, kind) : sizeof(*result));
		result->version = v >= 1 && v <= PROSUM_RESULT_VERSION ? v : PROSUM_RESULT_VERSION;
	}
}
