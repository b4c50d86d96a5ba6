/* test_gitlink.c - repo.c against real repositories made with the git command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "git/repo.h"
#include "unit_fixture.h"

#define T0 1700000000LL

/*
 * The repository every test starts from (times are T0 + seconds):
 *
 *   C0 (0) -- C1 (100) ----------- C2 (300) -- M (400) -- C3 (500)   main
 *   initial   v1.0 (annotated)     v1.1 (lightweight)     v2.0 (annotated)
 *               \                  v2.0-gold (annotated) /
 *                F1 (200) ------------------------------'            feature
 *                  "Implements S-4", changes line 3 of a.txt
 *
 * a.txt is "one".."five" from C0; only line 3 is changed, by F1.
 */
typedef struct fixture {
	char dir[64];
	char work[128];
	repo_handle *repo;
	char c0[REPO_HEX_SIZE], c1[REPO_HEX_SIZE], c2[REPO_HEX_SIZE];
	char f1[REPO_HEX_SIZE], m[REPO_HEX_SIZE], c3[REPO_HEX_SIZE];
} fixture;

static char home[64];

/* Shell commands in the work tree; capture keeps the first line a command prints. 0 or -1. */
#define sh(f, ...) unit_sh((f)->work, NULL, 0, __VA_ARGS__)
#define capture(f, out, cap, ...) unit_sh((f)->work, out, cap, __VA_ARGS__)

static void rev(const fixture *f, char out[REPO_HEX_SIZE], const char *spec)
{
	char line[128];

	assert_int_equal(
	    capture(f, line, sizeof(line), "git rev-parse --verify -q '%s^{commit}'", spec), 0);
	assert_int_equal(strlen(line), 40);
	memcpy(out, line, REPO_HEX_SIZE);
}

/* Commit what is staged (or nothing) at T0 + t, by `author`. */
static int commit_at(const fixture *f, long long t, const char *author, const char *msg)
{
	return sh(f,
		  "GIT_AUTHOR_DATE='@%lld +0000' GIT_COMMITTER_DATE='@%lld +0000' "
		  "GIT_AUTHOR_NAME='%s' git commit -q --allow-empty -m '%s'",
		  T0 + t, T0 + t, author, msg);
}

static int make_repo(fixture *f)
{
	if (sh(f, "git init -q -b main . && printf 'one\\ntwo\\nthree\\nfour\\nfive\\n' >a.txt && "
		  "git add a.txt") != 0)
		return -1;
	if (commit_at(f, 0, "Ada Initial", "Initial import") != 0)
		return -1;
	if (sh(f, "printf 'b\\n' >b.txt && git add b.txt") != 0 ||
	    commit_at(f, 100, "Ada Initial", "Add b.txt") != 0)
		return -1;
	if (sh(f, "GIT_COMMITTER_DATE='@%lld +0000' git tag -a v1.0 -m 'Release 1.0'", T0 + 100) !=
	    0)
		return -1;
	if (sh(f, "git checkout -q -b feature && "
		  "printf 'one\\ntwo\\nTHREE\\nfour\\nfive\\n' >a.txt && git add a.txt") != 0)
		return -1;
	if (commit_at(f, 200, "Zo\xc3\xab Feature",
		      "Implement the palette\n\nImplements S-4 for the testers.") != 0)
		return -1;
	if (sh(f, "git checkout -q main && printf 'b2\\n' >b.txt && git add b.txt") != 0 ||
	    commit_at(f, 300, "Ada Initial", "Tweak b") != 0)
		return -1;
	if (sh(f, "git tag v1.1 && GIT_COMMITTER_DATE='@%lld +0000' git tag -a v2.0-gold -m gold",
	       T0 + 300) != 0)
		return -1;
	if (sh(f,
	       "GIT_AUTHOR_DATE='@%lld +0000' GIT_COMMITTER_DATE='@%lld +0000' "
	       "git merge -q --no-ff -m 'Merge branch feature' feature",
	       T0 + 400, T0 + 400) != 0)
		return -1;
	if (commit_at(f, 500, "Ada Initial", "After the merge") != 0)
		return -1;
	if (sh(f, "GIT_COMMITTER_DATE='@%lld +0000' git tag -a v2.0 -m 'Release 2.0'", T0 + 500) !=
	    0)
		return -1;
	return 0;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	char err[256];

	if (!f || unit_tmpdir(f->dir, sizeof(f->dir), "gitlink") < 0)
		return -1;
	snprintf(f->work, sizeof(f->work), "%s/work", f->dir);
	if (unit_sh(f->dir, NULL, 0, "mkdir '%s'", f->work) < 0)
		return -1;
	if (make_repo(f) != 0)
		return -1;
	rev(f, f->c0, "main~4");
	rev(f, f->c1, "v1.0");
	rev(f, f->c2, "v1.1");
	rev(f, f->f1, "feature");
	rev(f, f->m, "main~1");
	rev(f, f->c3, "main");
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
	if (unit_rmtree(f->dir) < 0)
		return -1;
	free(f);
	return 0;
}

static int resolve(fixture *f, char out[REPO_HEX_SIZE], const char *rev_)
{
	return repo_resolve(out, f->repo, rev_, strlen(rev_));
}

static void assert_resolves(fixture *f, const char *input, const char *want)
{
	char got[REPO_HEX_SIZE];
	int rc = resolve(f, got, input);

	if (rc != REPO_OK)
		fail_msg("%s: %d %s", input, rc, repo_error(f->repo));
	if (strcmp(got, want) != 0)
		fail_msg("%s: %s, expected %s", input, got, want);
}

/* ---- open ---- */

static void test_open(void **state)
{
	fixture *f = *state;
	repo_handle *r = NULL;
	char path[256], err[256];

	assert_int_equal(repo_open(&r, f->dir, err, sizeof(err)), REPO_ENOTFOUND);
	assert_null(r);
	assert_true(strlen(err) > 0);
	snprintf(path, sizeof(path), "%s/missing", f->dir);
	assert_int_equal(repo_open(&r, path, err, sizeof(err)), REPO_ENOTFOUND);
	assert_int_equal(repo_open(&r, "", err, sizeof(err)), REPO_EINVAL);
	assert_int_equal(repo_open(&r, NULL, NULL, 0), REPO_EINVAL);
	assert_int_equal(repo_open(NULL, f->work, NULL, 0), REPO_EINVAL);
	/* Parents are not searched. */
	assert_int_equal(sh(f, "mkdir sub"), 0);
	snprintf(path, sizeof(path), "%s/sub", f->work);
	assert_int_equal(repo_open(&r, path, NULL, 0), REPO_ENOTFOUND);
	/* The .git directory itself. */
	snprintf(path, sizeof(path), "%s/.git", f->work);
	assert_int_equal(repo_open(&r, path, err, sizeof(err)), REPO_OK);
	repo_close(r);
	/* A bare repository. */
	assert_int_equal(sh(f, "git clone -q --bare . ../bare.git"), 0);
	snprintf(path, sizeof(path), "%s/bare.git", f->dir);
	assert_int_equal(repo_open(&r, path, err, sizeof(err)), REPO_OK);
	{
		char got[REPO_HEX_SIZE];

		assert_int_equal(repo_resolve(got, r, "v2.0", 4), REPO_OK);
		assert_string_equal(got, f->c3);
	}
	repo_close(r);
	repo_close(NULL);
	assert_string_equal(repo_error(f->repo), "");
}

