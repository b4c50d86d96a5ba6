/* test_source.c - git/source.c against a real repository: the file a build path names at a commit, and its lines as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/repo.h"
#include "unit_fixture.h"

/*
 * Two commits. A: src/app/main.c ("a1".."a9"), main.c at the root ("root 1".."root 3"),
 * lib/main.c, a link src/link.c -> app/main.c, bin/data.bin (binary), text/odd.txt (invalid
 * UTF-8, CRLF, a long line). B: src/app/main.c's line 5 changed, src/app/new.c added.
 */
typedef struct fixture {
	char dir[64];
	char work[128];
	repo_handle *repo;
	char a[REPO_HEX_SIZE], b[REPO_HEX_SIZE];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	char err[256], line[128];

	if (!f || unit_tmpdir(f->dir, sizeof(f->dir), "source") < 0)
		return -1;
	snprintf(f->work, sizeof(f->work), "%s/work", f->dir);
	if (unit_sh(f->dir, NULL, 0, "mkdir '%s'", f->work) < 0 ||
	    unit_sh(f->work, NULL, 0,
		    "git init -q -b main . && mkdir -p src/app lib bin text && "
		    "for i in 1 2 3 4 5 6 7 8 9; do echo a$i; done > src/app/main.c && "
		    "printf 'root 1\\nroot 2\\nroot 3\\n' > main.c && echo lib > lib/main.c && "
		    "ln -s app/main.c src/link.c && printf 'x\\000y\\n' > bin/data.bin && "
		    "printf 'ok\\r\\nbad \\377\\376 end\\nplain\\n%%0500d\\n"
		    "\\303\\251t\\303\\251\\n\\342\\202\\n' 0 > text/odd.txt && "
		    "git add -A && git -c user.name=T -c user.email=t@e commit -qm A") < 0 ||
	    unit_sh(f->work, line, sizeof(line), "git rev-parse HEAD") < 0)
		return -1;
	memcpy(f->a, line, REPO_HEX_SIZE);
	if (unit_sh(f->work, NULL, 0,
		    "sed -i 's/^a5$/changed/' src/app/main.c && echo new > src/app/new.c && "
		    "git add -A && git -c user.name=T -c user.email=t@e commit -qm B") < 0 ||
	    unit_sh(f->work, line, sizeof(line), "git rev-parse HEAD") < 0)
		return -1;
	memcpy(f->b, line, REPO_HEX_SIZE);
	if (repo_open(&f->repo, f->work, err, sizeof(err)) != REPO_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	repo_close(f->repo);
	unit_rmtree(f->dir);
	free(f);
	return 0;
}

static int path_of(fixture *f, const char *commit, const char *file, char out[REPO_PATH_MAX + 1])
{
	return repo_source_path(out, f->repo, commit, file, strlen(file));
}

/* Build paths to the file they name: the longest suffix that is a file of the commit. */
static void test_path_suffix(void **state)
{
	fixture *f = *state;
	char out[REPO_PATH_MAX + 1];
	static const struct {
		const char *file;
		const char *want; /* NULL: not found */
	} cases[] = {
	    {"src/app/main.c", "src/app/main.c"},
	    {"./src/app/main.c", "src/app/main.c"},
	    {"/home/ci/build/src/app/main.c", "src/app/main.c"},
	    {"/home/ci//build/./src/app/main.c", "src/app/main.c"},
	    {"C:\\ci\\build\\src\\app\\main.c", "src/app/main.c"},
	    {"c:/ci/src/app/main.c", "src/app/main.c"},
	    {"../../src/app/main.c", "src/app/main.c"},
	    {"/build/src/../lib/main.c", "lib/main.c"}, /* nothing before ".." is used */
	    {"/opt/build/main.c", "main.c"},            /* the root's main.c, the longest match */
	    {"/opt/build/lib/main.c", "lib/main.c"},
	    {"/x/app/main.c", "main.c"}, /* "app/main.c" is no path of the tree; "main.c" is */
	    {"app/lib/main.c", "lib/main.c"},
	    {"/x/src/new.c", NULL},      /* no such suffix */
	    {"/x/src/app/new.c", NULL},  /* only in B */
	    {"/x/src/link.c", NULL},     /* a link, not a file */
	    {"/x/src/app", NULL},        /* a directory */
	    {"/x/bin/data.bin", "bin/data.bin"},
	    {"", NULL},
	    {"/", NULL},
	    {"..", NULL},
	    {"./.", NULL},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = path_of(f, f->a, cases[i].file, out);

		if (cases[i].want && (rc != REPO_OK || strcmp(out, cases[i].want) != 0))
			fail_msg("%s: rc %d, '%s', want '%s'", cases[i].file, rc, out, cases[i].want);
		if (!cases[i].want && rc != REPO_ENOTFOUND)
			fail_msg("%s: rc %d ('%s'), want not found", cases[i].file, rc, out);
	}
	/* Only suffixes are tried, never a search of the tree: "main.c" of a commit without
	 * one at the root is not found, whatever other main.c the tree holds. */
	assert_int_equal(path_of(f, f->a, "app.c", out), REPO_ENOTFOUND);
	/* At B the new file is there. */
	assert_int_equal(path_of(f, f->b, "/x/src/app/new.c", out), REPO_OK);
	assert_string_equal(out, "src/app/new.c");
}

/* Hostile or impossible input: refused or not found, never read elsewhere. */
static void test_path_bounds(void **state)
{
	fixture *f = *state;
	char out[REPO_PATH_MAX + 1], *deep, *longp;
	size_t i, o = 0;

	assert_int_equal(path_of(f, f->a, "src/app/\x01main.c", out), REPO_EINVAL);
	assert_int_equal(path_of(f, "0123456789012345678901234567890123456789", "main.c", out),
			 REPO_ENOTFOUND);
	assert_int_equal(path_of(f, "not-a-commit", "main.c", out), REPO_EINVAL);
	/* Longer than any path: refused before any lookup. */
	longp = malloc(REPO_PATH_MAX + 2);
	assert_non_null(longp);
	memset(longp, 'a', REPO_PATH_MAX + 1);
	longp[REPO_PATH_MAX + 1] = '\0';
	assert_int_equal(path_of(f, f->a, longp, out), REPO_EINVAL);
	free(longp);
	/* Deeper than REPO_SOURCE_DEPTH: only the last components count, and still resolve. */
	deep = malloc(4096);
	assert_non_null(deep);
	for (i = 0; i < 200; i++)
		o += (size_t)snprintf(deep + o, 4096 - o, "/d%zu", i);
	snprintf(deep + o, 4096 - o, "/src/app/main.c");
	assert_int_equal(path_of(f, f->a, deep, out), REPO_OK);
	assert_string_equal(out, "src/app/main.c");
	free(deep);
}

static void test_lines(void **state)
{
	fixture *f = *state;
	repo_source s;
	const char *file = "/ci/src/app/main.c";

	/* Line 5 with 2 around it, at each commit. */
	assert_int_equal(repo_source_lines(&s, f->repo, f->a, file, strlen(file), 5, 2), REPO_OK);
	assert_string_equal(s.path, "src/app/main.c");
	assert_int_equal(s.start, 3);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.lines[0], "a3");
	assert_string_equal(s.lines[2], "a5");
	assert_string_equal(s.lines[4], "a7");
	repo_source_free(&s);
	assert_int_equal(repo_source_lines(&s, f->repo, f->b, file, strlen(file), 5, 0), REPO_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.lines[0], "changed");
	repo_source_free(&s);
	/* Clamped at both ends of the file. */
	assert_int_equal(repo_source_lines(&s, f->repo, f->a, file, strlen(file), 1, 3), REPO_OK);
	assert_int_equal(s.start, 1);
	assert_int_equal(s.n, 4);
	repo_source_free(&s);
	assert_int_equal(repo_source_lines(&s, f->repo, f->a, file, strlen(file), 9, 5), REPO_OK);
	assert_int_equal(s.start, 4);
	assert_int_equal(s.n, 6);
	assert_string_equal(s.lines[5], "a9");
	repo_source_free(&s);
	/* Past the end: the file, no lines. A context above the bound is cut to it. */
	assert_int_equal(repo_source_lines(&s, f->repo, f->a, file, strlen(file), 10, 5), REPO_OK);
	assert_string_equal(s.path, "src/app/main.c");
	assert_int_equal(s.n, 0);
	assert_int_equal(s.start, 0);
	repo_source_free(&s);
	assert_int_equal(repo_source_lines(&s, f->repo, f->a, file, strlen(file), 30, 1000), REPO_OK);
	assert_int_equal(s.start, 0);
	assert_int_equal(s.n, 0); /* line 30 is not in the file, nor 10 (30 less 20) */
	repo_source_free(&s);
	/* Binary: found, no lines. Absent: not found. */
	assert_int_equal(repo_source_lines(&s, f->repo, f->a, "bin/data.bin", 12, 1, 1), REPO_OK);
	assert_int_equal(s.n, 0);
	repo_source_free(&s);
	assert_int_equal(repo_source_lines(&s, f->repo, f->a, "src/app/new.c", 13, 1, 1),
			 REPO_ENOTFOUND);
	assert_int_equal(s.n, 0);
}

