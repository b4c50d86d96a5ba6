/* cli_print.c - what the prosum command prints of single values: text, ages and times. */
#include "cli/cli_print.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/rfc3339.h"
#include "lib/prosum_tool.h"

/* Copy at most n - 1 bytes of s, never ending inside a UTF-8 sequence; sanitised. */
static void copy_text(char *out, size_t n, const char *s)
{
	size_t len = strlen(s);

	if (len >= n) {
		len = n - 1;
		/* Back off continuation bytes, then the lead byte whose sequence was cut. */
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(out, s, len);
	out[len] = '\0';
	util_sanitize(out);
}

void cli_text(char *out, size_t n, const json_t *v)
{
	char num[64];

	if (json_is_string(v)) {
		copy_text(out, n, json_string_value(v));
		return;
	}
	if (json_is_integer(v))
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(num, sizeof(num), "%g", json_real_value(v));
	else if (json_is_true(v))
		snprintf(num, sizeof(num), "true");
	else if (json_is_false(v))
		snprintf(num, sizeof(num), "false");
	else if (!v || json_is_null(v))
		snprintf(num, sizeof(num), "-");
	else {
		char *s = json_dumps(v, JSON_COMPACT);
		copy_text(out, n, s ? s : "?");
		free(s);
		return;
	}
	copy_text(out, n, num);
}

/* Seconds since the epoch of a timestamp given as RFC 3339 text or as a number. */
static int time_of(const json_t *v, time_t *out)
{
	int64_t secs;

	if (json_is_integer(v)) {
		*out = (time_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && rfc3339_parse(json_string_value(v), &secs) == 0) {
		*out = (time_t)secs;
		return 0;
	}
	return -1;
}

void cli_age(char *out, size_t n, const json_t *v, time_t now)
{
	time_t t;
	long long d;

	if (time_of(v, &t) != 0) {
		snprintf(out, n, "-");
		return;
	}
	d = (long long)(now - t);
	if (d < 0)
		snprintf(out, n, "in the future");
	else if (d < 5)
		snprintf(out, n, "just now");
	else if (d < 60)
		snprintf(out, n, "%llds ago", d);
	else if (d < 3600)
		snprintf(out, n, "%lldm ago", d / 60);
	else if (d < 86400)
		snprintf(out, n, "%lldh ago", d / 3600);
	else if (d < 86400LL * 60)
		snprintf(out, n, "%lldd ago", d / 86400);
	else if (d < 86400LL * 365 * 2)
		snprintf(out, n, "%lldmo ago", d / (86400LL * 30));
	else
		snprintf(out, n, "%lldy ago", d / (86400LL * 365));
}

void cli_when(char *out, size_t n, const json_t *v, time_t now)
{
	char stamp[32], age[64];
	time_t t;

	if (time_of(v, &t) != 0) {
		snprintf(out, n, "-");
		return;
	}
	rfc3339_format(stamp, (int64_t)t);
	cli_age(age, sizeof(age), v, now);
	snprintf(out, n, "%s (%s)", stamp, age);
}