/* ---- resolve ---- */

static void test_resolve_forms(void **state)
{
	fixture *f = *state;
	char up[REPO_HEX_SIZE], buf[128];

	/* Full and short hashes, upper case too. */
	assert_resolves(f, f->c2, f->c2);
	for (size_t i = 0; i < 40; i++)
		up[i] = (char)(f->f1[i] >= 'a' ? f->f1[i] - 32 : f->f1[i]);
	up[40] = '\0';
	assert_resolves(f, up, f->f1);
	snprintf(buf, sizeof(buf), "%.7s", f->m);
	assert_resolves(f, buf, f->m);
	snprintf(buf, sizeof(buf), "%.12s", f->c0);
	assert_resolves(f, buf, f->c0);
	/* Tags: annotated ones peel to their commit, lightweight ones are the commit. */
	assert_resolves(f, "v1.0", f->c1);
	assert_resolves(f, "refs/tags/v1.0", f->c1);
	assert_resolves(f, "tags/v1.0", f->c1);
	assert_resolves(f, "v1.1", f->c2);
	assert_resolves(f, "v2.0", f->c3);
	assert_resolves(f, "v2.0-gold", f->c2);
	/* Branches. */
	assert_resolves(f, "main", f->c3);
	assert_resolves(f, "feature", f->f1);
	assert_resolves(f, "refs/heads/feature", f->f1);
	assert_resolves(f, "heads/main", f->c3);
}

/* A fixing commit named by a person: ancestry steps and HEAD, still never other syntax. */
static void test_resolve_expr(void **state)
{
	fixture *f = *state;
	char got[REPO_HEX_SIZE], buf[128];
	static const char *const refused[] = {"~1", "^", "HEAD~x", "v1.0^{tree}", "HEAD@{1}",
					      "main:a.txt", "main..feature", "HEAD~1 ", "-x~1",
					      "HEAD~99999999"};
	size_t i;

	sh(f, "git checkout -q main");
	assert_int_equal(repo_resolve_expr(got, f->repo, "HEAD", 4), REPO_OK);
	assert_string_equal(got, f->c3);
	assert_int_equal(repo_resolve_expr(got, f->repo, "HEAD~1", 6), REPO_OK);
	assert_string_equal(got, f->m);
	assert_int_equal(repo_resolve_expr(got, f->repo, "@~1", 3), REPO_OK);
	assert_string_equal(got, f->m);
	assert_int_equal(repo_resolve_expr(got, f->repo, "main~1^2", 8), REPO_OK);
	assert_string_equal(got, f->f1);
	assert_int_equal(repo_resolve_expr(got, f->repo, "v2.0^^", 6), REPO_OK);
	assert_string_equal(got, f->c2);
	assert_int_equal(repo_resolve_expr(got, f->repo, "v1.0^0", 6), REPO_OK);
	assert_string_equal(got, f->c1);
	/* What repo_resolve() takes, as it takes it. */
	assert_int_equal(repo_resolve_expr(got, f->repo, "v1.1", 4), REPO_OK);
	assert_string_equal(got, f->c2);
	snprintf(buf, sizeof(buf), "%.7s", f->f1);
	assert_int_equal(repo_resolve_expr(got, f->repo, buf, strlen(buf)), REPO_OK);
	assert_string_equal(got, f->f1);
	assert_int_equal(repo_resolve_expr(got, f->repo, f->c0, 40), REPO_OK);
	assert_string_equal(got, f->c0);
	/* Past the root, a missing parent, an unknown name. */
	assert_int_equal(repo_resolve_expr(got, f->repo, "HEAD~40", 7), REPO_ENOTFOUND);
	assert_string_equal(got, "");
	assert_int_equal(repo_resolve_expr(got, f->repo, "v1.0^2", 6), REPO_ENOTFOUND);
	assert_int_equal(repo_resolve_expr(got, f->repo, "nosuch~1", 8), REPO_ENOTFOUND);
	/* The reason is the handle's and the thread's last error alike. */
	assert_int_equal(perr_last_code(), REPO_ENOTFOUND);
	assert_string_equal(perr_last(), repo_error(f->repo));
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		int rc = repo_resolve_expr(got, f->repo, refused[i], strlen(refused[i]));

		if (rc != REPO_EINVAL)
			fail_msg("%s: %d, expected EINVAL", refused[i], rc);
	}
}

static void test_resolve_describe(void **state)
{
	fixture *f = *state;
	char d[128];

	/* What `git describe` prints, verbatim: libgit2 1.5's revparse takes this form. */
	assert_int_equal(
	    capture(f, d, sizeof(d), "git describe --tags --exclude v2.0-gold %s", f->m), 0);
	assert_true(strncmp(d, "v1.1-2-g", 8) == 0);
	assert_resolves(f, d, f->m);
	assert_int_equal(capture(f, d, sizeof(d), "git describe --long %s", f->c3), 0);
	assert_true(strncmp(d, "v2.0-0-g", 8) == 0);
	assert_resolves(f, d, f->c3);
	assert_int_equal(capture(f, d, sizeof(d), "git describe --abbrev=12 %s", f->f1), 0);
	assert_resolves(f, d, f->f1);
	assert_int_equal(capture(f, d, sizeof(d), "git describe --abbrev=40 %s", f->f1), 0);
	assert_resolves(f, d, f->f1);
	/* --dirty: the suffix is dropped. */
	assert_int_equal(sh(f, "echo change >>b.txt"), 0);
	assert_int_equal(
	    capture(f, d, sizeof(d), "git describe --tags --dirty --exclude v2.0-gold"), 0);
	assert_string_equal(d, "v2.0-dirty");
	assert_resolves(f, d, f->c3);
	assert_int_equal(capture(f, d, sizeof(d), "git describe --long --dirty"), 0);
	assert_resolves(f, d, f->c3);
	assert_int_equal(capture(f, d, sizeof(d), "git describe --always --dirty --match none"), 0);
	assert_resolves(f, d, f->c3);
	/* A tag with "-g" in its name: the last "-g" is the one that counts. */
	snprintf(d, sizeof(d), "v2.0-gold-2-g%.7s", f->m);
	assert_resolves(f, d, f->m);
	snprintf(d, sizeof(d), "v2.0-gold-2-g%.7s-dirty", f->m);
	assert_resolves(f, d, f->m);
	/* As in git, the name part is not checked, only the hash. */
	snprintf(d, sizeof(d), "nosuchtag-7-g%.8s", f->f1);
	assert_resolves(f, d, f->f1);
	/* A describe-shaped string whose hash is unknown. */
	assert_int_equal(resolve(f, d, "v1.1-2-g0000000"), REPO_ENOTFOUND);
	assert_int_equal(resolve(f, d, "v1.1-2-g0000000-dirty"), REPO_ENOTFOUND);
}

