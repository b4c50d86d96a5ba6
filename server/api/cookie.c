/* cookie.c - the session cookie, its CSRF token and the Origin check: reading, deriving, writing. */
#include "api/cookie.h"

#include <mbedtls/md.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/auth.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void cookie_b64url(const uint8_t *in, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
	}
	out[o] = '\0';
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

int cookie_decode_id(const char *text, size_t len, uint8_t id[COOKIE_ID_LEN])
{
	uint32_t acc = 0;
	int bits = 0, v;
	size_t i, o = 0;

	if (len != COOKIE_TEXT_LEN)
		return -1;
	for (i = 0; i < len; i++) {
		v = b64_value(text[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == COOKIE_ID_LEN)
				return -1;
			id[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* 43 characters hold 258 bits: the last 2 must be zero, as cookie_b64url writes them. */
	return o == COOKIE_ID_LEN && acc == 0 ? 0 : -1;
}

int cookie_find(const char *header, size_t len, const char *name, const char **val,
		size_t *vlen)
{
	size_t nlen = strlen(name), i = 0;

	while (i < len) {
		size_t start, end;

		while (i < len && (header[i] == ' ' || header[i] == '\t' || header[i] == ';'))
			i++;
		start = i;
		while (i < len && header[i] != ';')
			i++;
		end = i;
		while (end > start && (header[end - 1] == ' ' || header[end - 1] == '\t'))
			end--;
		if (end - start > nlen && memcmp(header + start, name, nlen) == 0 &&
		    header[start + nlen] == '=') {
			*val = header + start + nlen + 1;
			*vlen = end - start - nlen - 1;
			return 1;
		}
	}
	return 0;
}

int cookie_new_id(uint8_t id[COOKIE_ID_LEN], char text[COOKIE_TEXT_LEN + 1])
{
	if (auth_random(id, COOKIE_ID_LEN) < 0)
		return -1;
	cookie_b64url(id, COOKIE_ID_LEN, text);
	return 0;
}

/* HMAC-SHA-256(secret, label || id). */
static void keyed(const uint8_t secret[PROSUM_SECRET_LEN], const char *label,
		  const uint8_t id[COOKIE_ID_LEN], uint8_t out[32])
{
	uint8_t msg[16 + COOKIE_ID_LEN];
	size_t n = strlen(label);

	memcpy(msg, label, n);
	memcpy(msg + n, id, COOKIE_ID_LEN);
	mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), secret, PROSUM_SECRET_LEN,
			msg, n + COOKIE_ID_LEN, out);
}

void cookie_session_hash(const uint8_t secret[PROSUM_SECRET_LEN], const uint8_t id[COOKIE_ID_LEN],
			 uint8_t out[32])
{
	keyed(secret, "session", id, out);
}

void cookie_csrf(const uint8_t secret[PROSUM_SECRET_LEN], const uint8_t id[COOKIE_ID_LEN],
		 char out[COOKIE_CSRF_LEN + 1])
{
	uint8_t mac[32];

	keyed(secret, "csrf", id, mac);
	cookie_b64url(mac, sizeof(mac), out);
}

int cookie_csrf_equal(const char *got, size_t len, const char *want)
{
	size_t wlen = strlen(want), i;
	unsigned char diff = len != wlen;

	for (i = 0; i < wlen; i++)
		diff |= (unsigned char)(want[i] ^ (i < len ? got[i] : 0));
	return diff == 0;
}

int cookie_origin_ok(const http_request *req)
{
	const http_header *h = http_find_header(req, "origin");

	if (!h)
		return 1;
	return req->host.len > 0 && h->value.len == 8 + req->host.len &&
	       strncasecmp(h->value.p, "https://", 8) == 0 &&
	       strncasecmp(h->value.p + 8, req->host.p, req->host.len) == 0;
}

void cookie_set_header(char *out, size_t outsz, const char *text)
{
	snprintf(out, outsz,
		 "Set-Cookie: " COOKIE_NAME "=%s; Max-Age=%d; HttpOnly; Secure; SameSite=Strict; "
		 "Path=/\r\n",
		 text ? text : "", text ? COOKIE_ABSOLUTE_SECONDS : 0);
}
