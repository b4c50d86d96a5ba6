/* test_store_admin.c - the admin store calls (settings, keys, tokens by project) and rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/adminrules.h"
#include "store/store.h"
#include "unit_fixture.h"
#include "unit_store.h"

typedef unit_store fixture;

static int setup(void **state)
{
	return unit_store_setup(state);
}

static int teardown(void **state)
{
	return unit_store_teardown(state);
}

/* Rows of store_project_each() as "name:public:key" lines. */
static int project_line(void *ctx, const store_project_row *row)
{
	char *out = ctx;
	size_t n = strlen(out);

	snprintf(out + n, 512 - n, "%s:%d:%s;", row->name, row->is_public,
		 row->key ? row->key : "-");
	return 0;
}

static void test_projects_public_and_newest_key(void **state)
{
	fixture *f = *state;
	char out[512] = "";
	int64_t other;

	assert_int_equal(store_project_add(f->db, "other", NULL, 10, &other), STORE_OK);
	assert_int_equal(store_key_add(f->db, f->project, "k-old", 5), STORE_OK);
	assert_int_equal(store_key_add(f->db, f->project, "k-new", 6), STORE_OK);
	assert_int_equal(store_project_set_public(f->db, other, 1), STORE_OK);
	assert_int_equal(store_project_each(f->db, 0, 0, project_line, out), STORE_OK);
	assert_string_equal(out, "demo:0:k-new;other:1:-;");
	out[0] = '\0';
	assert_int_equal(store_project_each(f->db, 0, 1, project_line, out), STORE_OK);
	assert_string_equal(out, "other:1:-;");
	out[0] = '\0';
	assert_int_equal(store_project_each(f->db, f->project, 0, project_line, out), STORE_OK);
	assert_string_equal(out, "demo:0:k-new;");
	/* A revoked key is no longer the DSN's. */
	assert_int_equal(store_project_key_revoke(f->db, f->project, "k-new", 7), STORE_OK);
	out[0] = '\0';
	assert_int_equal(store_project_each(f->db, f->project, 0, project_line, out), STORE_OK);
	assert_string_equal(out, "demo:0:k-old;");
}

static void test_key_revoke_is_per_project(void **state)
{
	fixture *f = *state;
	int64_t other, pid;

	assert_int_equal(store_project_add(f->db, "other", NULL, 10, &other), STORE_OK);
	assert_int_equal(store_key_add(f->db, other, "k-other", 5), STORE_OK);
	assert_int_equal(store_key_add(f->db, f->project, "k-demo", 5), STORE_OK);
	assert_int_equal(store_project_key_revoke(f->db, f->project, "k-other", 6), STORE_NOTFOUND);
	assert_int_equal(store_key_project(f->db, "k-other", &pid), STORE_OK);
	assert_int_equal(store_project_key_revoke(f->db, f->project, "k-demo", 6), STORE_OK);
	assert_int_equal(store_project_key_revoke(f->db, f->project, "k-demo", 7), STORE_CONFLICT);
	assert_int_equal(store_key_project(f->db, "k-demo", &pid), STORE_NOTFOUND);
}

/* Within one transaction (a writer batch) lookups are remembered: a change must not leave a
 * stale answer behind. */
static void test_memos_follow_changes_in_a_transaction(void **state)
{
	fixture *f = *state;
	int64_t pid, id;

	assert_int_equal(store_key_add(f->db, f->project, "k-live", 5), STORE_OK);
	assert_int_equal(store_begin(f->db), STORE_OK);
	assert_int_equal(store_key_project(f->db, "k-live", &pid), STORE_OK);
	assert_int_equal(store_project_key_revoke(f->db, f->project, "k-live", 6), STORE_OK);
	assert_int_equal(store_key_project(f->db, "k-live", &pid), STORE_NOTFOUND);
	assert_int_equal(store_project_find(f->db, "fresh", &id), STORE_NOTFOUND);
	assert_int_equal(store_project_add(f->db, "fresh", NULL, 7, &id), STORE_OK);
	assert_int_equal(store_project_find(f->db, "fresh", &pid), STORE_OK);
	assert_int_equal(pid, id);
	assert_int_equal(store_commit(f->db), STORE_OK);
}

/* Rows of store_token_each() as "id:project" lines. */
static int token_line(void *ctx, const store_token_row *row)
{
	char *out = ctx;
	size_t n = strlen(out);

	snprintf(out + n, 512 - n, "%lld:%s:%s;", (long long)row->id,
		 row->project ? row->project : "all", row->revoked_at ? "revoked" : "active");
	return 0;
}

