/* reply.c - small helpers for the JSON the API answers: times and ids. */
#include "api/reply.h"

#include <stdio.h>
#include <string.h>

#include "common/rfc3339.h"

json_t *reply_time(int64_t secs)
{
	char s[RFC3339_MAX];

	if (secs == 0)
		return json_null();
	rfc3339_format(s, secs);
	return json_string(s);
}

json_t *reply_id(char prefix, int64_t num)
{
	char s[32];

	snprintf(s, sizeof(s), "%c-%lld", prefix, (long long)num);
	return json_string(s);
}

json_t *reply_list(json_t *items, int64_t next)
{
	char cursor[32];

	snprintf(cursor, sizeof(cursor), "%lld", (long long)next);
	return json_pack("{s:o,s:o}", "items", items, "next",
			 next ? json_string(cursor) : json_null());
}

int reply_parse_id(const char *s, char prefix, int64_t *num)
{
	int64_t n = 0;
	const char *p;

	/* r-1 is R-1: people type ids in either case. */
	if (!s || (s[0] != prefix && s[0] != prefix + ('a' - 'A')) || s[1] != '-' || s[2] < '1' ||
	    s[2] > '9')
		return -1;
	for (p = s + 2; *p; p++) {
		if (*p < '0' || *p > '9' || n > (INT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	if (p - s > 20)
		return -1;
	*num = n;
	return 0;
}
