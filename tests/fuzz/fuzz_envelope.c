/* fuzz_envelope.c - fuzz harness of the Sentry envelope parser. */
#include <string.h>

#include "fuzz.h"
#include "sentry/envelope.h"

/*
 * Input: the envelope. It lives in a heap block of exactly its size, so reading past it is
 * caught. It is parsed under the server's item limit and under a tiny one, and what parsed is
 * written back as an envelope with every length given, which must parse to the same items.
 */

#define ERRLEN 160
#define ITEM_MAX_BIG (1024 * 1024)
#define ITEM_MAX_SMALL 16

/* A refusal: printable ASCII naming the envelope header or an item, and nothing kept. */
static void check_refused(const sentry_envelope *env, const char *err)
{
	size_t n = strnlen(err, ERRLEN);

	FUZZ_CHECK(env->headers == NULL && env->nitems == 0);
	FUZZ_CHECK(n > 0 && n < ERRLEN - 1);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(err[i] >= 0x20 && err[i] < 0x7f);
	FUZZ_CHECK(strncmp(err, "envelope ", 9) == 0 || strncmp(err, "item ", 5) == 0);
}

/* What envelope.h promises about an envelope it accepted. */
static void check_parsed(const sentry_envelope *env, const char *buf, size_t len, size_t item_max)
{
	const char *prev_end = buf;

	FUZZ_CHECK(json_is_object(env->headers));
	FUZZ_CHECK(env->nitems <= SENTRY_ITEMS_MAX);
	for (size_t i = 0; i < env->nitems; i++) {
		const sentry_item *it = &env->items[i];
		json_t *type = json_object_get(it->headers, "type");
		json_t *jlen = json_object_get(it->headers, "length");
		size_t tlen = strnlen(it->type, sizeof(it->type));

		FUZZ_CHECK(json_is_object(it->headers));
		FUZZ_CHECK(tlen > 0 && tlen < sizeof(it->type));
		FUZZ_CHECK(json_is_string(type) && strcmp(json_string_value(type), it->type) == 0);
		FUZZ_CHECK(it->len <= item_max);
		/* Payloads lie in the buffer, in order, each after its own header line. */
		FUZZ_CHECK(it->payload > prev_end && it->payload <= buf + len);
		FUZZ_CHECK(it->len <= (size_t)(buf + len - it->payload));
		FUZZ_CHECK(it->payload[-1] == '\n' || (it->payload == buf + len && it->len == 0));
		if (jlen != NULL) {
			FUZZ_CHECK(json_is_integer(jlen) && json_integer_value(jlen) >= 0 &&
				   (size_t)json_integer_value(jlen) == it->len);
		} else {
			FUZZ_CHECK(memchr(it->payload, '\n', it->len) == NULL);
		}
		prev_end = it->payload + it->len;
		FUZZ_CHECK(prev_end == buf + len || *prev_end == '\n');
	}
}

/* Append n bytes to out (of capacity cap) at *at. */
static void put(char *out, size_t cap, size_t *at, const void *p, size_t n)
{
	FUZZ_CHECK(n <= cap - *at);
	if (n)
		memcpy(out + *at, p, n);
	*at += n;
}

/* Write `env` back with every item's length given; it parses to the same items. Skipped when
 * a header written back by jansson (which may spell numbers longer) exceeds the line limit. */
static void check_rewritten(const sentry_envelope *env, size_t len, size_t item_max)
{
	size_t cap = 2 * len + (env->nitems + 1) * (SENTRY_HEADER_MAX + 2) + 1, at = 0;
	char *out = malloc(cap), *line = NULL;
	sentry_envelope again;
	char err[ERRLEN];
	int ok = 1;

	FUZZ_CHECK(out != NULL);
	line = json_dumps(env->headers, JSON_COMPACT);
	FUZZ_CHECK(line != NULL);
	ok = strlen(line) <= SENTRY_HEADER_MAX;
	put(out, cap, &at, line, ok ? strlen(line) : 0);
	put(out, cap, &at, "\n", 1);
	free(line);
	for (size_t i = 0; ok && i < env->nitems; i++) {
		json_t *h = json_deep_copy(env->items[i].headers);

		FUZZ_CHECK(h != NULL);
		FUZZ_CHECK(json_object_set_new(h, "length",
					       json_integer((json_int_t)env->items[i].len)) == 0);
		line = json_dumps(h, JSON_COMPACT);
		json_decref(h);
		FUZZ_CHECK(line != NULL);
		ok = strlen(line) <= SENTRY_HEADER_MAX;
		if (ok) {
			put(out, cap, &at, line, strlen(line));
			put(out, cap, &at, "\n", 1);
			put(out, cap, &at, env->items[i].payload, env->items[i].len);
			put(out, cap, &at, "\n", 1);
		}
		free(line);
	}
	if (ok) {
		FUZZ_CHECK(sentry_envelope_parse(&again, out, at, item_max, err, sizeof(err)) == 0);
		FUZZ_CHECK(again.nitems == env->nitems);
		FUZZ_CHECK(json_equal(again.headers, env->headers));
		for (size_t i = 0; i < env->nitems; i++) {
			FUZZ_CHECK(strcmp(again.items[i].type, env->items[i].type) == 0);
			FUZZ_CHECK(again.items[i].len == env->items[i].len);
			FUZZ_CHECK(env->items[i].len == 0 ||
				   memcmp(again.items[i].payload, env->items[i].payload,
					  env->items[i].len) == 0);
		}
		sentry_envelope_free(&again);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	char err[ERRLEN];
	sentry_envelope big, small;
	int rc_big, rc_small;

	FUZZ_CHECK(buf != NULL);
	if (size)
		memcpy(buf, data, size);

	memset(err, 0, sizeof(err));
	rc_big = sentry_envelope_parse(&big, buf, size, ITEM_MAX_BIG, err, sizeof(err));
	FUZZ_CHECK(rc_big == 0 || rc_big == -1);
	if (rc_big == 0) {
		check_parsed(&big, buf, size, ITEM_MAX_BIG);
		check_rewritten(&big, size, ITEM_MAX_BIG);
	} else {
		check_refused(&big, err);
	}

	/* A smaller limit only refuses more: what it accepts is what the larger one gave. */
	memset(err, 0, sizeof(err));
	rc_small = sentry_envelope_parse(&small, buf, size, ITEM_MAX_SMALL, err, sizeof(err));
	FUZZ_CHECK(rc_small == 0 || rc_small == -1);
	if (rc_small == 0) {
		check_parsed(&small, buf, size, ITEM_MAX_SMALL);
		FUZZ_CHECK(rc_big == 0 && small.nitems == big.nitems);
		for (size_t i = 0; i < small.nitems; i++)
			FUZZ_CHECK(small.items[i].payload == big.items[i].payload &&
				   small.items[i].len == big.items[i].len);
	} else {
		check_refused(&small, err);
	}
	sentry_envelope_free(&small);
	sentry_envelope_free(&big);
	sentry_envelope_free(&big); /* freeing twice is harmless */
	free(buf);
	return 0;
}
