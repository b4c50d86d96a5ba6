/* test_gitwork.c - git/gitwork.h on a store and a real repository made with git: blame answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "git/repo.h"
#include "git/gitwork.h"
#include "api/render_reports.h"
#include "api/reply.h"
#include "store/store.h"
#include "unit_fixture.h"
#include "unit_store.h"

typedef struct fixture {
	char dir[64];
	char repo[128];
	char path[128];
	store_db *db;
	int64_t project;
	char c0[41], c1[41]; /* c0 wrote main.c; c1, by Bob Fixer, changed its line 3 */
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	if (!f || unit_tmpdir(f->dir, sizeof(f->dir), "gitwork") < 0)
		return -1;
	snprintf(f->repo, sizeof(f->repo), "%s/repo", f->dir);
	if (unit_sh(f->dir, NULL, 0, "git init -q -b main '%s'", f->repo) < 0 ||
	    unit_sh(f->repo, NULL, 0,
		    "git config user.name 'Ada Tester' && git config user.email ada@example.org && "
		    "printf 'int main(void)\\n{\\n\\treturn 1;\\n}\\n' > main.c && git add main.c && "
		    "git commit -q -m 'Initial commit'") < 0 ||
	    unit_sh(f->repo, f->c0, sizeof(f->c0), "git rev-parse HEAD") < 0 ||
	    unit_sh(f->repo, NULL, 0,
		    "printf 'int main(void)\\n{\\n\\treturn 0;\\n}\\n' > main.c && git add main.c && "
		    "GIT_AUTHOR_NAME='Bob Fixer' git commit -q -m 'Stop failing on start'") < 0 ||
	    unit_sh(f->repo, f->c1, sizeof(f->c1), "git rev-parse HEAD") < 0)
		return -1;
	if (unit_store_open(f->dir, f->repo, f->path, sizeof(f->path), &f->db, &f->project) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	store_db_close(f->db);
	if (unit_rmtree(f->dir) < 0)
		return -1;
	free(f);
	return 0;
}