static void test_resolve_unknown(void **state)
{
	fixture *f = *state;
	char out[REPO_HEX_SIZE];
	static const char *const unknown[] = {
	    "deadbeefdeadbeef",
	    "0000000000000000000000000000000000000000",
	    "fffffff",
	    "v9.9",
	    "nosuchbranch",
	    "refs/heads/nosuch",
	    "origin/main",
	    "feature-dirty-x",
	    "v1.0-x",
	    "main-dirty-dirty",
	    /* Files at the top of the git directory are no names. */
	    "COMMIT_EDITMSG",
	    "config",
	    "description",
	    "index",
	    "objects",
	    "refs",
	    "refs/heads",
	    "info/exclude",
	};

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		int rc = resolve(f, out, unknown[i]);

		if (rc != REPO_ENOTFOUND)
			fail_msg("%s: %d, expected REPO_ENOTFOUND", unknown[i], rc);
		assert_string_equal(out, "");
		assert_true(strlen(repo_error(f->repo)) > 0);
	}
	/* A tag of a tree names no commit. */
	assert_int_equal(sh(f, "git tag treetag 'main^{tree}'"), 0);
	assert_int_equal(resolve(f, out, "treetag"), REPO_ENOTFOUND);
	/* A blob's hash is no commit either. */
	{
		char blob[64];

		assert_int_equal(capture(f, blob, sizeof(blob), "git rev-parse main:a.txt"), 0);
		assert_int_equal(resolve(f, out, blob), REPO_ENOTFOUND);
	}
}

static void test_resolve_hostile(void **state)
{
	fixture *f = *state;
	char out[REPO_HEX_SIZE], longrev[REPO_REV_MAX + 2];
	static const char *const hostile[] = {
	    "-h",
	    "--all",
	    "--output=/tmp/x",
	    "-dirty",
	    "v1.0..v2.0",
	    "v1.0...main",
	    "..main",
	    "main..",
	    "HEAD",
	    "FETCH_HEAD",
	    "ORIG_HEAD",
	    "MERGE_HEAD",
	    "@",
	    "HEAD@{1}",
	    "main@{upstream}",
	    "@{-1}",
	    "main@{0}",
	    "@{u}",
	    "main^",
	    "main^2",
	    "main~1",
	    "main~",
	    "v1.0^{tree}",
	    "v1.0^{}",
	    "main^{/fix}",
	    "main:a.txt",
	    ":a.txt",
	    ":/Initial",
	    ":0:a.txt",
	    "main?",
	    "ma*n",
	    "[main]",
	    "main\\x",
	    "main ",
	    " main",
	    "ma in",
	    "main\n",
	    "main\t",
	    "ma\x01in",
	    "ma\x7fin",
	    "/main",
	    "main/",
	    ".main",
	    "main.",
	    "refs/heads/.x",
	    "refs//heads/main",
	    "refs/heads/../x",
	    "main.lock",
	    "refs/heads/main.lock",
	};

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		int rc = resolve(f, out, hostile[i]);

		if (rc != REPO_EINVAL)
			fail_msg("\"%s\": %d, expected REPO_EINVAL", hostile[i], rc);
		assert_true(strncmp(repo_error(f->repo), "revision: ", 10) == 0);
	}
	/* Empty, NUL inside the length, too long. */
	assert_int_equal(repo_resolve(out, f->repo, "", 0), REPO_EINVAL);
	assert_int_equal(repo_resolve(out, f->repo, NULL, 0), REPO_EINVAL);
	assert_int_equal(repo_resolve(out, f->repo, NULL, 4), REPO_EINVAL);
	assert_int_equal(repo_resolve(out, f->repo, "main\0x", 6), REPO_EINVAL);
	assert_int_equal(repo_resolve(out, NULL, "main", 4), REPO_EINVAL);
	assert_int_equal(repo_resolve(NULL, f->repo, "main", 4), REPO_EINVAL);
	memset(longrev, 'a', sizeof(longrev));
	assert_int_equal(repo_resolve(out, f->repo, longrev, REPO_REV_MAX + 1),
			 REPO_EINVAL);
	/* At the limit the syntax is fine: it is merely unknown. */
	assert_int_equal(repo_resolve(out, f->repo, longrev, REPO_REV_MAX),
			 REPO_ENOTFOUND);
	/* Only the given length is read: "main" cut out of a longer buffer. */
	assert_int_equal(repo_resolve(out, f->repo, "main..v1.0", 4), REPO_OK);
	assert_string_equal(out, f->c3);
}

static void test_resolve_cache(void **state)
{
	fixture *f = *state;
	char out[REPO_HEX_SIZE], name[64], newer[REPO_HEX_SIZE];
	repo_stats st;

	assert_resolves(f, "main", f->c3);
	assert_resolves(f, "main", f->c3);
	repo_get_stats(&st, f->repo);
	assert_int_equal(st.resolve_misses, 1);
	assert_int_equal(st.resolve_hits, 1);
	assert_int_equal(st.resolve_entries, 1);
	/* A branch moves: the cached answer stands until the cache is cleared. */
	assert_int_equal(commit_at(f, 600, "Ada Initial", "Newer"), 0);
	rev(f, newer, "main");
	assert_resolves(f, "main", f->c3);
	repo_cache_clear(f->repo);
	repo_get_stats(&st, f->repo);
	assert_int_equal(st.resolve_entries, 0);
	assert_resolves(f, "main", newer);
	/* Not-found answers are cached too, and cleared the same way. */
	assert_int_equal(resolve(f, out, "later"), REPO_ENOTFOUND);
	assert_int_equal(sh(f, "git branch later"), 0);
	assert_int_equal(resolve(f, out, "later"), REPO_ENOTFOUND);
	repo_cache_clear(f->repo);
	assert_resolves(f, "later", newer);
	/* Refused input never reaches the cache. */
	repo_get_stats(&st, f->repo);
	assert_int_equal(resolve(f, out, "main~1"), REPO_EINVAL);
	{
		repo_stats after;

		repo_get_stats(&after, f->repo);
		assert_int_equal(after.resolve_hits + after.resolve_misses,
				 st.resolve_hits + st.resolve_misses);
	}
	/* Bounded: many distinct inputs never hold more than the ceiling, and all still answer. */
	for (int i = 0; i < 3 * REPO_RESOLVE_CACHE; i++) {
		snprintf(name, sizeof(name), "nope-%d", i);
		assert_int_equal(resolve(f, out, name), REPO_ENOTFOUND);
	}
	repo_get_stats(&st, f->repo);
	assert_true(st.resolve_entries <= REPO_RESOLVE_CACHE);
	assert_true(st.resolve_entries > REPO_RESOLVE_CACHE * 9 / 10);
	assert_resolves(f, "main", newer);
	assert_resolves(f, "main", newer);
	/* Inputs longer than a cache key are answered, just not remembered. */
	{
		char lng[REPO_RESOLVE_KEY_MAX + 10];
		repo_stats before, after;

		memset(lng, 'b', sizeof(lng));
		repo_get_stats(&before, f->repo);
		assert_int_equal(repo_resolve(out, f->repo, lng, sizeof(lng)),
				 REPO_ENOTFOUND);
		assert_int_equal(repo_resolve(out, f->repo, lng, sizeof(lng)),
				 REPO_ENOTFOUND);
		repo_get_stats(&after, f->repo);
		assert_int_equal(after.resolve_misses, before.resolve_misses + 2);
	}
	repo_cache_clear(NULL);
	repo_get_stats(&st, NULL);
	assert_int_equal(st.resolve_entries, 0);
}

/* ---- contains ---- */

