/* test_e2e_admin.c - projects, ingest keys and API tokens managed over a real prosumd's API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

typedef struct fixture {
	e2e_server s;      /* first, as e2e_fixture_new() wants */
	char dev[128];     /* developer token of every project */
	char limited[128]; /* admin token limited to project "other" */
	char other_key[128];
	char notgit[300]; /* a directory that is not a repository */
} fixture;

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f)
		return -1;
	snprintf(f->notgit, sizeof(f->notgit), "%s/notgit", f->s.dir);
	if (mkdir(f->notgit, 0700) < 0 ||
	    e2e_token_add(&f->s, "developer", "dana", f->dev, sizeof(f->dev)) < 0 ||
	    e2e_prosumd_secret(&f->s, "project add other --public", f->other_key,
			       sizeof(f->other_key)) < 0 ||
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

/* A request without any credential; the answer's JSON (the caller owns it). */
static json_t *anon(fixture *f, const char *method, const char *path, long *status)
{
	e2e_response r;
	json_t *v;

	assert_int_equal(e2e_request(&f->s, method, path, NULL, NULL, 0, &r), 0);
	*status = r.status;
	v = e2e_json(&r);
	e2e_response_free(&r);
	return v;
}

/* Send a bug report to `project` with ingest key `key`; the answer's status. */
static long send_report(fixture *f, const char *project, const char *key)
{
	char uuid[37], doc[512], hkey[200], path[200];
	const char *h[] = {hkey, "Content-Type: application/json", NULL};
	e2e_response r;
	long st;

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"from the admin test\","
		 "\"build\":{\"version\":\"1.0.0\"},"
		 "\"tester\":{\"install_id\":\"t-%s\"}}",
		 uuid, uuid);
	snprintf(hkey, sizeof(hkey), "X-Prosum-Key: %s", key);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/reports", project);
	assert_int_equal(e2e_request(&f->s, "POST", path, h, doc, strlen(doc), &r), 0);
	st = r.status;
	if (st != 201 && st != 401)
		print_message("report to %s: %ld %s\n", project, st, r.body);
	e2e_response_free(&r);
	return st;
}

/* The call must fail with `status` and name `field`. */
static void expect_error(fixture *f, const char *tok, const char *method, const char *path,
			 const char *body, long status, const char *field)
{
	long st;
	json_t *v = e2e_call(&f->s, tok, method, path, body, &st);

	if (st != status || strcmp(e2e_str(v, "error", "field"), field) != 0)
		fail_msg("%s %s %s: want %ld naming %s, got %ld %s", method, path, body, status,
			 field, st, json_dumps(v, 0));
	json_decref(v);
}

static void test_create_project_and_report(void **state)
{
	fixture *f = *state;
	char body[1024], dsn[512], key[64], sql[256];
	long st;
	json_t *v;

	snprintf(body, sizeof(body),
		 "{\"name\":\"viewer\",\"repo\":\"%s\",\"commit_url\":"
		 "\"https://git.example.org/viewer/commit/{id}\",\"version_tag\":\"v{version}\"}",
		 f->s.repo);
	v = e2e_call(&f->s, f->s.token, "POST", "/api/v1/projects", body, &st);
	assert_int_equal(st, 201);
	assert_string_equal(e2e_str(v, "name", NULL), "viewer");
	assert_string_equal(e2e_str(v, "repo", NULL), f->s.repo);
	assert_string_equal(e2e_str(v, "commit_url", NULL),
			    "https://git.example.org/viewer/commit/{id}");
	assert_string_equal(e2e_str(v, "version_tag", NULL), "v{version}");
	assert_true(json_is_false(json_object_get(v, "public")));
	assert_true(json_is_string(json_object_get(v, "created_at")));
	snprintf(key, sizeof(key), "%s", e2e_str(v, "key", NULL));
	assert_int_equal(strlen(key), 32);
	/* The DSN's host is the one the request reached us at, as `project add` prints it. */
	snprintf(dsn, sizeof(dsn), "https://%s@127.0.0.1:%d/viewer", key, f->s.port);
	assert_string_equal(e2e_str(v, "dsn", NULL), dsn);
	json_decref(v);

	/* The new key submits to the new project, and the report lands there. */
	assert_int_equal(send_report(f, "viewer", key), 201);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports r JOIN projects p ON "
					    "p.id = r.project_id WHERE p.name = 'viewer'"),
			 1);
	/* Not to another project. */
	assert_int_equal(send_report(f, "demo", key), 401);

	/* A developer reads it, commit URL included (to link suspect commits). */
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/viewer", NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "commit_url", NULL),
			    "https://git.example.org/viewer/commit/{id}");
	assert_string_equal(e2e_str(v, "dsn", NULL), dsn);
	assert_null(json_object_get(v, "key"));
	json_decref(v);

	/* The same name again: 409 naming it; nothing new stored. */
	expect_error(f, f->s.token, "POST", "/api/v1/projects", "{\"name\":\"viewer\"}", 409,
		     "name");
	expect_error(f, f->s.token, "POST", "/api/v1/projects", "{\"name\":\"demo\"}", 409, "name");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM projects WHERE name = 'viewer'");
	assert_int_equal(e2e_sql_int(&f->s, sql), 1);

	/* A minimal project: no repository, nothing set. */
	v = e2e_call(&f->s, f->s.token, "POST", "/api/v1/projects", "{\"name\":\"bare-1\"}", &st);
	assert_int_equal(st, 201);
	assert_true(json_is_null(json_object_get(v, "repo")));
	assert_true(json_is_null(json_object_get(v, "commit_url")));
	assert_true(json_is_null(json_object_get(v, "version_tag")));
	json_decref(v);
}

