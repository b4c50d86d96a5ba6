/* test_cli_table.c - the prosum command's tables: display widths, cutting UTF-8, fitting widths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_print.h"
#include "common/buf.h"

#define ELLIPSIS "\xe2\x80\xa6"

static void test_width(void **state)
{
	static const struct {
		const char *text;
		size_t width;
	} cases[] = {
	    {"", 0},
	    {"abc", 3},
	    {"caf\xc3\xa9", 4},              /* é, precomposed */
	    {"cafe\xcc\x81", 4},             /* e + combining acute */
	    {"\xe4\xbf\x9d\xe5\xad\x98", 4}, /* two CJK ideographs */
	    {"\xe3\x81\xa7\xe3\x81\x8d", 4}, /* two hiragana */
	    {"\xef\xbc\xa1", 2},             /* fullwidth A */
	    {"\xf0\x9f\x98\x80", 2},         /* an emoji */
	    {"a\xe2\x80\x8b"
	     "b",
	     2},             /* zero-width space */
	    {"\xff\xfe", 2}, /* bad bytes: a column each */
	    {"\xe4\xbf", 2}, /* a sequence cut short */
	    {ELLIPSIS, 1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cli_text_width(cases[i].text) != cases[i].width)
			fail_msg("case %zu: width %zu, not %zu", i, cli_text_width(cases[i].text),
				 cases[i].width);
}

static void test_cut(void **state)
{
	static const struct {
		const char *text;
		size_t cols;
		const char *cut;
	} cases[] = {
	    {"short", 10, "short"},
	    {"exactly10!", 10, "exactly10!"},
	    {"eleven char", 10, "eleven ch" ELLIPSIS},
	    /* Spaces before the ellipsis go. */
	    {"open the file", 10, "open the" ELLIPSIS},
	    {"abc", 1, ELLIPSIS},
	    {"abc", 0, ""},
	    /* Never inside a multi-byte character. */
	    {"caf\xc3\xa9s and more", 5, "caf\xc3\xa9" ELLIPSIS},
	    /* A combining accent stays with its letter. */
	    {"cafe\xcc\x81s and more", 5, "cafe\xcc\x81" ELLIPSIS},
	    /* A wide character that would straddle the edge is left out whole. */
	    {"\xe4\xbf\x9d\xe5\xad\x98\xe3\x81\xa7\xe3\x81\x8d", 6,
	     "\xe4\xbf\x9d\xe5\xad\x98" ELLIPSIS},
	    {"\xe4\xbf\x9d\xe5\xad\x98\xe3\x81\xa7\xe3\x81\x8d", 5,
	     "\xe4\xbf\x9d\xe5\xad\x98" ELLIPSIS},
	    {"\xe4\xbf\x9d\xe5\xad\x98\xe3\x81\xa7\xe3\x81\x8d", 8,
	     "\xe4\xbf\x9d\xe5\xad\x98\xe3\x81\xa7\xe3\x81\x8d"},
	    {"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" ELLIPSIS},
	};
	buf sb = BUF_INIT(4096);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&sb);
		assert_int_equal(cli_text_cut(&sb, cases[i].text, cases[i].cols), 0);
		if (strcmp(sb.p ? sb.p : "", cases[i].cut) != 0)
			fail_msg("case %zu: \"%s\", not \"%s\"", i, sb.p ? sb.p : "", cases[i].cut);
		assert_true(cli_text_width(sb.p ? sb.p : "") <= cases[i].cols);
	}
	buf_free(&sb);
}

/* Print t at `width` into a string (the caller frees it). */
static char *printed(const cli_table *t, size_t width)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	cli_table_print(t, f, width);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void test_fit(void **state)
{
	static const char *const names[] = {"ID", "ASSIGNEE", "TITLE"};
	static const char *const row1[] = {"G-1", "Alexandra Konstantinopoulou",
					   "Crash when opening a PNG whose palette is empty"};
	static const char *const row2[] = {"G-22", "-", "Short"};
	cli_table *t;
	char *out;

	(void)state;
	assert_int_equal(cli_table_new(&t, 3, names), 0);
	cli_table_cuttable(t, 1);
	assert_int_equal(cli_table_add(t, row1), 0);
	assert_int_equal(cli_table_add(t, row2), 0);

	/* No limit, or room enough: as it is. */
	out = printed(t, 0);
	assert_string_equal(out,
			    "ID    ASSIGNEE                     TITLE\n"
			    "G-1   Alexandra Konstantinopoulou  Crash when opening a PNG whose "
			    "palette is empty\n"
			    "G-22  -                            Short\n");
	free(out);
	out = printed(t, 84);
	assert_non_null(strstr(out, "palette is empty\n"));
	free(out);
	/* The title gives way first... */
	out = printed(t, 60);
	assert_string_equal(
	    out, "ID    ASSIGNEE                     TITLE\n"
		 "G-1   Alexandra Konstantinopoulou  Crash when opening a PNG" ELLIPSIS "\n"
		 "G-22  -                            Short\n");
	free(out);
	/* ...down to 20 columns, then the other free text down to 8 or its header... */
	out = printed(t, 50);
	assert_string_equal(out, "ID    ASSIGNEE                TITLE\n"
				 "G-1   Alexandra Konstantino" ELLIPSIS
				 "  Crash when opening" ELLIPSIS "\n"
				 "G-22  -                       Short\n");
	free(out);
	out = printed(t, 40);
	assert_string_equal(out, "ID    ASSIGNEE      TITLE\n"
				 "G-1   Alexandra K" ELLIPSIS "  Crash when opening" ELLIPSIS "\n"
				 "G-22  -             Short\n");
	free(out);
	/* ...then the title down to its header, the other to its header... */
	out = printed(t, 26);
	assert_string_equal(out, "ID    ASSIGNEE  TITLE\n"
				 "G-1   Alexand" ELLIPSIS "  Crash whe" ELLIPSIS "\n"
				 "G-22  -         Short\n");
	free(out);
	/* ...and past that, whole lines are cut: never wider than the limit. */
	out = printed(t, 12);
	assert_string_equal(out, "ID    ASSIG" ELLIPSIS "\n"
				 "G-1   Alexa" ELLIPSIS "\n"
				 "G-22  -" ELLIPSIS "\n");
	free(out);

	/* Indented: the indent comes off the room. */
	cli_table_indent(t, 2);
	out = printed(t, 62);
	assert_non_null(strstr(
	    out, "\n  G-1   Alexandra Konstantinopoulou  Crash when opening a PNG" ELLIPSIS "\n"));
	free(out);
	cli_table_free(t);
	cli_table_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_width),
	    cmocka_unit_test(test_cut),
	    cmocka_unit_test(test_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