static void test_contains(void **state)
{
	fixture *f = *state;
	char up[REPO_HEX_SIZE];
	int in = -1;

	/* Across the merge: the feature commit is in main from the merge on. */
	assert_int_equal(repo_contains(&in, f->repo, f->f1, f->m), REPO_OK);
	assert_int_equal(in, 1);
	assert_int_equal(repo_contains(&in, f->repo, f->f1, f->c3), REPO_OK);
	assert_int_equal(in, 1);
	assert_int_equal(repo_contains(&in, f->repo, f->f1, f->c2), REPO_OK);
	assert_int_equal(in, 0);
	assert_int_equal(repo_contains(&in, f->repo, f->c2, f->f1), REPO_OK);
	assert_int_equal(in, 0);
	assert_int_equal(repo_contains(&in, f->repo, f->c1, f->f1), REPO_OK);
	assert_int_equal(in, 1);
	assert_int_equal(repo_contains(&in, f->repo, f->c0, f->c3), REPO_OK);
	assert_int_equal(in, 1);
	assert_int_equal(repo_contains(&in, f->repo, f->m, f->f1), REPO_OK);
	assert_int_equal(in, 0);
	assert_int_equal(repo_contains(&in, f->repo, f->c3, f->m), REPO_OK);
	assert_int_equal(in, 0);
	/* Equal counts. */
	assert_int_equal(repo_contains(&in, f->repo, f->c3, f->c3), REPO_OK);
	assert_int_equal(in, 1);
	/* Upper-case ids are the same ids. */
	for (size_t i = 0; i < 41; i++)
		up[i] = (char)(f->f1[i] >= 'a' ? f->f1[i] - 32 : f->f1[i]);
	assert_int_equal(repo_contains(&in, f->repo, up, f->m), REPO_OK);
	assert_int_equal(in, 1);
	/* Malformed and unknown ids. */
	assert_int_equal(repo_contains(&in, f->repo, "abc1234", f->m), REPO_EINVAL);
	assert_int_equal(repo_contains(&in, f->repo, f->m, "main"), REPO_EINVAL);
	assert_int_equal(repo_contains(&in, f->repo, NULL, f->m), REPO_EINVAL);
	assert_int_equal(
	    repo_contains(&in, f->repo, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", f->m),
	    REPO_EINVAL);
	assert_int_equal(
	    repo_contains(&in, f->repo, "0123456789012345678901234567890123456789a", f->m),
	    REPO_EINVAL);
	assert_int_equal(
	    repo_contains(&in, f->repo, "0123456789012345678901234567890123456789", f->m),
	    REPO_ENOTFOUND);
	assert_int_equal(
	    repo_contains(&in, f->repo, f->m, "0123456789012345678901234567890123456789"),
	    REPO_ENOTFOUND);
	assert_int_equal(repo_contains(NULL, f->repo, f->m, f->m), REPO_EINVAL);
}

/* ---- blame ---- */

static int blame(fixture *f, repo_commit *out, const char *commit, const char *path, size_t line)
{
	return repo_blame_line(out, f->repo, commit, path, strlen(path), line);
}

static void test_blame(void **state)
{
	fixture *f = *state;
	repo_commit c;
	repo_stats st;

	/* The line the feature changed names the feature commit, with its details. */
	assert_int_equal(blame(f, &c, f->c3, "a.txt", 3), REPO_OK);
	assert_string_equal(c.id, f->f1);
	assert_string_equal(c.author_name, "Zo\xc3\xab Feature");
	assert_string_equal(c.author_email, "test@prosum.invalid");
	assert_int_equal(c.author_time, T0 + 200);
	assert_int_equal(c.commit_time, T0 + 200);
	assert_int_equal(c.author_offset, 0);
	assert_string_equal(c.summary, "Implement the palette");
	/* Untouched lines name the initial commit. */
	assert_int_equal(blame(f, &c, f->c3, "a.txt", 1), REPO_OK);
	assert_string_equal(c.id, f->c0);
	assert_string_equal(c.summary, "Initial import");
	assert_int_equal(blame(f, &c, f->c3, "a.txt", 5), REPO_OK);
	assert_string_equal(c.id, f->c0);
	/* As of a commit before the feature, line 3 is still the initial one. */
	assert_int_equal(blame(f, &c, f->c2, "a.txt", 3), REPO_OK);
	assert_string_equal(c.id, f->c0);
	assert_int_equal(blame(f, &c, f->f1, "a.txt", 3), REPO_OK);
	assert_string_equal(c.id, f->f1);
	/* b.txt was changed on main after the branch point. */
	assert_int_equal(blame(f, &c, f->c3, "b.txt", 1), REPO_OK);
	assert_string_equal(c.id, f->c2);
	assert_string_equal(c.summary, "Tweak b");
	/* "./" in front is dropped. */
	assert_int_equal(blame(f, &c, f->c3, "./a.txt", 3), REPO_OK);
	assert_string_equal(c.id, f->f1);
	/* Past the end, a file that does not exist (then or ever), an unknown commit. */
	assert_int_equal(blame(f, &c, f->c3, "a.txt", 6), REPO_ENOTFOUND);
	assert_string_equal(c.id, "");
	assert_int_equal(blame(f, &c, f->c3, "a.txt", 1000000), REPO_ENOTFOUND);
	assert_int_equal(blame(f, &c, f->c3, "nope.c", 1), REPO_ENOTFOUND);
	assert_int_equal(blame(f, &c, f->c0, "b.txt", 1), REPO_ENOTFOUND);
	assert_int_equal(blame(f, &c, f->c3, "a.txt/x", 1), REPO_ENOTFOUND);
	assert_int_equal(blame(f, &c, "0123456789012345678901234567890123456789", "a.txt", 1),
			 REPO_ENOTFOUND);
	assert_int_equal(blame(f, &c, "main", "a.txt", 1), REPO_EINVAL);
	assert_int_equal(blame(f, &c, f->c3, "a.txt", 0), REPO_EINVAL);
	/* The whole-file blame is kept: other lines of the same file cost a lookup. */
	repo_get_stats(&st, f->repo);
	assert_true(st.blame_hits >= 4);
	assert_int_equal(st.blame_misses, 8);
	assert_int_equal(st.blame_entries, 4); /* four misses failed and kept nothing */
	/* Files in directories; a directory is not a file. */
	{
		char sub[REPO_HEX_SIZE];

		assert_int_equal(sh(f, "mkdir -p src/ui && printf 'x\\ny\\n' >src/ui/y.c && "
				       "git add src"),
				 0);
		assert_int_equal(commit_at(f, 600, "Ada Initial", "Add the UI"), 0);
		rev(f, sub, "main");
		assert_int_equal(blame(f, &c, sub, "src/ui/y.c", 2), REPO_OK);
		assert_string_equal(c.id, sub);
		assert_string_equal(c.summary, "Add the UI");
		assert_int_equal(blame(f, &c, sub, "./src/ui/y.c", 1), REPO_OK);
		assert_int_equal(blame(f, &c, sub, "src/ui/y.c", 3), REPO_ENOTFOUND);
		assert_int_equal(blame(f, &c, sub, "src/ui", 1), REPO_ENOTFOUND);
		assert_string_equal(repo_error(f->repo), "src/ui is not a file");
		assert_int_equal(blame(f, &c, sub, "src", 1), REPO_ENOTFOUND);
	}
}

static void test_blame_hostile_paths(void **state)
{
	fixture *f = *state;
	repo_commit c;
	char *lng;
	static const char *const hostile[] = {
	    "",       "/etc/passwd", "/a.txt",     "../a.txt", "..",          ".",
	    "./",     "./..",        "a/../a.txt", "a.txt/..", "sub/./a.txt", "a//b",
	    "a.txt/", "./../x",      "a\x01.txt",  "a\n.txt",  "a\x7f.txt",   "..\\..\\x/..",
	};

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		int rc = blame(f, &c, f->c3, hostile[i], 1);

		if (rc != REPO_EINVAL)
			fail_msg("\"%s\": %d, expected REPO_EINVAL", hostile[i], rc);
		assert_true(strncmp(repo_error(f->repo), "path: ", 6) == 0);
	}
	/* NUL inside the length, NULL, over the ceiling. */
	assert_int_equal(repo_blame_line(&c, f->repo, f->c3, "a.txt\0x", 7, 1), REPO_EINVAL);
	assert_int_equal(repo_blame_line(&c, f->repo, f->c3, NULL, 0, 1), REPO_EINVAL);
	lng = malloc(REPO_PATH_MAX + 1);
	assert_non_null(lng);
	memset(lng, 'a', REPO_PATH_MAX + 1);
	assert_int_equal(repo_blame_line(&c, f->repo, f->c3, lng, REPO_PATH_MAX + 1, 1),
			 REPO_EINVAL);
	/* At the ceiling it is only a path that does not exist. */
	for (size_t i = 100; i < REPO_PATH_MAX; i += 101)
		lng[i] = '/';
	assert_int_equal(repo_blame_line(&c, f->repo, f->c3, lng, REPO_PATH_MAX, 1),
			 REPO_ENOTFOUND);
	free(lng);
	/* Only the given length is read. */
	assert_int_equal(repo_blame_line(&c, f->repo, f->c3, "a.txt/../../etc", 5, 3),
			 REPO_OK);
	assert_string_equal(c.id, f->f1);
}