static void test_patch_and_read_back(void **state)
{
	fixture *f = *state;
	char body[1024];
	long st;
	json_t *v;

	e2e_expect(&f->s, f->s.token, "POST", "/api/v1/projects", "{\"name\":\"patched\"}", 201);
	snprintf(body, sizeof(body),
		 "{\"commit_url\":\"http://cgit.local/c/?id={id}\",\"public\":true,\"repo\":\"%s\","
		 "\"version_tag\":\"release-{version}\"}",
		 f->s.repo);
	v = e2e_call(&f->s, f->s.token, "PATCH", "/api/v1/projects/patched", body, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "commit_url", NULL), "http://cgit.local/c/?id={id}");
	json_decref(v);

	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/patched", NULL, &st);
	assert_int_equal(st, 200);
	assert_string_equal(e2e_str(v, "commit_url", NULL), "http://cgit.local/c/?id={id}");
	assert_string_equal(e2e_str(v, "repo", NULL), f->s.repo);
	assert_string_equal(e2e_str(v, "version_tag", NULL), "release-{version}");
	assert_true(json_is_true(json_object_get(v, "public")));
	json_decref(v);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT public FROM projects WHERE name = 'patched'"),
			 1);

	/* Fields left out stay; null removes a setting; public goes back to false. */
	v = e2e_call(&f->s, f->s.token, "PATCH", "/api/v1/projects/patched",
		     "{\"commit_url\":null,\"public\":false,\"repo\":\"\"}", &st);
	assert_int_equal(st, 200);
	assert_true(json_is_null(json_object_get(v, "commit_url")));
	assert_true(json_is_null(json_object_get(v, "repo")));
	assert_true(json_is_false(json_object_get(v, "public")));
	assert_string_equal(e2e_str(v, "version_tag", NULL), "release-{version}");
	json_decref(v);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT public FROM projects WHERE name = 'patched'"),
			 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT repo IS NULL AND commit_url IS NULL FROM "
					    "projects WHERE name = 'patched'"),
			 1);

	e2e_expect(&f->s, f->s.token, "PATCH", "/api/v1/projects/nosuch", "{\"public\":true}", 404);
}

