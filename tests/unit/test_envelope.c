/* test_envelope.c - the Sentry envelope parser: recorded envelopes and each way one is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/envelope.h"

/* A literal with its length, so inputs may hold NUL bytes. */
#define S(lit) lit, sizeof(lit) - 1

#define ITEM_MAX (1024 * 1024)

/* What one test parsed: a heap copy of exactly the input's size (AddressSanitizer catches a
 * read past the end), the envelope and the message. */
typedef struct parsed {
	char *copy;
	sentry_envelope env;
	char err[256];
	int rc;
} parsed;

static parsed *parse(const char *in, size_t len, size_t item_max)
{
	parsed *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->copy = malloc(len ? len : 1);
	assert_non_null(p->copy);
	if (len)
		memcpy(p->copy, in, len);
	p->rc = sentry_envelope_parse(&p->env, p->copy, len, item_max, p->err, sizeof(p->err));
	return p;
}

static void done(parsed *p)
{
	sentry_envelope_free(&p->env);
	free(p->copy);
	free(p);
}

static void assert_payload(const sentry_item *it, const char *want, size_t n)
{
	assert_int_equal(it->len, n);
	if (n)
		assert_memory_equal(it->payload, want, n);
}

/* Refused with exactly `msg`, and the envelope holds nothing. */
static void assert_refused(const char *in, size_t len, size_t item_max, const char *msg)
{
	parsed *p = parse(in, len, item_max);

	assert_int_equal(p->rc, -1);
	assert_string_equal(p->err, msg);
	assert_null(p->env.headers);
	assert_int_equal(p->env.nitems, 0);
	done(p);
}

/* sentry-python 2.x: an event with a length, the envelope header naming it. */
static void test_event_with_length(void **state)
{
	static const char in[] =
	    "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"sent_at\":\"2026-12-05T20:12:00."
	    "000Z\","
	    "\"dsn\":\"https://k@example.org/"
	    "42\",\"sdk\":{\"name\":\"sentry.python\",\"version\":\"2.19.0\"}}\n"
	    "{\"type\":\"event\",\"content_type\":\"application/json\",\"length\":41}\n"
	    "{\"message\":\"hello\",\"level\":\"error\",\"x\":1}\n";
	parsed *p = parse(S(in), ITEM_MAX);

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_string_equal(json_string_value(json_object_get(p->env.headers, "event_id")),
			    "9ec79c33ec9942ab8353589fcb2e04dc");
	assert_int_equal(p->env.nitems, 1);
	assert_string_equal(p->env.items[0].type, "event");
	assert_payload(&p->env.items[0], S("{\"message\":\"hello\",\"level\":\"error\",\"x\":1}"));
	assert_string_equal(
	    json_string_value(json_object_get(p->env.items[0].headers, "content_type")),
	    "application/json");
	/* The payload points into the caller's buffer. */
	assert_ptr_equal(p->env.items[0].payload, strstr(p->copy, "{\"message\""));
	done(p);
}

/* An event without length runs to the newline; a session follows. */
static void test_event_without_length(void **state)
{
	static const char in[] = "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n"
				 "{\"type\":\"event\"}\n"
				 "{\"message\":\"no length\"}\n"
				 "{\"type\":\"session\"}\n"
				 "{\"sid\":\"s1\",\"status\":\"ok\"}\n";
	parsed *p = parse(S(in), ITEM_MAX);

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_int_equal(p->env.nitems, 2);
	assert_string_equal(p->env.items[0].type, "event");
	assert_payload(&p->env.items[0], S("{\"message\":\"no length\"}"));
	assert_string_equal(p->env.items[1].type, "session");
	assert_payload(&p->env.items[1], S("{\"sid\":\"s1\",\"status\":\"ok\"}"));
	done(p);
}