static void test_blame_cache_bounded(void **state)
{
	fixture *f = *state;
	char line[64];
	repo_commit c;
	repo_stats st;
	FILE *p;
	char cmd[256];
	int n = 0;

	assert_int_equal(sh(f,
			    "for i in $(seq 1 %d); do echo $i >>c.txt; git add c.txt; "
			    "git commit -q -m \"c $i\"; done",
			    REPO_BLAME_CACHE + 8),
			 0);
	snprintf(cmd, sizeof(cmd), "cd '%s' && git rev-list -n %d main", f->work,
		 REPO_BLAME_CACHE + 8);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		line[40] = '\0';
		assert_int_equal(blame(f, &c, line, "c.txt", 1), REPO_OK);
		/* Line 1 was written by "c 1" whatever the commit. */
		assert_string_equal(c.summary, "c 1");
		n++;
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(n, REPO_BLAME_CACHE + 8);
	repo_get_stats(&st, f->repo);
	assert_int_equal(st.blame_misses, REPO_BLAME_CACHE + 8);
	assert_int_equal(st.blame_entries, REPO_BLAME_CACHE);
}

/* ---- walk ---- */

typedef struct seen_list {
	char ids[256][REPO_HEX_SIZE];
	size_t n;
	int dup;
	int stop_after; /* 0: never stop */
	int f1_message_ok;
} seen_list;

static int collect(const repo_walk_commit *c, void *payload)
{
	seen_list *s = payload;

	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->ids[i], c->id) == 0)
			s->dup = 1;
	}
	if (s->n < 256)
		memcpy(s->ids[s->n++], c->id, REPO_HEX_SIZE);
	if (c->summary_len == strlen("Implement the palette") &&
	    memcmp(c->summary, "Implement the palette", c->summary_len) == 0) {
		const char *want = "Implement the palette\n\nImplements S-4 for the testers.\n";

		s->f1_message_ok = c->message_len == strlen(want) &&
				   memcmp(c->message, want, c->message_len) == 0 &&
				   strcmp(c->author_name, "Zo\xc3\xab Feature") == 0 &&
				   c->author_time == T0 + 200 && c->parents == 1;
	}
	return s->stop_after && (int)s->n >= s->stop_after;
}

static size_t index_of(const seen_list *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->ids[i], id) == 0)
			return i;
	}
	return SIZE_MAX;
}

static const char *const *tip_ptrs(const repo_tips *t, const char **v)
{
	for (size_t i = 0; i < t->count; i++)
		v[i] = t->ids[i];
	return v;
}

static void test_walk(void **state)
{
	fixture *f = *state;
	seen_list *s = calloc(1, sizeof(*s));
	repo_tips tips = {0}, tips2 = {0}, tips3 = {0};
	const char *v[16], *v2[16];
	char count[32], n1[REPO_HEX_SIZE], n2[REPO_HEX_SIZE], n3[REPO_HEX_SIZE];

	assert_non_null(s);
	/* First walk: every commit once, children before parents. */
	assert_int_equal(repo_walk(&tips, f->repo, NULL, 0, NULL, 0, collect, s), REPO_OK);
	assert_int_equal(capture(f, count, sizeof(count), "git rev-list --all | wc -l"), 0);
	assert_int_equal(s->n, strtoul(count, NULL, 10));
	assert_int_equal(s->n, 6);
	assert_int_equal(s->dup, 0);
	assert_true(s->f1_message_ok);
	assert_true(index_of(s, f->c3) < index_of(s, f->m));
	assert_true(index_of(s, f->m) < index_of(s, f->f1));
	assert_true(index_of(s, f->m) < index_of(s, f->c2));
	assert_true(index_of(s, f->f1) < index_of(s, f->c1));
	assert_true(index_of(s, f->c1) < index_of(s, f->c0));
	/* Tips: main/v2.0 (C3), feature (F1), v1.1 and v2.0-gold (C2), v1.0 (C1), deduplicated. */
	assert_int_equal(tips.count, 4);
	/* Three new commits, one on a new branch. */
	assert_int_equal(commit_at(f, 600, "Ada Initial", "New one"), 0);
	assert_int_equal(commit_at(f, 700, "Ada Initial", "New two"), 0);
	assert_int_equal(sh(f, "git checkout -q -b topic v1.0"), 0);
	assert_int_equal(commit_at(f, 800, "Ada Initial", "New three"), 0);
	rev(f, n1, "main~1");
	rev(f, n2, "main");
	rev(f, n3, "topic");
	memset(s, 0, sizeof(*s));
	assert_int_equal(
	    repo_walk(&tips2, f->repo, tip_ptrs(&tips, v), tips.count, NULL, 0, collect, s),
	    REPO_OK);
	assert_int_equal(s->n, 3);
	assert_int_equal(s->dup, 0);
	assert_true(index_of(s, n1) != SIZE_MAX);
	assert_true(index_of(s, n2) < index_of(s, n1));
	assert_true(index_of(s, n3) != SIZE_MAX);
	assert_int_equal(tips2.count, 6);
	/* Nothing new: nothing seen. */
	memset(s, 0, sizeof(*s));
	assert_int_equal(
	    repo_walk(&tips3, f->repo, tip_ptrs(&tips2, v2), tips2.count, NULL, 0, collect, s),
	    REPO_OK);
	assert_int_equal(s->n, 0);
	assert_int_equal(tips3.count, 6);
	repo_tips_free(&tips3);
	/* Seen ids that no longer exist are ignored: everything else is hidden as before. */
	v2[tips2.count] = "0123456789012345678901234567890123456789";
	memset(s, 0, sizeof(*s));
	assert_int_equal(repo_walk(&tips3, f->repo, v2, tips2.count + 1, NULL, 0, collect, s),
			 REPO_OK);
	assert_int_equal(s->n, 0);
	repo_tips_free(&tips3);
	repo_tips_free(&tips);
	repo_tips_free(&tips2);
	free(s);
}

