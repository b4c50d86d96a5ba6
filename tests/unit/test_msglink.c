/* test_msglink.c - every form of the commit-message grammar of links.c, and near-misses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/links.h"

/* A case: the message and the links expected, written "R12 G3 S4" (kind follows from the type). */
typedef struct link_case {
	const char *msg;
	const char *want;
} link_case;

static const link_case cases[] = {
    /* Every verb, both kinds. */
    {"fix R-1", "R1"},
    {"fixes R-2", "R2"},
    {"fixed R-3", "R3"},
    {"close R-4", "R4"},
    {"closes R-5", "R5"},
    {"closed R-6", "R6"},
    {"resolve R-7", "R7"},
    {"resolves R-8", "R8"},
    {"resolved R-9", "R9"},
    {"implement S-1", "S1"},
    {"implements S-2", "S2"},
    {"implemented S-3", "S3"},
    {"fixes G-3", "G3"},
    {"closes G-30", "G30"},
    /* Case-insensitive verbs, types and "and". */
    {"FIXES R-12", "R12"},
    {"Fixes r-12", "R12"},
    {"fIxEd g-7", "G7"},
    {"IMPLEMENTS s-4", "S4"},
    {"Fixes R-1 AND R-2", "R1 R2"},
    /* With or without a colon, blanks around it. */
    {"Fixes: R-12", "R12"},
    {"Fixes:R-12", "R12"},
    {"Fixes :R-12", "R12"},
    {"Fixes\t:\tR-12", "R12"},
    {"Implements: S-4", "S4"},
    /* Prose. */
    {"This fixes R-12 and closes G-3.", "R12 G3"},
    {"Save works again; this fixes R-12.", "R12"},
    {"(fixes R-12)", "R12"},
    {"It fixes R-12, which was a crash.", "R12"},
    {"This also implements S-9!", "S9"},
    {"fixes R-12's crash", "R12"},
    {"\"fixes R-5\"", "R5"},
    {"[closes G-2]", "G2"},
    {"fix: R-1 crash on save", "R1"},
    /* Trailers and lists. */
    {"Fix the crash\n\nFixes: R-12, R-14\n", "R12 R14"},
    {"Fixes: R-12,R-14", "R12 R14"},
    {"Fixes: R-12 R-14 R-16", "R12 R14 R16"},
    {"Fixes R-12 and R-14", "R12 R14"},
    {"Fixes R-12, and R-14", "R12 R14"},
    {"Fixes R-1, R-2, and G-3", "R1 R2 G3"},
    {"Fixes R-1 ,R-2", "R1 R2"},
    {"Fixes R-1,,R-2", "R1 R2"},
    {"Implements: S-1, S-2 and S-3", "S1 S2 S3"},
    {"Subject\n\nBody text.\n\nFixes: R-1\nCloses: G-2\nImplements: S-3\n", "R1 G2 S3"},
    {"Subject\r\n\r\nFixes: R-1\r\nCloses: G-2\r\n", "R1 G2"},
    /* A list may wrap after ',' or "and", not at a bare line break. */
    {"This fixes R-1,\nR-2 too", "R1 R2"},
    {"This fixes R-1 and\nR-2 too", "R1 R2"},
    {"This fixes R-1,\n\n  and R-2", "R1 R2"},
    {"Fixes: R-1\nR-2 is a different story", "R1"},
    {"Fixes: R-1 \nR-2", "R1"},
    /* A line break between the verb and the first id is prose wrapping. */
    {"This fixes\nR-12.", "R12"},
    {"Fixes:\n  R-12", "R12"},
    /* Mixed kinds in one message; a verb inside a list ends it and starts anew. */
    {"Implements S-4 and fixes R-12", "S4 R12"},
    {"fixes R-1 and fixes R-2", "R1 R2"},
    {"fixes R-1 implements S-2", "R1 S2"},
    /* The wrong type for the verb: skipped, the list goes on. */
    {"implements R-3", ""},
    {"implements G-3", ""},
    {"fixes S-2", ""},
    {"closes S-2", ""},
    {"Fixes R-1, S-2, R-3", "R1 R3"},
    {"Implements S-1, R-2, S-3", "S1 S3"},
    /* Duplicates collapse, first appearance wins the order. */
    {"Fixes R-1, R-1", "R1"},
    {"Fixes R-2. Also fixes r-2 and closes R-2.", "R2"},
    {"fixes G-2, R-2, closes g-2", "G2 R2"},
    {"fixes R-7 fixes R-7 fixes R-8 fixes R-7", "R7 R8"},
    /* Sentence ends and other punctuation after an id. */
    {"fixes R-12.", "R12"},
    {"fixes R-12...", "R12"},
    {"fixes R-12. Next sentence", "R12"},
    {"fixes R-12.\nMore", "R12"},
    {"fixes R-12;", "R12"},
    {"fixes R-12:", "R12"},
    {"fixes R-12!", "R12"},
    {"fixes R-12?", "R12"},
    {"fixes R-12)", "R12"},
    {"fixes R-12/", "R12"},
    {"fixes R-12,", "R12"},
    {"fixes R-12, ", "R12"},
    {"fixes R-12 and", "R12"},
    {"fixes R-12 and ", "R12"},
    /* Numbers: bounds. */
    {"fixes R-1", "R1"},
    {"fixes R-999999999999999", "R999999999999999"},
    {"fixes R-1000000000000000", ""},
    {"fixes R-9007199254740992", ""},
    {"fixes R-99999999999999999999999999", ""},
    {"fixes R-0", ""},
    {"fixes R-00", ""},
    {"fixes R-012", ""},
    {"fixes R-", ""},
    {"fixes R-.", ""},
    {"fixes R--1", ""},
    {"fixes R-+1", ""},
    {"fixes R- 1", ""},
    {"fixes R 1", ""},
    {"fixes R1", ""},
    {"fixes R_1", ""},
    {"fixes R:1", ""},
    {"fixes R\xe2\x80\x91"
     "1",
     ""},
    /* Malformed id ends: word bytes, decimals, extensions. */
    {"fixes R-12a", ""},
    {"fixes R-12A", ""},
    {"fixes R-12_", ""},
    {"fixes R-12-3", ""},
    {"fixes R-12-", ""},
    {"fixes R-12.5", ""},
    {"fixes R-12.x", ""},
    {"fixes R-12.txt", ""},
    {"fixes R-12,5", ""},
    {"fixes R-12\xc3\xa9", ""},
    {"fixes R-12R-13", ""},
    /* A malformed id ends the list. */
    {"Fixes R-1, R-2a, R-3", "R1"},
    {"Fixes R-1, XR-2, R-3", "R1"},
    {"Fixes R-1, #R-2", "R1"},
    /* Word boundary before the id. */
    {"fixes XR-12", ""},
    {"fixes xr-12", ""},
    {"fixes #R-12", ""},
    {"fixes `R-12`", ""},
    {"fixes _R-12", ""},
    {"fixes (R-12)", ""},
    {"fixes T-12", ""},
    {"fixes Q-12", ""},
    /* Verbs must be whole words. */
    {"prefixes R-1", ""},
    {"unfixed R-1", ""},
    {"suffix R-1", ""},
    {"fixesR-1", ""},
    {"fixes_R-1", ""},
    {"fixes-R-1", ""},
    {"re-fixes R-1", ""},
    {"_fixes R-1", ""},
    {"2fixes R-1", ""},
    {"fixess R-1", ""},
    {"fixing R-1", ""},
    {"fixs R-1", ""},
    {"closure R-1", ""},
    {"enclosed R-1", ""},
    {"reimplements S-1", ""},
    {"implementation S-1", ""},
    {"\xc3\xa9"
     "fixes R-1",
     ""},
    {"fixes\xc3\xa9 R-1", ""},
    /* Something between the verb and the id. */
    {"fixes bug R-12", ""},
    {"fixes the R-12 crash", ""},
    {"fixes:: R-12", ""},
    {"fixes - R-12", ""},
    {"fixes: : R-12", ""},
    {"fixes, R-12", ""},
    /* "and" is a whole word and needs a space after it. */
    {"fixes R-1 andR-2", "R1"},
    {"fixes R-1 band R-2", "R1"},
    {"fixes R-1 anding R-2", "R1"},
    {"fixes R-1 & R-2", "R1"},
    {"fixes R-1 or R-2", "R1"},
    {"fixes R-1 / R-2", "R1"},
    /* Ids without a verb, and verbs without ids. */
    {"R-12", ""},
    {"See R-12 and S-3", ""},
    {"Refs: R-12", ""},
    {"fixes", ""},
    {"fixes:", ""},
    {"fixes ", ""},
    {"Fixes: \n", ""},
    {"", ""},
    /* At the very end of the message. */
    {"x fixes R-1", "R1"},
    {"fixes G-1", "G1"},
    {"implemented S-100", "S100"},
};