/* An attachment's bytes may hold newlines and NULs: its length decides where it ends. */
static void test_binary_attachment(void **state)
{
	static const char in[] = "{}\n"
				 "{\"type\":\"attachment\",\"length\":10,\"filename\":\"core.bin\","
				 "\"content_type\":\"application/octet-stream\"}\n"
				 "\x7f"
				 "ELF\n\n\0\n{\n"
				 "\n"
				 "{\"type\":\"event\",\"length\":2}\n"
				 "{}";
	parsed *p = parse(S(in), ITEM_MAX);

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_int_equal(p->env.nitems, 2);
	assert_string_equal(p->env.items[0].type, "attachment");
	assert_payload(&p->env.items[0], S("\x7f"
					   "ELF\n\n\0\n{\n"));
	assert_string_equal(json_string_value(json_object_get(p->env.items[0].headers, "filename")),
			    "core.bin");
	assert_string_equal(p->env.items[1].type, "event");
	assert_payload(&p->env.items[1], S("{}"));
	done(p);
}

/* No trailing newline, with and without length; a header at the very end has an empty payload. */
static void test_no_trailing_newline(void **state)
{
	parsed *p;

	(void)state;
	p = parse(S("{}\n{\"type\":\"event\"}\n{\"a\":1}"), ITEM_MAX);
	assert_int_equal(p->rc, 0);
	assert_int_equal(p->env.nitems, 1);
	assert_payload(&p->env.items[0], S("{\"a\":1}"));
	done(p);

	p = parse(S("{}\n{\"type\":\"event\",\"length\":7}\n{\"a\":1}"), ITEM_MAX);
	assert_int_equal(p->rc, 0);
	assert_payload(&p->env.items[0], S("{\"a\":1}"));
	done(p);

	p = parse(S("{}\n{\"type\":\"client_report\"}"), ITEM_MAX);
	assert_int_equal(p->rc, 0);
	assert_int_equal(p->env.nitems, 1);
	assert_payload(&p->env.items[0], S(""));
	done(p);

	/* A zero length at the end, and an envelope of only its header. */
	p = parse(S("{}\n{\"type\":\"attachment\",\"length\":0}"), ITEM_MAX);
	assert_int_equal(p->rc, 0);
	assert_payload(&p->env.items[0], S(""));
	done(p);

	p = parse(S("{}"), ITEM_MAX);
	assert_int_equal(p->rc, 0);
	assert_true(json_is_object(p->env.headers));
	assert_int_equal(p->env.nitems, 0);
	done(p);
}

/* `{}` as the envelope header; empty lines between items are not items. */
static void test_empty_header_and_blank_lines(void **state)
{
	static const char in[] = "{}\n\n\n"
				 "{\"type\":\"event\",\"length\":2}\n{}\n"
				 "\n\n"
				 "{\"type\":\"event\"}\n"
				 "\n"
				 "\n";
	parsed *p = parse(S(in), ITEM_MAX);

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_int_equal(json_object_size(p->env.headers), 0);
	assert_int_equal(p->env.nitems, 2);
	assert_payload(&p->env.items[0], S("{}"));
	/* Without length the payload is the line after the header, even when empty. */
	assert_payload(&p->env.items[1], S(""));
	done(p);
}

/* A type prosum does not know is returned like any other. */
static void test_unknown_type(void **state)
{
	static const char in[] = "{}\n"
				 "{\"type\":\"profile_chunk\",\"length\":3}\nabc\n"
				 "{\"type\":\"event\",\"length\":2}\n{}\n";
	parsed *p = parse(S(in), ITEM_MAX);

	(void)state;
	assert_int_equal(p->rc, 0);
	assert_int_equal(p->env.nitems, 2);
	assert_string_equal(p->env.items[0].type, "profile_chunk");
	assert_payload(&p->env.items[0], S("abc"));
	assert_string_equal(p->env.items[1].type, "event");
	done(p);
}

