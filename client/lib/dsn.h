/* dsn.h - parsing a DSN, https://KEY@HOST:PORT/PROJECT, strictly. */
#ifndef PROSUM_CLIENT_DSN_H
#define PROSUM_CLIENT_DSN_H

#include <stddef.h>

#include "lib/client_limits.h"

/* A parsed DSN. Plain data: no pointers, nothing to free. */
typedef struct dsn {
	char key[PROSUM_MAX_KEY + 1];         /* ingest key */
	char host[PROSUM_MAX_HOST + 1];       /* name or IPv4, or IPv6 inside brackets "[::1]" */
	unsigned int port;                    /* 1..65535; 443 when the DSN has none */
	char project[PROSUM_MAX_PROJECT + 1]; /* project name */
	char origin[PROSUM_MAX_HOST + 16];    /* "https://HOST:PORT", for building URLs */
} dsn;

/*
 * Parse `text` into *out. The rules, all strict:
 * - scheme "https" (any case), then "://"; nothing else (no http, no "//x");
 * - KEY before '@': 1..128 of [A-Za-z0-9._~-] (no ':' password part, no '%');
 * - HOST: a name or IPv4 of [A-Za-z0-9.-] with no empty label, or an IPv6
 *   literal in brackets of [0-9A-Fa-f:.];
 * - ":PORT" optional: 1 to 5 decimal digits, 1..65535;
 * - "/PROJECT": 1..64 of [A-Za-z0-9._-], not "." or "..", nothing after it
 *   (no second '/', query or fragment);
 * - no white space or control characters anywhere, 1024 bytes at most.
 * Returns 0, or PROSUM_EINVALID with the reason in prosum_error_last().
 * *out is only written on success.
 */
int dsn_parse(dsn *out, const char *text);

#endif
