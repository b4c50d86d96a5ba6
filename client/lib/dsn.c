/* dsn.c - strict parser for DSNs of the form https://KEY@HOST:PORT/PROJECT. */
#include "lib/dsn.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/error.h"
#include "prosum.h"

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_key_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '~' || c == '-';
}

static int is_project_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '-';
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A DNS name or IPv4 literal: labels of [A-Za-z0-9-], none empty. */
static int valid_name(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (is_alnum(s[i]) || s[i] == '-') {
			label++;
		} else {
			return 0;
		}
	}
	return label > 0;
}

/* "[...]" holding hex digits, ':' and '.', with at least one ':'. */
static int valid_ipv6(const char *s, size_t n)
{
	int colons = 0;

	if (n < 4 || s[0] != '[' || s[n - 1] != ']')
		return 0;
	for (size_t i = 1; i + 1 < n; i++) {
		if (s[i] == ':')
			colons++;
		else if (!is_hex(s[i]) && s[i] != '.')
			return 0;
	}
	return colons >= 2;
}

int dsn_parse(dsn *out, const char *text)
{
	static const char scheme[] = "https://";
	const size_t slen = sizeof(scheme) - 1;
	dsn d;
	const char *p, *at, *slash, *host, *host_end, *port = NULL;
	size_t len, n;

	memset(&d, 0, sizeof(d));
	if (!out || !text)
		return error_set(PROSUM_EINVALID, "invalid DSN: none given");
	len = strlen(text);
	if (len == 0)
		return error_set(PROSUM_EINVALID, "invalid DSN: empty");
	if (len > PROSUM_MAX_DSN)
		return error_set(PROSUM_EINVALID, "invalid DSN: longer than %d bytes",
				 PROSUM_MAX_DSN);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c <= 0x20 || c >= 0x7f)
			return error_set(
			    PROSUM_EINVALID,
			    "invalid DSN: white space, control or non-ASCII character at "
			    "offset %zu",
			    i);
	}
	if (len < slen || strncasecmp(text, scheme, slen) != 0) {
		if (strncasecmp(text, "http://", 7) == 0)
			return error_set(
			    PROSUM_EINVALID,
			    "invalid DSN: the scheme must be https (reports travel over TLS)");
		return error_set(PROSUM_EINVALID,
				 "invalid DSN: expected https://KEY@HOST:PORT/PROJECT");
	}
	p = text + slen;

	at = strchr(p, '@');
	slash = strchr(p, '/');
	if (!at || (slash && slash < at))
		return error_set(PROSUM_EINVALID,
				 "invalid DSN: no key (https://KEY@HOST:PORT/PROJECT)");
	n = (size_t)(at - p);
	if (n == 0)
		return error_set(PROSUM_EINVALID, "invalid DSN: empty key");
	if (n > PROSUM_MAX_KEY)
		return error_set(PROSUM_EINVALID, "invalid DSN: key longer than %d bytes",
				 PROSUM_MAX_KEY);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == ':')
			return error_set(PROSUM_EINVALID,
					 "invalid DSN: the key has a password part (':')");
		if (!is_key_char(p[i]))
			return error_set(PROSUM_EINVALID, "invalid DSN: bad character '%c' in key",
					 p[i]);
	}
	memcpy(d.key, p, n);
	d.key[n] = '\0';

	host = at + 1;
	if (strchr(host, '@'))
		return error_set(PROSUM_EINVALID, "invalid DSN: more than one '@'");
	if (!slash)
		return error_set(PROSUM_EINVALID,
				 "invalid DSN: no project (https://KEY@HOST:PORT/PROJECT)");
	if (host[0] == '[') {
		host_end = strchr(host, ']');
		if (!host_end || host_end > slash)
			return error_set(PROSUM_EINVALID, "invalid DSN: unterminated IPv6 address");
		host_end++;
		if (*host_end == ':')
			port = host_end + 1;
		else if (host_end != slash)
			return error_set(PROSUM_EINVALID, "invalid DSN: junk after IPv6 address");
	} else {
		const char *colon = memchr(host, ':', (size_t)(slash - host));
		host_end = colon ? colon : slash;
		if (colon)
			port = colon + 1;
	}
	n = (size_t)(host_end - host);
	if (n == 0)
		return error_set(PROSUM_EINVALID, "invalid DSN: empty host");
	if (n > PROSUM_MAX_HOST)
		return error_set(PROSUM_EINVALID, "invalid DSN: host longer than %d bytes",
				 PROSUM_MAX_HOST);
	if (host[0] == '[' ? !valid_ipv6(host, n) : !valid_name(host, n))
		return error_set(PROSUM_EINVALID, "invalid DSN: bad host '%.*s'", (int)n, host);
	memcpy(d.host, host, n);
	d.host[n] = '\0';

	d.port = 443;
	if (port) {
		unsigned long v = 0;
		n = (size_t)(slash - port);
		if (n == 0)
			return error_set(PROSUM_EINVALID, "invalid DSN: empty port");
		if (n > 5)
			return error_set(PROSUM_EINVALID, "invalid DSN: bad port '%.*s'", (int)n,
					 port);
		for (size_t i = 0; i < n; i++) {
			if (port[i] < '0' || port[i] > '9')
				return error_set(PROSUM_EINVALID, "invalid DSN: bad port '%.*s'",
						 (int)n, port);
			v = v * 10 + (unsigned long)(port[i] - '0');
		}
		if (v < 1 || v > 65535)
			return error_set(PROSUM_EINVALID,
					 "invalid DSN: port %lu out of range 1..65535", v);
		d.port = (unsigned int)v;
	}

	p = slash + 1;
	n = strlen(p);
	if (n == 0)
		return error_set(PROSUM_EINVALID, "invalid DSN: empty project");
	if (n > PROSUM_MAX_PROJECT)
		return error_set(PROSUM_EINVALID, "invalid DSN: project longer than %d bytes",
				 PROSUM_MAX_PROJECT);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '/')
			return error_set(PROSUM_EINVALID,
					 "invalid DSN: the path must be exactly /PROJECT");
		if (!is_project_char(p[i]))
			return error_set(PROSUM_EINVALID,
					 "invalid DSN: bad character '%c' in project", p[i]);
	}
	if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0)
		return error_set(PROSUM_EINVALID, "invalid DSN: bad project '%s'", p);
	memcpy(d.project, p, n);
	d.project[n] = '\0';

	snprintf(d.origin, sizeof(d.origin), "https://%s:%u", d.host, d.port);
	*out = d;
	return 0;
}