/* Store a crash at main.c:line built from `revision`, resolved as ingest does; its number. */
static int64_t crash(fixture *f, report *r, const char *uuid, const char *revision, int line)
{
	store_ingest out;

	memset(r, 0, sizeof(*r));
	r->root = json_pack("{s:s,s:s,s:[{s:s,s:s,s:i}]}", "uuid", uuid, "kind", "crash", "frames",
			    "function", "main", "file", "/home/ci/build/main.c", "line", line);
	assert_non_null(r->root);
	r->uuid = uuid;
	r->kind = "crash";
	r->title = "Crash in main";
	r->install_id = "tester";
	r->revision = revision;
	snprintf(r->fingerprint, sizeof(r->fingerprint), "main");
	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(gitwork_resolve_build(f->db, f->project, r), STORE_OK);
	assert_int_equal(store_report_insert(f->db, f->project, r, 2000, &out), STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
	return out.num;
}

/* Ask for a remembered blame of report num in a transaction of its own; *done as it says. */
static int blame_known(fixture *f, int64_t num, const report *r, int *done)
{
	int rc;

	assert_int_equal(store_begin(f->db), STORE_OK);
	rc = gitwork_blame_known(f->db, f->project, num, r->commit,
				 json_object_get(r->root, "frames"), done);
	assert_int_equal(store_commit(f->db), STORE_OK);
	return rc;
}

/* The suspects of report num: the count, and the first one's id in first (or ""). */
static size_t suspects(fixture *f, int64_t num, char first[41])
{
	json_t *got, *s;
	size_t n;

	assert_int_equal(render_report_get(f->db, f->project, num, &got), STORE_OK);
	s = json_object_get(got, "suspects");
	n = json_array_size(s);
	snprintf(first, 41, "%s", n ? json_string_value(json_object_get(json_array_get(s, 0), "id")) : "");
	json_decref(got);
	return n;
}

static void test_a_blame_is_remembered_per_commit_and_frames(void **state)
{
	fixture *f = *state;
	report a, b, other_line, other_build;
	int64_t na, nb, nl, nc;
	char first[41];
	int done = -1;

	na = crash(f, &a, "00000000-0000-4000-8000-000000000001", f->c1, 3);
	assert_string_equal(a.commit, f->c1);
	/* Nothing blamed yet: the report needs a blame job. */
	assert_int_equal(blame_known(f, na, &a, &done), STORE_OK);
	assert_int_equal(done, 0);
	assert_int_equal(suspects(f, na, first), 0);

	/* The job: line 3 of main.c at c1 was last changed by c1. */
	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(gitwork_blame_report(f->db, f->project, na, json_object_get(a.root, "frames")),
			 STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
	assert_int_equal(suspects(f, na, first), 1);
	assert_string_equal(first, f->c1);

	/* The same crash from the same build: the remembered answer, no job. */
	nb = crash(f, &b, "00000000-0000-4000-8000-000000000002", f->c1, 3);
	assert_int_equal(blame_known(f, nb, &b, &done), STORE_OK);
	assert_int_equal(done, 1);
	assert_int_equal(suspects(f, nb, first), 1);
	assert_string_equal(first, f->c1);

	/* Another line, or another build, is another question. */
	nl = crash(f, &other_line, "00000000-0000-4000-8000-000000000003", f->c1, 1);
	assert_int_equal(blame_known(f, nl, &other_line, &done), STORE_OK);
	assert_int_equal(done, 0);
	nc = crash(f, &other_build, "00000000-0000-4000-8000-000000000004", f->c0, 3);
	assert_string_equal(other_build.commit, f->c0);
	assert_int_equal(blame_known(f, nc, &other_build, &done), STORE_OK);
	assert_int_equal(done, 0);
	/* ...and blamed by its job, line 3 as of c0 is c0's. */
	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(gitwork_blame_report(f->db, f->project, nc,
					      json_object_get(other_build.root, "frames")),
			 STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
	assert_int_equal(suspects(f, nc, first), 1);
	assert_string_equal(first, f->c0);

	json_decref(a.root);
	json_decref(b.root);
	json_decref(other_line.root);
	json_decref(other_build.root);
}

/* Frames that name no file of the repository have no suspects, remembered as such. */
static void test_no_suspects_is_an_answer_too(void **state)
{
	fixture *f = *state;
	report a, b;
	int64_t na, nb;
	char first[41];
	int done = -1;

	na = crash(f, &a, "00000000-0000-4000-8000-000000000011", f->c1, 3);
	json_object_set_new(json_array_get(json_object_get(a.root, "frames"), 0), "file",
			    json_string("/src/absent.c"));
	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(gitwork_blame_report(f->db, f->project, na, json_object_get(a.root, "frames")),
			 STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
	assert_int_equal(suspects(f, na, first), 0);

	nb = crash(f, &b, "00000000-0000-4000-8000-000000000012", f->c1, 3);
	json_object_set_new(json_array_get(json_object_get(b.root, "frames"), 0), "file",
			    json_string("/src/absent.c"));
	assert_int_equal(blame_known(f, nb, &b, &done), STORE_OK);
	assert_int_equal(done, 1);
	assert_int_equal(suspects(f, nb, first), 0);
	json_decref(a.root);
	json_decref(b.root);
}

/* Frames that would print alike are still different questions. */
static void test_a_path_cannot_pose_as_two_frames(void **state)
{
	fixture *f = *state;
	report two, one;
	int64_t n2, n1;
	char first[41];
	int done = -1;
	json_t *frames;

	/* Two frames: x.c:1 (no such file) and main.c:3 (blamed to c1). */
	n2 = crash(f, &two, "00000000-0000-4000-8000-000000000021", f->c1, 3);
	frames = json_object_get(two.root, "frames");
	json_array_insert_new(frames, 0, json_pack("{s:s,s:s,s:i}", "function", "f", "file", "x.c",
						   "line", 1));
	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(gitwork_blame_report(f->db, f->project, n2, frames), STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
	assert_int_equal(suspects(f, n2, first), 1);

	/* One frame whose path spells the same lines. */
	n1 = crash(f, &one, "00000000-0000-4000-8000-000000000022", f->c1, 1);
	json_object_set_new(json_array_get(json_object_get(one.root, "frames"), 0), "file",
			    json_string("x.c\n3 /home/ci/build/main.c"));
	assert_int_equal(blame_known(f, n1, &one, &done), STORE_OK);
	assert_int_equal(done, 0);
	assert_int_equal(suspects(f, n1, first), 0);
	json_decref(two.root);
	json_decref(one.root);
}

/* The build of a report with `revision` and `version` (either may be NULL), as ingest
 * resolves it. */
static void build_of(fixture *f, const char *revision, const char *version, char out[41])
{
	report r;

	memset(&r, 0, sizeof(r));
	r.revision = revision;
	r.version = version;
	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(gitwork_resolve_build(f->db, f->project, &r), STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
	memcpy(out, r.commit, 41);
}

/* A build known only by its version: the release named like it, else the tag pattern. */
static void test_a_version_names_a_release_or_a_tag(void **state)
{
	fixture *f = *state;
	char got[41], why[256], longv[300];

	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(gitwork_release_add(f->db, f->project, "1.0", f->c0, 3000, why, sizeof(why)),
			 STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
	assert_int_equal(unit_sh(f->repo, NULL, 0, "git tag v2.0 && git tag v1.0 HEAD~1"), 0);

	build_of(f, NULL, "1.0", got);
	assert_string_equal(got, f->c0);
	/* No release 2.0 and no pattern: unknown, never guessed. */
	build_of(f, NULL, "2.0", got);
	assert_string_equal(got, "");
	/* A revision, when there is one, is what counts. */
	build_of(f, f->c1, "1.0", got);
	assert_string_equal(got, f->c1);
	build_of(f, "nosuch", "1.0", got);
	assert_string_equal(got, "");

	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(store_project_set_version_tag(f->db, f->project, "v{version}"), STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
	build_of(f, NULL, "2.0", got);
	assert_string_equal(got, f->c1);
	/* The release named like the version comes before the tag. */
	assert_int_equal(unit_sh(f->repo, NULL, 0, "git tag -f v1.0 HEAD >/dev/null 2>&1"), 0);
	build_of(f, NULL, "1.0", got);
	assert_string_equal(got, f->c0);
	/* Refs the pattern makes that are no plain revision, or too long, are unknown. */
	build_of(f, NULL, "2.0 beta", got);
	assert_string_equal(got, "");
	build_of(f, NULL, "2.0~1", got);
	assert_string_equal(got, "");
	memset(longv, '9', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	build_of(f, NULL, longv, got);
	assert_string_equal(got, "");
	/* Removed again. */
	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(store_project_set_version_tag(f->db, f->project, ""), STORE_OK);
	assert_int_equal(store_commit(f->db), STORE_OK);
	build_of(f, NULL, "2.0", got);
	assert_string_equal(got, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_blame_is_remembered_per_commit_and_frames,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_suspects_is_an_answer_too, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_version_names_a_release_or_a_tag, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_path_cannot_pose_as_two_frames, setup,
						teardown),
	};
	int rc;

	if (repo_global_init() != REPO_OK)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	repo_global_shutdown();
	return rc;
}
