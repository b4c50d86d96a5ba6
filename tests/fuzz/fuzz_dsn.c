/* fuzz_dsn.c - fuzz harness of the client's strict DSN parser. */
#include <stdio.h>
#include <string.h>

#include "lib/dsn.h"
#include "fuzz.h"
#include "prosum.h"

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Every byte of the NUL-terminated s[] is alphanumeric or one of `extra`, and it is
 * between 1 and max bytes long. */
static int made_of(const char *s, size_t max, const char *extra)
{
	size_t n = strnlen(s, max + 1);

	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_alnum(s[i]) && strchr(extra, s[i]) == NULL)
			return 0;
	}
	return 1;
}

/* What dsn.h promises about a DSN it accepted. */
static void check_dsn(const dsn *d)
{
	char origin[sizeof(d->origin)];
	char text[PROSUM_MAX_DSN + 64];
	dsn again;
	int n;

	FUZZ_CHECK(made_of(d->key, PROSUM_MAX_KEY, "._~-"));
	if (d->host[0] == '[')
		FUZZ_CHECK(made_of(d->host, PROSUM_MAX_HOST, "[]:.") &&
			   d->host[strlen(d->host) - 1] == ']');
	else
		FUZZ_CHECK(made_of(d->host, PROSUM_MAX_HOST, ".-") &&
			   strstr(d->host, "..") == NULL && d->host[0] != '.' &&
			   d->host[strlen(d->host) - 1] != '.');
	FUZZ_CHECK(d->port >= 1 && d->port <= 65535);
	FUZZ_CHECK(made_of(d->project, PROSUM_MAX_PROJECT, "._-"));
	FUZZ_CHECK(strcmp(d->project, ".") != 0 && strcmp(d->project, "..") != 0);
	n = snprintf(origin, sizeof(origin), "https://%s:%u", d->host, d->port);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(origin));
	FUZZ_CHECK(strcmp(origin, d->origin) == 0);

	/* The parts written back as a DSN parse to the same parts. */
	n = snprintf(text, sizeof(text), "https://%s@%s:%u/%s", d->key, d->host, d->port,
		     d->project);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(text));
	if ((size_t)n <= PROSUM_MAX_DSN) {
		FUZZ_CHECK(dsn_parse(&again, text) == 0);
		FUZZ_CHECK(strcmp(again.key, d->key) == 0 && strcmp(again.host, d->host) == 0 &&
			   again.port == d->port && strcmp(again.project, d->project) == 0 &&
			   strcmp(again.origin, d->origin) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	const char *why;
	dsn d, untouched;
	int rc;

	FUZZ_CHECK(text != NULL);
	if (size)
		memcpy(text, data, size);
	text[size] = '\0';

	memset(&d, 0xa5, sizeof(d));
	memcpy(&untouched, &d, sizeof(d));
	rc = dsn_parse(&d, text);
	if (rc == 0) {
		check_dsn(&d);
	} else {
		/* Refused: the reason is one clean line and *out was not written. */
		FUZZ_CHECK(rc == PROSUM_EINVALID);
		FUZZ_CHECK(memcmp(&d, &untouched, sizeof(d)) == 0);
		why = prosum_error_last();
		FUZZ_CHECK(why != NULL && strncmp(why, "invalid DSN", 11) == 0);
		for (const char *p = why; *p; p++)
			FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	}
	free(text);
	return 0;
}