/* Parse `want` ("R12 G3") into refs; returns the count. */
static size_t expected(const char *want, links_ref *out, size_t max)
{
	size_t n = 0;
	const char *p = want;

	while (*p) {
		char *end;
		long long num;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		assert_true(n < max);
		out[n].type = *p++;
		out[n].kind = out[n].type == 'S' ? LINKS_IMPLEMENT : LINKS_FIX;
		num = strtoll(p, &end, 10);
		assert_true(end > p);
		out[n].num = num;
		p = end;
		n++;
	}
	return n;
}

/* The message is copied to a heap buffer of exactly its length so ASan catches any over-read. */
static size_t parse_exact(const char *msg, size_t len, links_ref *out, size_t max)
{
	char *copy = malloc(len ? len : 1);
	size_t n;

	assert_non_null(copy);
	if (len)
		memcpy(copy, msg, len);
	n = links_parse(copy, len, out, max);
	free(copy);
	return n;
}

static void check(const char *msg, size_t len, const char *want)
{
	links_ref got[32], exp[32];
	size_t ngot = parse_exact(msg, len, got, 32);
	size_t nexp = expected(want, exp, 32);

	if (ngot != nexp)
		fail_msg("\"%s\": %zu links, expected %zu (%s)", msg, ngot, nexp, want);
	for (size_t i = 0; i < nexp; i++) {
		if (got[i].kind != exp[i].kind || got[i].type != exp[i].type ||
		    got[i].num != exp[i].num)
			fail_msg("\"%s\": link %zu is %d %c-%lld, expected %d %c-%lld", msg, i,
				 got[i].kind, got[i].type, (long long)got[i].num, exp[i].kind,
				 exp[i].type, (long long)exp[i].num);
	}
}

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(cases[i].msg, strlen(cases[i].msg), cases[i].want);
}