static void test_lines_are_text(void **state)
{
	fixture *f = *state;
	repo_source s;
	size_t i;

	assert_int_equal(repo_source_lines(&s, f->repo, f->a, "text/odd.txt", 12, 3, 3), REPO_OK);
	assert_int_equal(s.n, 6);
	assert_string_equal(s.lines[0], "ok");                                 /* CR dropped */
	assert_string_equal(s.lines[1], "bad \xef\xbf\xbd\xef\xbf\xbd end");   /* invalid bytes */
	assert_string_equal(s.lines[2], "plain");
	assert_int_equal(strlen(s.lines[3]), REPO_SOURCE_LINE_MAX);            /* cut */
	assert_string_equal(s.lines[4], "\xc3\xa9t\xc3\xa9");                  /* valid UTF-8 */
	assert_string_equal(s.lines[5], "\xef\xbf\xbd\xef\xbf\xbd");           /* cut sequence */
	for (i = 0; i < s.n; i++)
		assert_true(strlen(s.lines[i]) <= REPO_SOURCE_LINE_MAX);
	repo_source_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_path_suffix, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_path_bounds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lines_are_text, setup, teardown),
	};

	char home[64];
	int rc;

	/* Neither git nor libgit2 may read the user's configuration: a private, empty HOME. */
	if (unit_tmpdir(home, sizeof(home), "source-home") < 0)
		return 1;
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	if (repo_global_init() != REPO_OK)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	repo_global_shutdown();
	if (unit_rmtree(home) < 0)
		rc = 1;
	return rc;
}