static void test_walk_refs_and_errors(void **state)
{
	fixture *f = *state;
	seen_list *s = calloc(1, sizeof(*s));
	repo_tips tips = {0};
	const char *refs[] = {"feature"};
	const char *bad_refs[] = {"main~1"};
	const char *missing_refs[] = {"nosuch"};
	const char *bad_seen[] = {"abc"};

	assert_non_null(s);
	/* Only what one ref reaches. */
	assert_int_equal(repo_walk(&tips, f->repo, NULL, 0, refs, 1, collect, s), REPO_OK);
	assert_int_equal(s->n, 3);
	assert_int_equal(tips.count, 1);
	assert_string_equal(tips.ids[0], f->f1);
	repo_tips_free(&tips);
	assert_null(tips.ids);
	/* Stopped by the callback: an error, and no tips to remember. */
	memset(s, 0, sizeof(*s));
	s->stop_after = 2;
	assert_int_equal(repo_walk(&tips, f->repo, NULL, 0, NULL, 0, collect, s),
			 REPO_ESTOPPED);
	assert_int_equal(s->n, 2);
	assert_null(tips.ids);
	assert_int_equal(tips.count, 0);
	/* Bad input. */
	assert_int_equal(repo_walk(&tips, f->repo, bad_seen, 1, NULL, 0, collect, s),
			 REPO_EINVAL);
	assert_int_equal(repo_walk(&tips, f->repo, NULL, 0, bad_refs, 1, collect, s),
			 REPO_EINVAL);
	assert_int_equal(repo_walk(&tips, f->repo, NULL, 0, missing_refs, 1, collect, s),
			 REPO_ENOTFOUND);
	assert_int_equal(repo_walk(&tips, f->repo, NULL, 0, NULL, 0, NULL, s), REPO_EINVAL);
	assert_int_equal(repo_walk(&tips, f->repo, NULL, 3, NULL, 0, collect, s),
			 REPO_EINVAL);
	/* A tag of a tree starts nothing and is no tip. */
	assert_int_equal(sh(f, "git tag treetag 'main^{tree}'"), 0);
	memset(s, 0, sizeof(*s));
	assert_int_equal(repo_walk(&tips, f->repo, NULL, 0, NULL, 0, collect, s), REPO_OK);
	assert_int_equal(s->n, 6);
	assert_int_equal(tips.count, 4);
	repo_tips_free(&tips);
	repo_tips_free(NULL);
	free(s);
}

static void test_walk_empty_repository(void **state)
{
	fixture *f = *state;
	seen_list s = {0};
	repo_tips tips = {0};
	repo_handle *r = NULL;
	char path[256];

	assert_int_equal(sh(f, "git init -q ../empty"), 0);
	snprintf(path, sizeof(path), "%s/empty", f->dir);
	assert_int_equal(repo_open(&r, path, NULL, 0), REPO_OK);
	assert_int_equal(repo_walk(&tips, r, NULL, 0, NULL, 0, collect, &s), REPO_OK);
	assert_int_equal(s.n, 0);
	assert_int_equal(tips.count, 0);
	{
		char out[REPO_HEX_SIZE];

		assert_int_equal(repo_resolve(out, r, "main", 4), REPO_ENOTFOUND);
	}
	repo_tips_free(&tips);
	repo_close(r);
}

/* ---- releases ---- */

static void test_release_order(void **state)
{
	fixture *f = *state;
	char p1[REPO_HEX_SIZE], skew[REPO_HEX_SIZE];
	size_t order[8];

	/* A maintenance release off v1.0, made after the merge and before v2.0. */
	assert_int_equal(sh(f, "git checkout -q -b maint v1.0"), 0);
	assert_int_equal(commit_at(f, 450, "Ada Initial", "Backport"), 0);
	rev(f, p1, "maint");
	{
		/* Registered out of order: 2.0, 1.0.1, 1.0, 1.1. */
		const char *tips[] = {f->c3, p1, f->c1, f->c2};

		assert_int_equal(repo_order_releases(order, f->repo, tips, 4), REPO_OK);
		assert_int_equal(order[0], 2); /* 1.0 */
		assert_int_equal(order[1], 3); /* 1.1 */
		assert_int_equal(order[2], 1); /* 1.0.1: not related to 1.1 or 2.0, by time */
		assert_int_equal(order[3], 0); /* 2.0 */
	}
	/* Ancestry wins over clocks: a descendant stamped before its ancestor still comes after. */
	assert_int_equal(sh(f, "git checkout -q main"), 0);
	assert_int_equal(commit_at(f, -5000, "Ada Initial", "Skewed clock"), 0);
	rev(f, skew, "main");
	{
		const char *tips[] = {skew, f->c3, f->c0, p1};

		assert_int_equal(repo_order_releases(order, f->repo, tips, 4), REPO_OK);
		assert_int_equal(order[0], 2);
		/* After C0 both C3 (500) and P1 (450) are ready: P1 is older. */
		assert_int_equal(order[1], 3);
		assert_int_equal(order[2], 1);
		assert_int_equal(order[3], 0);
	}
	{
		/* Releases sharing a tip keep their input order; one release; none. */
		const char *tips[] = {f->c3, f->c2, f->c3};

		assert_int_equal(repo_order_releases(order, f->repo, tips, 3), REPO_OK);
		assert_int_equal(order[0], 1);
		assert_int_equal(order[1], 0);
		assert_int_equal(order[2], 2);
		assert_int_equal(repo_order_releases(order, f->repo, tips, 1), REPO_OK);
		assert_int_equal(order[0], 0);
		assert_int_equal(repo_order_releases(NULL, f->repo, NULL, 0), REPO_OK);
	}
	{
		const char *bad[] = {f->c3, "v1.0"};
		const char *missing[] = {f->c3, "0123456789012345678901234567890123456789"};

		assert_int_equal(repo_order_releases(order, f->repo, bad, 2), REPO_EINVAL);
		assert_int_equal(repo_order_releases(order, f->repo, missing, 2), REPO_EGIT);
		assert_int_equal(
		    repo_order_releases(order, f->repo, bad, REPO_RELEASES_MAX + 1),
		    REPO_EINVAL);
	}
}