/* Exactly SENTRY_ITEMS_MAX items pass; one more is refused naming it. */
static void test_too_many_items(void **state)
{
	static const char item[] = "{\"type\":\"session\",\"length\":2}\n{}\n";
	size_t n = 3 + (SENTRY_ITEMS_MAX + 1) * (sizeof(item) - 1);
	char *in = malloc(n);
	parsed *p;

	(void)state;
	assert_non_null(in);
	memcpy(in, "{}\n", 3);
	for (size_t i = 0; i <= SENTRY_ITEMS_MAX; i++)
		memcpy(in + 3 + i * (sizeof(item) - 1), item, sizeof(item) - 1);

	p = parse(in, n - (sizeof(item) - 1), ITEM_MAX);
	assert_int_equal(p->rc, 0);
	assert_int_equal(p->env.nitems, SENTRY_ITEMS_MAX);
	done(p);

	assert_refused(in, n, ITEM_MAX, "item 101: more than 100 items");
	free(in);
}

/* The item limit: with length, without, and exactly at it. */
static void test_item_too_large(void **state)
{
	parsed *p;

	(void)state;
	assert_refused(S("{}\n{\"type\":\"event\",\"length\":2}\n{}\n"
			 "{\"type\":\"attachment\",\"length\":9}\n123456789\n"),
		       8, "item 2: length 9 exceeds the limit of 8 bytes");
	assert_refused(S("{}\n{\"type\":\"event\"}\n123456789\n"), 8,
		       "item 1: payload of 9 bytes exceeds the limit of 8 bytes");
	/* The limit is checked before the end: a huge length is too large, not past the end. */
	assert_refused(S("{}\n{\"type\":\"attachment\",\"length\":9223372036854775807}\nx"), 8,
		       "item 1: length 9223372036854775807 exceeds the limit of 8 bytes");

	p = parse(
	    S("{}\n{\"type\":\"event\",\"length\":8}\n12345678\n{\"type\":\"event\"}\n87654321"),
	    8);
	assert_int_equal(p->rc, 0);
	assert_int_equal(p->env.nitems, 2);
	done(p);
}

/* Hostile and broken envelopes: each refused with a message naming the item and the fault. */
static void test_refused(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *msg;
	} cases[] = {
	    {S(""), "envelope is empty"},
	    {S("\n{\"type\":\"event\"}\n{}\n"), "envelope header: not valid JSON (column 0)"},
	    {S("{\"event_id\":\n"), "envelope header: not valid JSON (column 12)"},
	    {S("[]\n"), "envelope header: not a JSON object"},
	    {S("\"x\"\n"), "envelope header: not a JSON object"},
	    {S("{} {}\n"), "envelope header: not valid JSON (column 4)"},
	    {S("{\"a\":1,\"a\":2}\n"), "envelope header: not valid JSON (column 10)"},
	    {S("{}\n{\"type\":\"event\",\"length\":2}\n{}\n{\"type\":\"event\"\n{}\n"),
	     "item 2 header: not valid JSON (column 15)"},
	    {S("{}\n{\"type\":\"event\"}\n{}\n[\"event\"]\n{}\n"),
	     "item 2 header: not a JSON object"},
	    {S("{}\n42\n{}\n"), "item 1 header: not a JSON object"},
	    {S("{}\n{\"length\":2}\n{}\n"), "item 1: header has no type"},
	    {S("{}\n{\"type\":7}\n{}\n"), "item 1: type is not a string"},
	    {S("{}\n{\"type\":\"\"}\n{}\n"), "item 1: type is empty"},
	    {S("{}\n{\"type\":\"a-type-name-of-thirty-two-bytes!\"}\n{}\n"),
	     "item 1: type longer than 31 bytes"},
	    {S("{}\n{\"type\":\"ev\\u0000t\"}\n{}\n"), "item 1 header: not valid JSON (column 19)"},
	    {S("{}\n{\"type\":\"event\",\"length\":900}\n{\"message\":\"short\"}\n"),
	     "item 1: length 900 runs past the end of the envelope"},
	    {S("{}\n{\"type\":\"event\",\"length\":1}"),
	     "item 1: length 1 runs past the end of the envelope"},
	    {S("{}\n{\"type\":\"event\",\"length\":-1}\n{}\n"), "item 1: length -1 is negative"},
	    {S("{}\n{\"type\":\"event\",\"length\":2.0}\n{}\n"),
	     "item 1: length is not an integer"},
	    {S("{}\n{\"type\":\"event\",\"length\":\"2\"}\n{}\n"),
	     "item 1: length is not an integer"},
	    {S("{}\n{\"type\":\"event\",\"length\":null}\n{}\n"),
	     "item 1: length is not an integer"},
	    {S("{}\n{\"type\":\"event\",\"length\":99999999999999999999}\n{}\n"),
	     "item 1 header: not valid JSON (column 45)"},
	    {S("{}\n{\"type\":\"event\",\"length\":1}\n{}\n"),
	     "item 1: payload of length 1 is not followed by a newline"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu\n", i);
		assert_refused(cases[i].in, cases[i].len, ITEM_MAX, cases[i].msg);
	}
}