static void test_invalid_fields(void **state)
{
	fixture *f = *state;
	char body[1024];
	size_t i;
	/* Each body is refused 422 naming the field at fault, and makes no project. */
	static const struct {
		const char *body;
		const char *field;
	} bad[] = {
	    {"{}", "name"},
	    {"{\"name\":\"\"}", "name"},
	    {"{\"name\":\"Upper\"}", "name"},
	    {"{\"name\":\"-dash\"}", "name"},
	    {"{\"name\":\"a/b\"}", "name"},
	    {"{\"name\":\"x0123456789012345678901234567890123456789012345678901234567890123\"}",
	     "name"},
	    {"{\"name\":42}", "name"},
	    {"{\"name\":\"bad1\",\"repo\":\"relative/path\"}", "repo"},
	    {"{\"name\":\"bad1\",\"repo\":\"/nonexistent/prosum-repo\"}", "repo"},
	    {"{\"name\":\"bad1\",\"repo\":7}", "repo"},
	    {"{\"name\":\"bad1\",\"commit_url\":\"https://example.org/commit/\"}", "commit_url"},
	    {"{\"name\":\"bad1\",\"commit_url\":\"ftp://example.org/{id}\"}", "commit_url"},
	    {"{\"name\":\"bad1\",\"commit_url\":\"javascript:alert({id})\"}", "commit_url"},
	    {"{\"name\":\"bad1\",\"commit_url\":\"https:///{id}\"}", "commit_url"},
	    {"{\"name\":\"bad1\",\"commit_url\":\"https://a.org/{id} x\"}", "commit_url"},
	    {"{\"name\":\"bad1\",\"commit_url\":\"https://a.org/{id}\\\"><x\"}", "commit_url"},
	    {"{\"name\":\"bad1\",\"version_tag\":\"v1\"}", "version_tag"},
	    {"{\"name\":\"bad1\",\"version_tag\":\"v {version}\"}", "version_tag"},
	    {"{\"name\":\"bad1\",\"public\":\"yes\"}", "public"},
	    {"{\"name\":\"bad1\",\"public\":1}", "public"},
	    {"{\"name\":\"bad1\",\"colour\":\"red\"}", "colour"},
	};

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(f, f->s.token, "POST", "/api/v1/projects", bad[i].body, 422,
			     bad[i].field);
	/* A directory that is not a git repository. */
	snprintf(body, sizeof(body), "{\"name\":\"bad1\",\"repo\":\"%s\"}", f->notgit);
	expect_error(f, f->s.token, "POST", "/api/v1/projects", body, 422, "repo");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM projects WHERE name = 'bad1'"),
			 0);

	/* The same rules for a change, and a name cannot change. */
	expect_error(f, f->s.token, "PATCH", "/api/v1/projects/demo", "{\"name\":\"demo2\"}", 422,
		     "name");
	expect_error(f, f->s.token, "PATCH", "/api/v1/projects/demo", "{\"commit_url\":\"x\"}", 422,
		     "commit_url");
	expect_error(f, f->s.token, "PATCH", "/api/v1/projects/demo",
		     "{\"version_tag\":\"nothing\"}", 422, "version_tag");
	expect_error(f, f->s.token, "PATCH", "/api/v1/projects/demo", "{\"public\":null}", 422,
		     "public");
	snprintf(body, sizeof(body), "{\"repo\":\"%s\"}", f->notgit);
	expect_error(f, f->s.token, "PATCH", "/api/v1/projects/demo", body, 422, "repo");
	/* Nothing of demo changed: its repository is still the test's. */
	{
		char repo[300];

		assert_int_equal(e2e_sql_text(&f->s,
					      "SELECT repo FROM projects WHERE name = 'demo'", repo,
					      sizeof(repo)),
				 0);
		assert_string_equal(repo, f->s.repo);
	}

	/* Tokens: role, name, project. */
	expect_error(f, f->s.token, "POST", "/api/v1/tokens", "{\"name\":\"x\"}", 422, "role");
	expect_error(f, f->s.token, "POST", "/api/v1/tokens", "{\"role\":\"root\",\"name\":\"x\"}",
		     422, "role");
	expect_error(f, f->s.token, "POST", "/api/v1/tokens", "{\"role\":\"developer\"}", 422,
		     "name");
	expect_error(f, f->s.token, "POST", "/api/v1/tokens",
		     "{\"role\":\"developer\",\"name\":\" padded\"}", 422, "name");
	expect_error(f, f->s.token, "POST", "/api/v1/tokens",
		     "{\"role\":\"developer\",\"name\":\"x\",\"project\":\"nosuch\"}", 422,
		     "project");
	expect_error(f, f->s.token, "POST", "/api/v1/tokens",
		     "{\"role\":\"developer\",\"name\":\"x\",\"project\":\"../x\"}", 422,
		     "project");
	expect_error(f, f->s.token, "POST", "/api/v1/tokens",
		     "{\"role\":\"developer\",\"name\":\"x\",\"scope\":\"all\"}", 422, "scope");
}

