/* test_e2e_projects.c - prosumd project list|show|set|remove and DELETE /api/v1/projects/{p}. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

typedef struct fixture {
	e2e_server s; /* first, as e2e_fixture_new() wants */
	char other_key[128];
	char limited[128]; /* admin token limited to project "other" */
} fixture;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f)
		return -1;
	if (e2e_prosumd_secret(&f->s, "project add other", f->other_key, sizeof(f->other_key)) < 0 ||
	    e2e_prosumd_secret(&f->s, "token add --role admin --name olga --project other",
			       f->limited, sizeof(f->limited)) < 0 ||
	    e2e_start(&f->s, NULL) < 0) {
		e2e_fixture_free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	return e2e_teardown_stopped(state);
}

/* `prosumd ARGS --data DATA` (stderr to /dev/null): its exit status, stdout into out. */
static int prosumd(fixture *f, char *out, size_t outsz, const char *args)
{
	return e2e_sh(out, outsz, "'%s' %s --data '%s' 2>/dev/null", PROSUMD_PATH, args, f->s.data);
}

/* The answer's body goes to stderr: only a refusal has one worth reading. */
static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	long *status = ctx;

	(void)status;
	fwrite(p, size, n, stderr);
	return size * n;
}

/* POST a report with one attachment to `project` with `key`; the status. */
static long post_with_file(fixture *f, const char *project, const char *key, const char *bytes)
{
	CURL *c = curl_easy_init();
	curl_mime *mime = curl_mime_init(c);
	curl_mimepart *part;
	struct curl_slist *hl = NULL;
	char url[512], hk[200], uuid[37], doc[512];
	long status = 0;

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"with a log\",\"build\":{\"version\":\"1.0\"},"
		 "\"tester\":{\"install_id\":\"t-%s\"}}",
		 uuid, uuid);
	snprintf(url, sizeof(url), "%s/api/v1/projects/%s/reports", f->s.url, project);
	snprintf(hk, sizeof(hk), "X-Prosum-Key: %s", key);
	hl = curl_slist_append(hl, hk);
	hl = curl_slist_append(hl, "Expect:");
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "report");
	curl_mime_data(part, doc, strlen(doc));
	curl_mime_type(part, "application/json");
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "attachment");
	curl_mime_data(part, bytes, strlen(bytes));
	curl_mime_filename(part, "log.txt");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, f->s.cacert);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &status);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_mime_free(mime);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return status;
}

/* Does the attachment file of `bytes` exist in the data directory? */
static int file_exists(fixture *f, const char *bytes)
{
	char out[256], path[600];

	assert_int_equal(e2e_sh(out, sizeof(out), "printf %%s '%s' | sha256sum | cut -c1-64", bytes),
			 0);
	out[64] = '\0';
	snprintf(path, sizeof(path), "%s/attachments/%.2s/%s", f->s.data, out, out + 2);
	return access(path, F_OK) == 0;
}

static void test_list_show_set(void **state)
{
	fixture *f = *state;
	char out[8192], args[1024];
	json_t *v;
	long st;

	assert_int_equal(prosumd(f, out, sizeof(out), "project list"), 0);
	assert_non_null(strstr(out, "NAME"));
	assert_non_null(strstr(out, "\ndemo "));
	assert_non_null(strstr(out, "\nother "));

	snprintf(args, sizeof(args),
		 "project set other --repo '%s' --remote https://example.org/other.git "
		 "--commit-url 'https://example.org/c/{id}' --version-tag 'v{version}' --public",
		 f->s.repo);
	assert_int_equal(prosumd(f, out, sizeof(out), args), 0);
	assert_non_null(strstr(out, "public: yes\n"));
	assert_non_null(strstr(out, "remote: https://example.org/other.git\n"));

	/* The API sees what the command set; the remote is the repository's own setting. */
	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/other", NULL, &st);
	assert_int_equal(st, 200);
	assert_true(json_is_true(json_object_get(v, "public")));
	assert_string_equal(e2e_str(v, "commit_url", NULL), "https://example.org/c/{id}");
	assert_string_equal(e2e_str(v, "version_tag", NULL), "v{version}");
	assert_non_null(strstr(e2e_str(v, "repo", NULL), "repo"));
	json_decref(v);
	assert_int_equal(e2e_sh(out, sizeof(out), "git -C '%s' config remote.origin.url", f->s.repo),
			 0);
	assert_string_equal(out, "https://example.org/other.git\n");

	assert_int_equal(prosumd(f, out, sizeof(out), "project show other"), 0);
	assert_non_null(strstr(out, "name: other\n"));
	assert_non_null(strstr(out, "version_tag: v{version}\n"));
	assert_non_null(strstr(out, "reports: 0\n"));
	assert_non_null(strstr(out, "active_keys: 1\n"));
	assert_non_null(strstr(out, f->other_key));
	/* The DSN's host is the server's public URL, given to the command as to project add. */
	assert_int_equal(prosumd(f, out, sizeof(out),
				 "project show other --public-url https://prosum.example.org:8443"),
			 0);
	assert_non_null(strstr(out, "@prosum.example.org:8443/other\n"));
	assert_int_equal(prosumd(f, out, sizeof(out), "project show other --public-url http://x"), 2);

	/* --private, and "" removes a setting */
	assert_int_equal(prosumd(f, out, sizeof(out), "project set other --private --commit-url ''"),
			 0);
	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/other", NULL, &st);
	assert_true(json_is_false(json_object_get(v, "public")));
	assert_true(json_is_null(json_object_get(v, "commit_url")));
	json_decref(v);

	/* Mistakes: nothing to set, both flags, a bad value (2); no such project (1). */
	assert_int_equal(prosumd(f, out, sizeof(out), "project set other"), 2);
	assert_int_equal(prosumd(f, out, sizeof(out), "project set other --public --private"), 2);
	assert_int_equal(prosumd(f, out, sizeof(out), "project set other --commit-url ftp://x"), 2);
	assert_int_equal(prosumd(f, out, sizeof(out), "project set other --remote 'a b'"), 2);
	assert_int_equal(prosumd(f, out, sizeof(out), "project set nosuch --public"), 1);
	assert_int_equal(prosumd(f, out, sizeof(out), "project show nosuch"), 1);
	assert_int_equal(prosumd(f, out, sizeof(out), "project frob"), 2);
}

