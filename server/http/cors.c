/* cors.c - the Sentry ingest paths: which they are, and the headers their answers carry. */
#include "http/http.h"

#include <stdio.h>
#include <string.h>

/* "/api/" digits "/" ("envelope" | "store") "/" */
int http_sentry_path(http_slice path)
{
	static const char pre[] = "/api/";
	size_t i = sizeof(pre) - 1, digits = 0, rest;

	if (path.len < i || memcmp(path.p, pre, i) != 0)
		return 0;
	while (i < path.len && path.p[i] >= '0' && path.p[i] <= '9') {
		i++;
		digits++;
	}
	if (digits == 0 || digits > 18)
		return 0;
	rest = path.len - i;
	return (rest == 10 && memcmp(path.p + i, "/envelope/", 10) == 0) ||
	       (rest == 7 && memcmp(path.p + i, "/store/", 7) == 0);
}

int http_sentry_retry_headers(char *out, size_t outlen, int seconds)
{
	int n;

	if (seconds < 1)
		seconds = 1;
	n = snprintf(out, outlen, "Retry-After: %d\r\nX-Sentry-Rate-Limits: %d::organization\r\n",
		     seconds, seconds);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}