static void test_tokens_by_project(void **state)
{
	fixture *f = *state;
	uint8_t h[32];
	int64_t other, t1, t2, t3;
	char out[512] = "", want[128];

	assert_int_equal(store_project_add(f->db, "other", NULL, 10, &other), STORE_OK);
	memset(h, 1, sizeof(h));
	assert_int_equal(store_token_add(f->db, h, STORE_ROLE_ADMIN, 0, "root", 1, &t1), STORE_OK);
	h[0] = 2;
	assert_int_equal(store_token_add(f->db, h, STORE_ROLE_DEVELOPER, f->project, "d", 1, &t2),
			 STORE_OK);
	h[0] = 3;
	assert_int_equal(store_token_add(f->db, h, STORE_ROLE_DEVELOPER, other, "o", 1, &t3),
			 STORE_OK);
	assert_int_equal(store_token_each(f->db, other, 0, token_line, out), STORE_OK);
	snprintf(want, sizeof(want), "%lld:other:active;", (long long)t3);
	assert_string_equal(out, want);
	/* An admin of "other" cannot revoke the others' tokens. */
	assert_int_equal(store_token_revoke_in(f->db, t1, other, 5), STORE_NOTFOUND);
	assert_int_equal(store_token_revoke_in(f->db, t2, other, 5), STORE_NOTFOUND);
	assert_int_equal(store_token_revoke_in(f->db, t3, other, 5), STORE_OK);
	assert_int_equal(store_token_revoke_in(f->db, t3, other, 6), STORE_CONFLICT);
	assert_int_equal(store_token_revoke_in(f->db, t2, 0, 5), STORE_OK);
	assert_int_equal(store_token_revoke_in(f->db, 999, 0, 5), STORE_NOTFOUND);
	out[0] = '\0';
	assert_int_equal(store_token_each(f->db, 0, 0, token_line, out), STORE_OK);
	snprintf(want, sizeof(want), "%lld:all:active;%lld:demo:revoked;%lld:other:revoked;",
		 (long long)t1, (long long)t2, (long long)t3);
	assert_string_equal(out, want);
}

static void test_rules(void **state)
{
	static const char *const good_urls[] = {
	    "https://github.com/o/r/commit/{id}",
	    "http://cgit.local/c/?id={id}",
	    "https://[::1]:8080/{id}",
	    "https://h/{id}#frag",
	};
	static const char *const bad_urls[] = {
	    "",
	    "https://example.org/commit/",
	    "ftp://x/{id}",
	    "javascript:alert({id})",
	    "https:///{id}",
	    "https://user@host/{id}",
	    "https://h/{id} ",
	    "https://h/{id}\"",
	    "https://h/{id}<",
	    "https://h/({id})",
	    "https://h/{id}`",
	    "https://h/\\{id}",
	    "//h/{id}",
	    "HTTPS://h/{id}",
	    "https://h/\t{id}",
	};
	char longurl[600];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good_urls) / sizeof(good_urls[0]); i++)
		if (!adminrules_commit_url_ok(good_urls[i]))
			fail_msg("refused %s", good_urls[i]);
	for (i = 0; i < sizeof(bad_urls) / sizeof(bad_urls[0]); i++)
		if (adminrules_commit_url_ok(bad_urls[i]))
			fail_msg("took %s", bad_urls[i]);
	memset(longurl, 'a', sizeof(longurl));
	memcpy(longurl, "https://h/{id}", 14);
	longurl[501] = '\0';
	assert_false(adminrules_commit_url_ok(longurl));
	longurl[500] = '\0';
	assert_true(adminrules_commit_url_ok(longurl));

	assert_true(adminrules_name_ok("demo"));
	assert_true(adminrules_name_ok("0-a_b.c"));
	assert_false(adminrules_name_ok(""));
	assert_false(adminrules_name_ok("Demo"));
	assert_false(adminrules_name_ok(".hidden"));
	assert_false(adminrules_name_ok("a b"));
	assert_false(adminrules_name_ok("a/b"));
	assert_true(adminrules_label_ok("Rita R."));
	assert_false(adminrules_label_ok(" x"));
	assert_false(adminrules_label_ok("x\n"));
	assert_true(adminrules_version_tag_ok("v{version}"));
	assert_false(adminrules_version_tag_ok("v1"));
	assert_false(adminrules_version_tag_ok("v {version}"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_projects_public_and_newest_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_key_revoke_is_per_project, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_memos_follow_changes_in_a_transaction, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_tokens_by_project, setup, teardown),
	    cmocka_unit_test(test_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