static void test_first_containing(void **state)
{
	fixture *f = *state;
	char later[REPO_HEX_SIZE];
	size_t idx = 99;
	/* Release 1 is v1.1 (C2, made after the feature commit but without it), release 2 v2.0. */
	const char *releases[] = {f->c2, f->c3};
	const char *three[] = {f->c1, f->c2, f->c3};

	/* The suggestion, implemented on a branch merged after release 1, shipped in release 2. */
	assert_int_equal(repo_first_containing(&idx, f->repo, f->f1, releases, 2), REPO_OK);
	assert_int_equal(idx, 1);
	assert_int_equal(repo_first_containing(&idx, f->repo, f->f1, three, 3), REPO_OK);
	assert_int_equal(idx, 2);
	/* Older commits are in the first release; a release's own tip is in it. */
	assert_int_equal(repo_first_containing(&idx, f->repo, f->c0, releases, 2), REPO_OK);
	assert_int_equal(idx, 0);
	assert_int_equal(repo_first_containing(&idx, f->repo, f->c2, releases, 2), REPO_OK);
	assert_int_equal(idx, 0);
	assert_int_equal(repo_first_containing(&idx, f->repo, f->m, three, 3), REPO_OK);
	assert_int_equal(idx, 2);
	/* Not released yet; unknown commit; no releases. */
	assert_int_equal(commit_at(f, 600, "Ada Initial", "Unreleased"), 0);
	rev(f, later, "main");
	assert_int_equal(repo_first_containing(&idx, f->repo, later, releases, 2),
			 REPO_ENOTFOUND);
	assert_int_equal(repo_first_containing(&idx, f->repo,
						  "0123456789012345678901234567890123456789",
						  releases, 2),
			 REPO_ENOTFOUND);
	assert_int_equal(repo_first_containing(&idx, f->repo, f->c0, releases, 0),
			 REPO_ENOTFOUND);
	/* A release tip that is gone is an error, not "not shipped". */
	{
		const char *gone[] = {"0123456789012345678901234567890123456789", f->c3};

		assert_int_equal(repo_first_containing(&idx, f->repo, f->f1, gone, 2),
				 REPO_EGIT);
	}
	assert_int_equal(repo_first_containing(&idx, f->repo, "f1", releases, 2),
			 REPO_EINVAL);
	/* The ordering and the search together, releases registered newest first. */
	{
		const char *registered[] = {f->c3, f->c2, f->c1};
		const char *ordered[3];
		size_t order[3];

		assert_int_equal(repo_order_releases(order, f->repo, registered, 3), REPO_OK);
		for (size_t i = 0; i < 3; i++)
			ordered[i] = registered[order[i]];
		assert_int_equal(repo_first_containing(&idx, f->repo, f->f1, ordered, 3),
				 REPO_OK);
		assert_ptr_equal(ordered[idx], f->c3);
	}
}

static void test_first_containing_many(void **state)
{
	fixture *f = *state;
	char later[REPO_HEX_SIZE];
	const char *releases[] = {f->c1, f->c2, f->c3};
	size_t idx[8];

	assert_int_equal(commit_at(f, 600, "Ada Initial", "Unreleased"), 0);
	rev(f, later, "main");
	{
		const char *commits[] = {
		    f->f1, f->c0, f->c2, later, "0123456789012345678901234567890123456789",
		    f->m,  f->f1, f->c1};

		assert_int_equal(
		    repo_first_containing_many(idx, f->repo, commits, 8, releases, 3),
		    REPO_OK);
		assert_int_equal(idx[0], 2); /* the feature: merged after 1.1 */
		assert_int_equal(idx[1], 0);
		assert_int_equal(idx[2], 1);
		assert_int_equal(idx[3], REPO_NONE);
		assert_int_equal(idx[4], REPO_NONE);
		assert_int_equal(idx[5], 2);
		assert_int_equal(idx[6], 2); /* asked twice, answered twice */
		assert_int_equal(idx[7], 0);
		/* The same answers one at a time. */
		for (size_t i = 0; i < 8; i++) {
			size_t one = 99;
			int rc = repo_first_containing(&one, f->repo, commits[i], releases, 3);

			if (idx[i] == REPO_NONE) {
				assert_int_equal(rc, REPO_ENOTFOUND);
			} else {
				assert_int_equal(rc, REPO_OK);
				assert_int_equal(one, idx[i]);
			}
		}
		/* No releases: nothing shipped. */
		assert_int_equal(repo_first_containing_many(idx, f->repo, commits, 8, NULL, 0),
				 REPO_OK);
		assert_int_equal(idx[0], REPO_NONE);
		assert_int_equal(repo_first_containing_many(NULL, f->repo, NULL, 0, releases, 3),
				 REPO_OK);
	}
	{
		const char *bad[] = {"main"};
		const char *commits[] = {f->f1};
		const char *gone[] = {"0123456789012345678901234567890123456789"};

		assert_int_equal(repo_first_containing_many(idx, f->repo, bad, 1, releases, 3),
				 REPO_EINVAL);
		assert_int_equal(repo_first_containing_many(idx, f->repo, commits, 1, gone, 1),
				 REPO_EGIT);
	}
	/* Many more than 64 releases: the sets span several words. */
	{
		const char *many[130];
		const char *commits[] = {f->f1, f->c0};

		for (size_t i = 0; i < 130; i++)
			many[i] = i < 100 ? f->c2 : f->c3;
		assert_int_equal(repo_first_containing_many(idx, f->repo, commits, 2, many, 130),
				 REPO_OK);
		assert_int_equal(idx[0], 100);
		assert_int_equal(idx[1], 0);
		many[0] = f->c3;
		assert_int_equal(repo_first_containing_many(idx, f->repo, commits, 2, many, 130),
				 REPO_OK);
		assert_int_equal(idx[0], 0);
	}
}

/* ---- fetch ---- */

static void test_fetch(void **state)
{
	fixture *f = *state;
	repo_handle *clone = NULL, *mirror = NULL;
	char path[256], out[REPO_HEX_SIZE], newer[REPO_HEX_SIZE];

	/* Without an "origin" there is nothing to do. */
	assert_int_equal(repo_fetch(f->repo), REPO_OK);
	assert_int_equal(sh(f, "git clone -q . ../clone && git clone -q --mirror . ../mirror.git"),
			 0);
	snprintf(path, sizeof(path), "%s/clone", f->dir);
	assert_int_equal(repo_open(&clone, path, NULL, 0), REPO_OK);
	snprintf(path, sizeof(path), "%s/mirror.git", f->dir);
	assert_int_equal(repo_open(&mirror, path, NULL, 0), REPO_OK);
	/* A new commit and tag upstream are unknown downstream (and that answer is cached). */
	assert_int_equal(commit_at(f, 600, "Ada Initial", "Upstream only"), 0);
	assert_int_equal(sh(f, "git tag v3.0"), 0);
	rev(f, newer, "main");
	assert_int_equal(repo_resolve(out, clone, newer, 40), REPO_ENOTFOUND);
	assert_int_equal(repo_resolve(out, clone, "v3.0", 4), REPO_ENOTFOUND);
	assert_int_equal(repo_resolve(out, mirror, "main", 4), REPO_OK);
	assert_string_equal(out, f->c3);
	/* Fetch brings them, and clears the cache. */
	assert_int_equal(repo_fetch(clone), REPO_OK);
	assert_int_equal(repo_resolve(out, clone, newer, 40), REPO_OK);
	assert_string_equal(out, newer);
	assert_int_equal(repo_resolve(out, clone, "v3.0", 4), REPO_OK);
	assert_string_equal(out, newer);
	assert_int_equal(repo_resolve(out, clone, "origin/main", 11), REPO_OK);
	assert_string_equal(out, newer);
	/* A mirror's branches themselves move. */
	assert_int_equal(repo_fetch(mirror), REPO_OK);
	assert_int_equal(repo_resolve(out, mirror, "main", 4), REPO_OK);
	assert_string_equal(out, newer);
	/* The new commit shows up in a walk of the clone, after the old tips. */
	{
		seen_list *s = calloc(1, sizeof(*s));
		repo_tips tips = {0};
		const char *seen[] = {f->c3, f->f1, f->c2, f->c1};

		assert_non_null(s);
		assert_int_equal(repo_walk(&tips, clone, seen, 4, NULL, 0, collect, s),
				 REPO_OK);
		assert_int_equal(s->n, 1);
		assert_string_equal(s->ids[0], newer);
		repo_tips_free(&tips);
		free(s);
	}
	/* An origin that went away is an error with a reason. */
	assert_int_equal(sh(f, "cd ../clone && git remote set-url origin ../nowhere"), 0);
	assert_true(repo_fetch(clone) < 0);
	assert_true(strlen(repo_error(clone)) > 0);
	assert_int_equal(repo_fetch(NULL), REPO_EINVAL);
	repo_close(clone);
	repo_close(mirror);
}