static void test_roles(void **state)
{
	fixture *f = *state;
	long st;
	json_t *v, *items;
	size_t i;
	static const struct {
		const char *method, *path, *body;
	} admin_only[] = {
	    {"POST", "/api/v1/projects", "{\"name\":\"devmade\"}"},
	    {"PATCH", "/api/v1/projects/demo", "{\"public\":true}"},
	    {"GET", "/api/v1/projects/demo/keys", NULL},
	    {"POST", "/api/v1/projects/demo/keys", NULL},
	    {"DELETE", "/api/v1/projects/demo/keys/00000000000000000000000000000000", NULL},
	    {"GET", "/api/v1/tokens", NULL},
	    {"POST", "/api/v1/tokens", "{\"role\":\"admin\",\"name\":\"me\"}"},
	    {"DELETE", "/api/v1/tokens/1", NULL},
	};

	for (i = 0; i < sizeof(admin_only) / sizeof(admin_only[0]); i++)
		e2e_expect(&f->s, f->dev, admin_only[i].method, admin_only[i].path,
			   admin_only[i].body, 403);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM projects WHERE name = 'devmade' "
					    "OR public = 1 AND name = 'demo'"),
			 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM tokens WHERE name = 'me'"), 0);

	/* An ingest key is no admin either; an unknown token is told so. */
	{
		char hkey[200];
		const char *h[] = {hkey, NULL};
		e2e_response r;

		snprintf(hkey, sizeof(hkey), "X-Prosum-Key: %s", f->s.key);
		assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/tokens", h, NULL, 0, &r), 0);
		assert_int_equal(r.status, 403);
		e2e_response_free(&r);
	}
	e2e_expect(&f->s, "pst_000000000000000000000000000000000000000000000000", "GET",
		   "/api/v1/projects", NULL, 401);

	/* A developer lists every project and reads one. */
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects", NULL, &st);
	assert_int_equal(st, 200);
	items = json_object_get(v, "items");
	assert_true(json_array_size(items) >= 2);
	json_decref(v);
}

/* The names in a {"items":[{"name"...}]} answer, comma-separated, into out. */
static void names_of(json_t *v, char *out, size_t outsz)
{
	json_t *it;
	size_t i, n = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(v, "items"), i, it) n +=
	    (size_t)snprintf(out + n, outsz - n, "%s%s", i ? "," : "",
			     json_string_value(json_object_get(it, "name")));
}

static void test_limited_admin(void **state)
{
	fixture *f = *state;
	char names[512], tok[128], path[64];
	long st;
	json_t *v, *it;
	size_t i;

	/* It sees its own project alone. */
	v = e2e_call(&f->s, f->limited, "GET", "/api/v1/projects", NULL, &st);
	assert_int_equal(st, 200);
	names_of(v, names, sizeof(names));
	assert_string_equal(names, "other");
	json_decref(v);
	e2e_expect(&f->s, f->limited, "GET", "/api/v1/projects/other", NULL, 200);
	e2e_expect(&f->s, f->limited, "GET", "/api/v1/projects/demo", NULL, 403);
	e2e_expect(&f->s, f->limited, "GET", "/api/v1/projects/demo/keys", NULL, 403);
	e2e_expect(&f->s, f->limited, "PATCH", "/api/v1/projects/demo", "{\"public\":true}", 403);
	/* Not even whether a project exists. */
	e2e_expect(&f->s, f->limited, "GET", "/api/v1/projects/nosuch", NULL, 403);
	/* It creates no project, and no token beyond its project. */
	e2e_expect(&f->s, f->limited, "POST", "/api/v1/projects", "{\"name\":\"limitmade\"}", 403);
	e2e_expect(&f->s, f->limited, "POST", "/api/v1/tokens",
		   "{\"role\":\"developer\",\"name\":\"global\"}", 403);
	e2e_expect(&f->s, f->limited, "POST", "/api/v1/tokens",
		   "{\"role\":\"developer\",\"name\":\"global\",\"project\":\"demo\"}", 403);
	e2e_expect(&f->s, f->limited, "POST", "/api/v1/tokens",
		   "{\"role\":\"developer\",\"name\":\"global\",\"project\":\"nosuch\"}", 403);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM projects WHERE name = "
					    "'limitmade'"),
			 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM tokens WHERE name = 'global'"),
			 0);

	/* Its own project: settings, and a token limited to it that works there only. */
	e2e_expect(&f->s, f->limited, "PATCH", "/api/v1/projects/other",
		   "{\"commit_url\":\"https://o.example/{id}\"}", 200);
	v = e2e_call(&f->s, f->limited, "POST", "/api/v1/tokens",
		     "{\"role\":\"developer\",\"name\":\"odev\",\"project\":\"other\"}", &st);
	assert_int_equal(st, 201);
	assert_string_equal(e2e_str(v, "project", NULL), "other");
	snprintf(tok, sizeof(tok), "%s", e2e_str(v, "token", NULL));
	json_decref(v);
	e2e_expect(&f->s, tok, "GET", "/api/v1/projects/other/groups", NULL, 200);
	e2e_expect(&f->s, tok, "GET", "/api/v1/projects/demo/groups", NULL, 403);

	/* It lists the tokens of its project only, and cannot revoke the others. */
	v = e2e_call(&f->s, f->limited, "GET", "/api/v1/tokens", NULL, &st);
	assert_int_equal(st, 200);
	assert_true(json_array_size(json_object_get(v, "items")) >= 2);
	json_array_foreach(json_object_get(v, "items"), i, it)
	    assert_string_equal(e2e_str(it, "project", NULL), "other");
	json_decref(v);
	snprintf(path, sizeof(path), "/api/v1/tokens/1"); /* init's admin token */
	e2e_expect(&f->s, f->limited, "DELETE", path, NULL, 404);
	e2e_expect(&f->s, f->s.token, "GET", "/api/v1/tokens", NULL, 200);
}