/* Header lines are bounded: exactly SENTRY_HEADER_MAX bytes pass, one more does not. */
static void test_header_limit(void **state)
{
	size_t n = SENTRY_HEADER_MAX + 64;
	char *in = malloc(n);
	size_t hdr;
	parsed *p;

	(void)state;
	assert_non_null(in);
	/* {"pad":"xxxx...x"} of exactly SENTRY_HEADER_MAX bytes. */
	memcpy(in, "{\"pad\":\"", 8);
	memset(in + 8, 'x', SENTRY_HEADER_MAX - 10);
	memcpy(in + SENTRY_HEADER_MAX - 2, "\"}", 2);
	in[SENTRY_HEADER_MAX] = '\n';
	hdr = SENTRY_HEADER_MAX + 1;
	p = parse(in, hdr, ITEM_MAX);
	assert_int_equal(p->rc, 0);
	done(p);

	memmove(in + 1, in, hdr);
	in[0] = '{';
	in[1] = ' ';
	in[2] = '"';
	assert_refused(in, hdr + 1, ITEM_MAX, "envelope header: longer than 16384 bytes");

	/* The same line as an item header. */
	memcpy(in, "{}\n{\"type\":\"x\",\"p\":\"", 20);
	memset(in + 20, 'y', SENTRY_HEADER_MAX - 18);
	memcpy(in + SENTRY_HEADER_MAX + 2, "\"}\n", 3);
	assert_refused(in, SENTRY_HEADER_MAX + 5, ITEM_MAX,
		       "item 1 header: longer than 16384 bytes");
	free(in);
}

/* A message that does not fit is cut, never overrun; freeing twice and freeing NULL is harmless. */
static void test_small_err_and_free(void **state)
{
	char buf[] = "{}\n{\"type\":\"event\",\"length\":900}\n{}\n";
	char err[8];
	sentry_envelope env;

	(void)state;
	assert_int_equal(sentry_envelope_parse(&env, buf, strlen(buf), ITEM_MAX, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "item 1:");
	assert_int_equal(sentry_envelope_parse(&env, buf, strlen(buf), ITEM_MAX, NULL, 0), -1);
	sentry_envelope_free(&env);
	sentry_envelope_free(&env);
	sentry_envelope_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event_with_length),
	    cmocka_unit_test(test_event_without_length),
	    cmocka_unit_test(test_binary_attachment),
	    cmocka_unit_test(test_no_trailing_newline),
	    cmocka_unit_test(test_empty_header_and_blank_lines),
	    cmocka_unit_test(test_unknown_type),
	    cmocka_unit_test(test_too_many_items),
	    cmocka_unit_test(test_item_too_large),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_header_limit),
	    cmocka_unit_test(test_small_err_and_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