/* Every case again inside prose, so the boundaries hold away from the ends of the buffer. */
static void test_table_embedded(void **state)
{
	char buf[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = snprintf(buf, sizeof(buf), "Intro line.\n%s\n\nSigned-off-by: A <a@b>\n",
				 cases[i].msg);

		assert_true(n > 0 && (size_t)n < sizeof(buf));
		check(buf, (size_t)n, cases[i].want);
	}
}

static void test_kind_and_type(void **state)
{
	links_ref out[4];
	const char *msg = "fixes r-3, implements s-4, closes g-5";

	assert_int_equal(links_parse(msg, strlen(msg), out, 4), 3);
	assert_int_equal(out[0].kind, LINKS_FIX);
	assert_int_equal(out[0].type, 'R');
	assert_int_equal(out[0].num, 3);
	assert_int_equal(out[1].kind, LINKS_IMPLEMENT);
	assert_int_equal(out[1].type, 'S');
	assert_int_equal(out[1].num, 4);
	assert_int_equal(out[2].kind, LINKS_FIX);
	assert_int_equal(out[2].type, 'G');
	assert_int_equal(out[2].num, 5);
}

/* The length is the message: NULs are ordinary bytes and nothing past len is read. */
static void test_length_not_nul(void **state)
{
	links_ref out[4];
	static const char with_nul[] = "fixes R-1\0fixes R-2";
	const char *cut = "fixes R-12";

	assert_int_equal(parse_exact(with_nul, sizeof(with_nul) - 1, out, 4), 2);
	assert_int_equal(out[1].num, 2);
	/* A NUL right after an id ends it like any other non-word byte. */
	assert_int_equal(parse_exact("fixes R-7\0a", 11, out, 4), 1);
	assert_int_equal(out[0].num, 7);
	/* Cut inside the number: only the digits inside len count. */
	assert_int_equal(parse_exact(cut, 9, out, 4), 1);
	assert_int_equal(out[0].num, 1);
	/* Cut inside the verb or right after it. */
	assert_int_equal(parse_exact(cut, 3, out, 4), 0);
	assert_int_equal(parse_exact(cut, 5, out, 4), 0);
	assert_int_equal(parse_exact(cut, 7, out, 4), 0);
	assert_int_equal(parse_exact(cut, 8, out, 4), 0);
	/* "R-12.5" cut after the dot is a sentence end. */
	assert_int_equal(parse_exact("fixes R-12.5", 11, out, 4), 1);
	assert_int_equal(parse_exact("fixes R-12.5", 12, out, 4), 0);
	/* Cut before "and"'s space: not a separator. */
	assert_int_equal(parse_exact("fixes R-1 and R-2", 13, out, 4), 1);
	assert_int_equal(links_parse(NULL, 0, out, 4), 0);
	assert_int_equal(links_parse("", 0, NULL, 0), 0);
}