static void test_key_rotation_and_revoke(void **state)
{
	fixture *f = *state;
	char newkey[64], path[160], sql[256];
	long st;
	json_t *v, *it;
	size_t i;
	int seen_old = 0, seen_new = 0;

	v = e2e_call(&f->s, f->s.token, "POST", "/api/v1/projects/demo/keys", NULL, &st);
	assert_int_equal(st, 201);
	snprintf(newkey, sizeof(newkey), "%s", e2e_str(v, "key", NULL));
	assert_int_equal(strlen(newkey), 32);
	assert_true(json_is_null(json_object_get(v, "revoked_at")));
	json_decref(v);
	assert_int_equal(send_report(f, "demo", newkey), 201);

	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/projects/demo/keys", NULL, &st);
	assert_int_equal(st, 200);
	json_array_foreach(json_object_get(v, "items"), i, it)
	{
		seen_old |= strcmp(e2e_str(it, "key", NULL), f->s.key) == 0;
		seen_new |= strcmp(e2e_str(it, "key", NULL), newkey) == 0;
	}
	assert_true(seen_old && seen_new);
	json_decref(v);

	/* Revoke the old key: its builds are refused, the new one goes on. */
	snprintf(path, sizeof(path), "/api/v1/projects/demo/keys/%s", f->s.key);
	v = e2e_call(&f->s, f->s.token, "DELETE", path, NULL, &st);
	assert_int_equal(st, 200);
	assert_true(json_is_string(json_object_get(v, "revoked_at")));
	assert_true(json_is_null(json_object_get(v, "dsn")));
	json_decref(v);
	assert_int_equal(send_report(f, "demo", f->s.key), 401);
	assert_int_equal(send_report(f, "demo", newkey), 201);
	snprintf(sql, sizeof(sql),
		 "SELECT revoked_at IS NOT NULL FROM ingest_keys WHERE key = '%s'", f->s.key);
	assert_int_equal(e2e_sql_int(&f->s, sql), 1);
	expect_error(f, f->s.token, "DELETE", path, NULL, 409, "key");

	/* A key of another project is not this project's to revoke. */
	snprintf(path, sizeof(path), "/api/v1/projects/demo/keys/%s", f->other_key);
	e2e_expect(&f->s, f->s.token, "DELETE", path, NULL, 404);
	assert_int_equal(send_report(f, "other", f->other_key), 201);
	e2e_expect(&f->s, f->s.token, "DELETE", "/api/v1/projects/demo/keys/nosuch", NULL, 404);

	/* The project's DSN now shows the active key. */
	v = e2e_call(&f->s, f->dev, "GET", "/api/v1/projects/demo", NULL, &st);
	assert_non_null(strstr(e2e_str(v, "dsn", NULL), newkey));
	json_decref(v);
	/* Still revoked after a restart: it is the database that says so. */
	assert_int_equal(e2e_stop(&f->s), 0);
	assert_int_equal(e2e_start(&f->s, NULL), 0);
	assert_int_equal(send_report(f, "demo", f->s.key), 401);
}