/* ---- a large history ---- */

static int count_only(const repo_walk_commit *c, void *payload)
{
	size_t *n = payload;

	(*n) += c->message_len > 0;
	return 0;
}

/*
 * A linear history of PERF_COMMITS commits made with git fast-import: the
 * first walk must visit them all quickly; the next, after one commit, only it.
 * PROSUM_GITLINK_COMMITS raises the count for measurements.
 */
static void test_walk_large(void **state)
{
	fixture *f = *state;
	const char *env = getenv("PROSUM_GITLINK_COMMITS");
	long commits = env ? strtol(env, NULL, 10) : 20000;
	repo_tips tips = {0}, tips2 = {0};
	const char *v[8];
	struct timespec a, b, ca, cb;
	char cmd[256];
	size_t n = 0;
	FILE *p;
	double secs, cpu;

	/* The positions asserted below need a history of some length. */
	if (commits < 100)
		commits = 100;

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && git init -q -b main ../big && cd ../big && "
		 "git fast-import --quiet",
		 f->work);
	p = popen(cmd, "w");
	assert_non_null(p);
	for (long i = 1; i <= commits; i++) {
		char msg[128];
		int len = snprintf(msg, sizeof(msg), "Change %ld\n\nFixes R-%ld\n", i, i);

		fprintf(p, "commit refs/heads/main\nmark :%ld\n", i);
		fprintf(p, "author Ada <ada@example.org> %lld +0000\n", T0 + i);
		fprintf(p, "committer Ada <ada@example.org> %lld +0000\n", T0 + i);
		fprintf(p, "data %d\n%s", len, msg);
		if (i > 1)
			fprintf(p, "from :%ld\n", i - 1);
		fprintf(p, "M 644 inline f.txt\ndata %d\n%s\n", len, msg);
	}
	assert_int_equal(pclose(p), 0);
	/* From here on the fixture's commands run in the large repository. */
	snprintf(f->work, sizeof(f->work), "%s/big", f->dir);
	repo_close(f->repo);
	assert_int_equal(repo_open(&f->repo, f->work, NULL, 0), REPO_OK);
	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
	assert_int_equal(repo_walk(&tips, f->repo, NULL, 0, NULL, 0, count_only, &n),
			 REPO_OK);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	cpu = (double)(cb.tv_sec - ca.tv_sec) + (double)(cb.tv_nsec - ca.tv_nsec) / 1e9;
	print_message("walked %zu commits in %.3f s (%.3f s of CPU)\n", n, secs, cpu);
	assert_int_equal(n, (size_t)commits);
	/* CPU time, not elapsed time: other processes on a shared machine do not count. Under
	 * the sanitizers 20,000 commits take about a second; a walk gone quadratic takes far more.
	 */
	assert_true(cpu < 10.0);
	/* One more commit: the next walk sees only it, quickly. */
	assert_int_equal(sh(f, "git commit -q --allow-empty -m 'One more'"), 0);
	n = 0;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(
	    repo_walk(&tips2, f->repo, tip_ptrs(&tips, v), tips.count, NULL, 0, count_only, &n),
	    REPO_OK);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	print_message("incremental walk: %zu commit in %.3f s\n", n, secs);
	assert_int_equal(n, 1);
	repo_tips_free(&tips);
	repo_tips_free(&tips2);
	/* Ordering releases spread over the whole history. */
	{
		char t[4][REPO_HEX_SIZE];
		const char *tipv[4];
		size_t order[4];

		snprintf(cmd, sizeof(cmd), "main~%ld", commits / 2);
		rev(f, t[0], cmd);
		rev(f, t[1], "main");
		snprintf(cmd, sizeof(cmd), "main~%ld", commits - 1);
		rev(f, t[2], cmd);
		snprintf(cmd, sizeof(cmd), "main~%ld", commits / 4);
		rev(f, t[3], cmd);
		for (int i = 0; i < 4; i++)
			tipv[i] = t[i];
		clock_gettime(CLOCK_MONOTONIC, &a);
		assert_int_equal(repo_order_releases(order, f->repo, tipv, 4), REPO_OK);
		clock_gettime(CLOCK_MONOTONIC, &b);
		secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
		print_message("ordered 4 releases in %.3f s\n", secs);
		assert_int_equal(order[0], 2);
		assert_int_equal(order[1], 0);
		assert_int_equal(order[2], 3);
		assert_int_equal(order[3], 1);

		/* Which release shipped a commit: one at a time, then many in one walk. */
		{
			const char *ordered[4];
			char q[3][REPO_HEX_SIZE];
			const char *qv[3];
			size_t idx = 99, many[3];

			for (int i = 0; i < 4; i++)
				ordered[i] = tipv[order[i]];
			snprintf(cmd, sizeof(cmd), "main~%ld", commits - 10);
			rev(f, q[0], cmd);
			snprintf(cmd, sizeof(cmd), "main~%ld", commits / 3);
			rev(f, q[1], cmd);
			rev(f, q[2], "main");
			for (int i = 0; i < 3; i++)
				qv[i] = q[i];
			clock_gettime(CLOCK_MONOTONIC, &a);
			assert_int_equal(repo_first_containing(&idx, f->repo, q[0], ordered, 4),
					 REPO_OK);
			clock_gettime(CLOCK_MONOTONIC, &b);
			secs =
			    (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
			print_message("first containing (old commit) in %.3f s\n", secs);
			assert_int_equal(idx, 1);
			clock_gettime(CLOCK_MONOTONIC, &a);
			assert_int_equal(
			    repo_first_containing_many(many, f->repo, qv, 3, ordered, 4),
			    REPO_OK);
			clock_gettime(CLOCK_MONOTONIC, &b);
			secs =
			    (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
			print_message("first containing, 3 commits in one walk, in %.3f s\n", secs);
			assert_int_equal(many[0], 1);
			assert_int_equal(many[1], 2);
			assert_int_equal(many[2], 3);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resolve_forms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resolve_describe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resolve_expr, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resolve_unknown, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resolve_hostile, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resolve_cache, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_contains, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_blame, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_blame_hostile_paths, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_blame_cache_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk_refs_and_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk_empty_repository, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_release_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_first_containing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_first_containing_many, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fetch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk_large, setup, teardown),
	};
	int rc;

	/* Neither git nor libgit2 may read the user's configuration: a private, empty HOME. */
	if (unit_tmpdir(home, sizeof(home), "gitlink-home") < 0)
		return 1;
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Ada Initial", 1);
	setenv("GIT_AUTHOR_EMAIL", "test@prosum.invalid", 1);
	setenv("GIT_COMMITTER_NAME", "Ada Initial", 1);
	setenv("GIT_COMMITTER_EMAIL", "test@prosum.invalid", 1);
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