/* Every prefix of a long message parses without reading past its end. */
static void test_every_prefix(void **state)
{
	const char *msg = "Fix save.\n\nThis fixes R-12 and closes G-3; implements s-44,\n"
			  "S-45 and S-46.\nFixes: R-1, R-2 R-3\r\nCloses: g-999999999999999.";
	size_t len = strlen(msg);
	links_ref out[16];
	size_t prev = 0;

	for (size_t l = 0; l <= len; l++) {
		size_t n = parse_exact(msg, l, out, 16);

		/* Every cut of this message leaves the links before it intact. */
		assert_true(n >= prev);
		prev = n;
	}
	assert_int_equal(prev, 9);
	assert_int_equal(out[2].type, 'S');
	assert_int_equal(out[2].num, 44);
	assert_int_equal(out[8].type, 'G');
	assert_int_equal(out[8].num, 999999999999999LL);
}

static void test_max_and_count(void **state)
{
	links_ref out[8];
	const char *msg = "fixes R-1, R-2, R-3, R-4, R-5";
	size_t len = strlen(msg);
	size_t n;

	/* Counting only. */
	assert_int_equal(links_parse(msg, len, NULL, 0), 5);
	/* Only max are written; the count says more were found. */
	memset(out, 0xee, sizeof(out));
	n = links_parse(msg, len, out, 2);
	assert_int_equal(n, 5);
	assert_int_equal(out[0].num, 1);
	assert_int_equal(out[1].num, 2);
	assert_int_equal((unsigned char)out[2].type, 0xee);
	/* Duplicates within the written part never count twice. */
	assert_int_equal(links_parse("fixes R-1 R-1 R-1 R-2", 21, out, 2), 2);
	/* Beyond max the count is an upper bound; a second call with room is exact. */
	msg = "fixes R-1 R-2 R-3 R-3 R-3";
	n = links_parse(msg, strlen(msg), out, 1);
	assert_true(n >= 3);
	assert_int_equal(links_parse(msg, strlen(msg), out, n), 3);
	/* out NULL with a max is refused rather than written through. */
	assert_int_equal(links_parse(msg, strlen(msg), NULL, 4), 0);
}

/* Many links: each distinct one kept once, in order. */
static void test_many(void **state)
{
	char *msg = malloc(64 * 1024);
	links_ref *out = calloc(LINKS_MAX_REFS, sizeof(*out));
	size_t len = 0;
	size_t n;

	assert_non_null(msg);
	assert_non_null(out);
	len += (size_t)snprintf(msg, 64, "Fixes:");
	for (int i = 1; i <= 300; i++)
		len += (size_t)snprintf(msg + len, 64, " R-%d,", i);
	len += (size_t)snprintf(msg + len, 64, " and R-1\n");
	n = links_parse(msg, len, out, LINKS_MAX_REFS);
	assert_int_equal(n, 300);
	for (int i = 0; i < LINKS_MAX_REFS; i++)
		assert_int_equal(out[i].num, i + 1);
	free(out);
	free(msg);
}

/* Pseudo-random bytes drawn from the grammar's alphabet: no crash, no over-read, sane output. */
static void test_random_bytes(void **state)
{
	static const char alphabet[] = "fixesclosdrvmplntaRGS-0123456789 ,.:\n\t\r_#\xc3";
	uint32_t seed = 12345;
	links_ref out[8];

	for (int round = 0; round < 20000; round++) {
		char buf[48];
		size_t len = (size_t)(round % 48);
		size_t n;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 8 == 0)
				buf[i] = (char)(seed >> 24);
			else
				buf[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		n = parse_exact(buf, len, out, 8);
		for (size_t i = 0; i < n && i < 8; i++) {
			assert_true(out[i].type == 'R' || out[i].type == 'G' || out[i].type == 'S');
			assert_true(out[i].num >= 1 && out[i].num <= 999999999999999LL);
			assert_int_equal(out[i].kind,
					 out[i].type == 'S' ? LINKS_IMPLEMENT : LINKS_FIX);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),         cmocka_unit_test(test_table_embedded),
	    cmocka_unit_test(test_kind_and_type), cmocka_unit_test(test_length_not_nul),
	    cmocka_unit_test(test_every_prefix),  cmocka_unit_test(test_max_and_count),
	    cmocka_unit_test(test_many),          cmocka_unit_test(test_random_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