static void test_tokens(void **state)
{
	fixture *f = *state;
	char tok[128], path[64], sql[128], body_text[8192];
	long st;
	long long id;
	json_t *v, *it;
	size_t i;
	char *dump;

	v = e2e_call(&f->s, f->s.token, "POST", "/api/v1/tokens",
		     "{\"role\":\"release\",\"name\":\"Rita R.\"}", &st);
	assert_int_equal(st, 201);
	snprintf(tok, sizeof(tok), "%s", e2e_str(v, "token", NULL));
	assert_int_equal(strlen(tok), 52);
	assert_memory_equal(tok, "pst_", 4);
	assert_string_equal(e2e_str(v, "role", NULL), "release");
	assert_string_equal(e2e_str(v, "name", NULL), "Rita R.");
	assert_true(json_is_null(json_object_get(v, "project")));
	id = json_integer_value(json_object_get(v, "id"));
	assert_true(id > 0);
	json_decref(v);

	/* It works as a bearer token with its role. */
	e2e_expect(&f->s, tok, "GET", "/api/v1/projects/demo/releases", NULL, 200);
	e2e_expect(&f->s, tok, "GET", "/api/v1/tokens", NULL, 403);

	/* The database holds its hash alone. */
	snprintf(sql, sizeof(sql), "SELECT length(hash) FROM tokens WHERE id = %lld", id);
	assert_int_equal(e2e_sql_int(&f->s, sql), 32);

	/* The list shows who and what, never a token or a hash. */
	v = e2e_call(&f->s, f->s.token, "GET", "/api/v1/tokens", NULL, &st);
	assert_int_equal(st, 200);
	dump = json_dumps(v, 0);
	snprintf(body_text, sizeof(body_text), "%s", dump);
	free(dump);
	assert_null(strstr(body_text, "pst_"));
	assert_null(strstr(body_text, tok + 4));
	json_array_foreach(json_object_get(v, "items"), i, it)
	{
		assert_null(json_object_get(it, "token"));
		assert_null(json_object_get(it, "hash"));
		assert_true(json_integer_value(json_object_get(it, "id")) > 0);
		assert_non_null(json_object_get(it, "role"));
	}
	json_decref(v);

	/* Revoked: 401 from then on; twice is a conflict; unknown ids are 404. */
	snprintf(path, sizeof(path), "/api/v1/tokens/%lld", id);
	v = e2e_call(&f->s, f->s.token, "DELETE", path, NULL, &st);
	assert_int_equal(st, 200);
	assert_true(json_is_string(json_object_get(v, "revoked_at")));
	assert_null(json_object_get(v, "token"));
	json_decref(v);
	e2e_expect(&f->s, tok, "GET", "/api/v1/projects/demo/releases", NULL, 401);
	expect_error(f, f->s.token, "DELETE", path, NULL, 409, "id");
	e2e_expect(&f->s, f->s.token, "DELETE", "/api/v1/tokens/999999", NULL, 404);
	e2e_expect(&f->s, f->s.token, "DELETE", "/api/v1/tokens/abc", NULL, 404);
	snprintf(sql, sizeof(sql), "SELECT revoked_at IS NOT NULL FROM tokens WHERE id = %lld", id);
	assert_int_equal(e2e_sql_int(&f->s, sql), 1);
}