/* remove: without --yes it says what would go and changes nothing; with it the project, its
 * rows and the files only it referred to go; a file another project shares stays. */
static void test_cli_remove(void **state)
{
	fixture *f = *state;
	char out[8192];
	json_t *v;
	long st;

	assert_int_equal(prosumd(f, out, sizeof(out), "project add doomed"), 0);
	{
		char key[64];
		const char *k = strstr(out, "key: ");

		assert_non_null(k);
		snprintf(key, sizeof(key), "%.32s", k + 5);
		assert_int_equal(post_with_file(f, "doomed", key, "doomed only\n"), 201);
		assert_int_equal(post_with_file(f, "doomed", key, "shared bytes\n"), 201);
	}
	assert_int_equal(post_with_file(f, "other", f->other_key, "shared bytes\n"), 201);
	assert_true(file_exists(f, "doomed only\n"));

	assert_int_equal(prosumd(f, out, sizeof(out), "project remove doomed"), 1);
	assert_non_null(strstr(out, "projects: 1\n"));
	assert_non_null(strstr(out, "reports: 2\n"));
	assert_non_null(strstr(out, "groups: 1\n"));
	assert_non_null(strstr(out, "ingest_keys: 1\n"));
	assert_non_null(strstr(out, "attachments: 2\n"));
	assert_non_null(strstr(out, "attachment files: 1 (12 bytes)\n"));
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM projects WHERE name = 'doomed'"),
			 1);
	assert_true(file_exists(f, "doomed only\n"));

	assert_int_equal(prosumd(f, out, sizeof(out), "project remove doomed --yes"), 0);
	assert_non_null(strstr(out, "removed reports: 2\n"));
	assert_non_null(strstr(out, "removed attachment files: 1 (12 bytes)\n"));
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM projects WHERE name = 'doomed'"),
			 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports_fts WHERE rowid NOT IN "
					    "(SELECT id FROM reports)"),
			 0);
	assert_false(file_exists(f, "doomed only\n"));
	assert_true(file_exists(f, "shared bytes\n"));

	/* The server goes on: the project is gone from the API, the other keeps its report. */
	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/doomed", NULL, &st);
	assert_int_equal(st, 404);
	json_decref(v);
	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/other/reports", NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(json_array_size(json_object_get(v, "items")), 1);
	json_decref(v);
	assert_int_equal(prosumd(f, out, sizeof(out), "check"), 0);
	assert_int_equal(prosumd(f, out, sizeof(out), "project remove doomed --yes"), 1);
}

static void test_api_delete(void **state)
{
	fixture *f = *state;
	char out[4096];
	json_t *v;
	long st;

	v = e2e_call(&f->s, f->s.token, "POST", "/api/v1/projects", "{\"name\":\"gone\"}", &st);
	assert_int_equal(st, 201);
	{
		char key[64];

		snprintf(key, sizeof(key), "%s", e2e_str(v, "key", NULL));
		assert_int_equal(post_with_file(f, "gone", key, "gone only\n"), 201);
	}
	json_decref(v);
	assert_true(file_exists(f, "gone only\n"));

	/* No confirmation, or the wrong name: refused, nothing removed. */
	v = e2e_call(&f->s, f->s.token, "DELETE", "/api/v1/projects/gone", NULL, &st);
	assert_int_equal(st, 422);
	assert_string_equal(e2e_str(v, "error", "field"), "confirm");
	json_decref(v);
	v = e2e_call(&f->s, f->s.token, "DELETE", "/api/v1/projects/gone?confirm=demo", NULL, &st);
	assert_int_equal(st, 422);
	json_decref(v);
	/* An admin limited to another project may not; nor one limited to this one. */
	v = e2e_call(&f->s, f->limited, "DELETE", "/api/v1/projects/gone?confirm=gone", NULL, &st);
	assert_int_equal(st, 403);
	json_decref(v);
	v = e2e_call(&f->s, f->limited, "DELETE", "/api/v1/projects/other?confirm=other", NULL, &st);
	assert_int_equal(st, 403);
	json_decref(v);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM projects WHERE name = 'gone'"), 1);

	v = e2e_call(&f->s, f->s.token, "DELETE", "/api/v1/projects/gone?confirm=gone", NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "removed", NULL), "gone");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "rows"), "reports")),
			 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "attachment_files"),
							    "files")),
			 1);
	json_decref(v);
	assert_false(file_exists(f, "gone only\n"));
	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/gone", NULL, &st);
	assert_int_equal(st, 404);
	json_decref(v);
	v = e2e_call(&f->s, f->s.token, "DELETE", "/api/v1/projects/gone?confirm=gone", NULL, &st);
	assert_int_equal(st, 404);
	json_decref(v);
	assert_int_equal(prosumd(f, out, sizeof(out), "check"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_list_show_set),
	    cmocka_unit_test(test_cli_remove),
	    cmocka_unit_test(test_api_delete),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
