/* mail_smtp.c - sending one message through the operator's SMTP relay with libcurl. */
#include "notify/mail_smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#define CONNECT_SECONDS 30
#define SEND_SECONDS 120 /* a whole message; a digest is small */

typedef struct reader {
	const char *p;
	size_t left;
} reader;

static size_t read_cb(char *dst, size_t size, size_t n, void *ctx)
{
	reader *r = ctx;
	size_t k = size * n < r->left ? size * n : r->left;

	memcpy(dst, r->p, k);
	r->p += k;
	r->left -= k;
	return k;
}

int mail_smtp_send(const mail_smtp *s, const char *to, const char *msg, size_t len, char *err,
		   size_t errlen)
{
	CURL *c = curl_easy_init();
	struct curl_slist *rcpt = NULL;
	char from[300], rcpt_to[300], cerr[CURL_ERROR_SIZE] = "";
	reader r = {msg, len};
	CURLcode rc;
	int ret = -1;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(from, sizeof(from), "<%s>", s->from);
	snprintf(rcpt_to, sizeof(rcpt_to), "<%s>", to);
	rcpt = curl_slist_append(NULL, rcpt_to);
	if (!rcpt) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* STARTTLS whenever the relay offers it; a relay on localhost may not. smtps:// is TLS
	 * from the first byte. */
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &r);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_SECONDS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)SEND_SECONDS);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	if (s->user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password ? s->password : "");
	}
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", cerr[0] ? cerr : curl_easy_strerror(rc));
		goto out;
	}
	ret = 0;
out:
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return ret;
}