static void test_public_projects(void **state)
{
	fixture *f = *state;
	char names[512], out[2048], cmd[1024];
	long st;
	json_t *v;

	/* Visitors without credentials see the public projects' names only. */
	v = anon(f, "GET", "/api/v1/projects", &st);
	assert_int_equal(st, 200);
	names_of(v, names, sizeof(names));
	assert_string_equal(names, "other");
	json_decref(v);

	/* `project add --public` makes another one visible. */
	snprintf(cmd, sizeof(cmd), "'%s' project add shown --public --data '%s'", PROSUMD_PATH,
		 f->s.data);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s", cmd), 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT public FROM projects WHERE name = 'shown'"), 1);
	v = anon(f, "GET", "/api/v1/projects", &st);
	names_of(v, names, sizeof(names));
	assert_string_equal(names, "other,shown");
	json_decref(v);

	/* The command refuses what the API refuses, before anything is made (exit 2). */
	assert_int_equal(
	    e2e_sh(out, sizeof(out),
		   "'%s' project add hidden --commit-url 'ftp://x.org/{id}' --data '%s' "
		   "2>&1",
		   PROSUMD_PATH, f->s.data),
	    2);
	assert_non_null(strstr(out, "--commit-url: an http:// or https:// URL with {id}"));
	assert_int_equal(e2e_sh(out, sizeof(out),
				"'%s' project add hidden --repo '%s' --data '%s' 2>&1",
				PROSUMD_PATH, f->notgit, f->s.data),
			 2);
	assert_non_null(strstr(out, "is not a git repository"));
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM projects WHERE name = 'hidden'"),
			 0);

	/* Nothing else is open to them. */
	json_decref(anon(f, "GET", "/api/v1/projects/other", &st));
	assert_int_equal(st, 401);
	json_decref(anon(f, "GET", "/api/v1/tokens", &st));
	assert_int_equal(st, 401);
	json_decref(anon(f, "POST", "/api/v1/projects", &st));
	assert_int_equal(st, 401);
}

/* A person signed in with the browser's credential: the session cookie, and X-Prosum-CSRF
 * on what changes things. */
static void test_signed_in_admin(void **state)
{
	fixture *f = *state;
	char out[1024], token[128], body[256], head[4096], cookie[160], csrf[128], hx[200];
	const char *h[] = {cookie, "Content-Type: application/json", NULL, NULL};
	char *p, *resp = NULL;
	e2e_tls *t;
	e2e_response r;
	size_t len;
	long st;
	json_t *v;
	char req[1024];

	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' user add ada --role admin --data '%s' 2>&1",
				PROSUMD_PATH, f->s.data),
			 0);
	p = strstr(out, "/welcome#");
	assert_non_null(p);
	snprintf(token, sizeof(token), "%.*s", (int)strcspn(p + 9, "\n"), p + 9);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":\"correct horse battery\"}",
		 token);
	snprintf(
	    req, sizeof(req),
	    "POST /api/v1/password HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
	    f->s.port, strlen(body), body);
	/* Ten seconds: a bound for a loaded machine, not a timing claim. */
	t = e2e_tls_open(&f->s, 0, 10000);
	assert_non_null(t);
	assert_int_equal(e2e_tls_write(t, req, strlen(req)), 0);
	assert_int_equal(e2e_tls_response(t, 10000, &st, &resp, &len, head, sizeof(head)), 0);
	e2e_tls_close(t, 0);
	if (st != 200)
		fail_msg("password: %ld %s", st, resp);
	v = json_loads(resp, 0, NULL);
	free(resp);
	assert_non_null(v);
	snprintf(csrf, sizeof(csrf), "%s", e2e_str(v, "csrf", NULL));
	json_decref(v);
	p = strstr(head, "prosum_session=");
	assert_non_null(p);
	snprintf(cookie, sizeof(cookie), "Cookie: %.*s", (int)strcspn(p, ";\r\n"), p);

	/* Signed in, the person sees every project, not the visitors' list. */
	assert_int_equal(e2e_request(&f->s, "GET", "/api/v1/projects", h, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"demo\""));
	e2e_response_free(&r);

	/* A change without the CSRF header is refused; with it, it is made. */
	snprintf(body, sizeof(body), "{\"name\":\"by-ada\"}");
	assert_int_equal(e2e_request(&f->s, "POST", "/api/v1/projects", h, body, strlen(body), &r),
			 0);
	assert_int_equal(r.status, 403);
	e2e_response_free(&r);
	snprintf(hx, sizeof(hx), "X-Prosum-CSRF: %s", csrf);
	h[2] = hx;
	assert_int_equal(e2e_request(&f->s, "POST", "/api/v1/projects", h, body, strlen(body), &r),
			 0);
	if (r.status != 201)
		fail_msg("create: %ld %s", r.status, r.body);
	e2e_response_free(&r);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM projects WHERE name = 'by-ada'"),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_project_and_report),
	    cmocka_unit_test(test_patch_and_read_back),
	    cmocka_unit_test(test_invalid_fields),
	    cmocka_unit_test(test_roles),
	    cmocka_unit_test(test_limited_admin),
	    cmocka_unit_test(test_key_rotation_and_revoke),
	    cmocka_unit_test(test_tokens),
	    cmocka_unit_test(test_public_projects),
	    cmocka_unit_test(test_signed_in_admin),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
