/* test_e2e_client.c - libprosum, the prosum command and beta-app against a real prosumd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "prosum.h"

typedef struct fixture {
	e2e_server s;
	char spool[320]; /* PROSUM_SPOOL of the clients in the test */
	char head[64];   /* the commit of the test repository */
	char env[2048];  /* environment prefix for command lines */
} fixture;

static void set_env(fixture *f)
{
	snprintf(f->env, sizeof(f->env),
		 "PROSUM_SPOOL='%s' PROSUM_CACERT='%s' PROSUM_SERVER='%s' PROSUM_TOKEN='%s' "
		 "PROSUM_PROJECT=demo PROSUM_DSN='%s'",
		 f->spool, f->s.cacert, f->s.url, f->s.token, f->s.dsn);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	char out[128];

	if (!f || e2e_setup(&f->s) < 0 || e2e_start(&f->s, NULL) < 0)
		goto fail;
	snprintf(f->spool, sizeof(f->spool), "%s/spool", f->s.dir);
	if (e2e_sh(out, sizeof(out), "git -C '%s' rev-parse HEAD", f->s.repo) != 0)
		goto fail;
	out[strcspn(out, "\n")] = '\0';
	if (strlen(out) >= sizeof(f->head))
		goto fail;
	memcpy(f->head, out, strlen(out) + 1);
	set_env(f);
	*state = f;
	return 0;
fail:
	if (f)
		e2e_destroy(&f->s);
	free(f);
	return -1;
}

static int teardown(void **state)
{
	fixture *f = *state;

	e2e_stop(&f->s);
	e2e_destroy(&f->s);
	free(f);
	return 0;
}

static int count_suffix(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name), sl = strlen(suffix);
		if (l > sl && strcmp(e->d_name + l - sl, suffix) == 0)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* prosum report, then prosum reports and prosum show read it back. */
static void test_cli_report_list_show(void **state)
{
	fixture *f = *state;
	char out[16384];
	json_t *doc;

	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s '%s' report --kind bug --title 'Save button does nothing' "
				"--description 'Clicked it twice' --revision %s --tag gpu=intel",
				f->env, PROSUM_CLI_PATH, f->head),
			 0);
	assert_string_equal(out, "R-1\n");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports"), 1);
	assert_int_equal(count_suffix(f->spool, ".report"), 0);

	assert_int_equal(e2e_sh(out, sizeof(out), "%s '%s' reports", f->env, PROSUM_CLI_PATH), 0);
	assert_non_null(strstr(out, "ID   GROUP  KIND  STATUS  AGE       TITLE\n"));
	assert_non_null(
	    strstr(out, "R-1  G-1    bug   new     just now  Save button does nothing\n"));

	assert_int_equal(
	    e2e_sh(out, sizeof(out), "%s '%s' reports --kind crash", f->env, PROSUM_CLI_PATH), 0);
	assert_null(strstr(out, "R-1"));

	assert_int_equal(e2e_sh(out, sizeof(out), "%s '%s' show R-1", f->env, PROSUM_CLI_PATH), 0);
	assert_non_null(strstr(out, "R-1  bug  new  group G-1\n"));
	assert_non_null(strstr(out, "title:       Save button does nothing\n"));
	assert_non_null(strstr(out, "tags:        gpu=intel\n"));
	assert_non_null(strstr(out, "description:\n  Clicked it twice\n"));

	assert_int_equal(
	    e2e_sh(out, sizeof(out), "%s '%s' show R-1 --json", f->env, PROSUM_CLI_PATH), 0);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "id")), "R-1");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "build"), "revision")), f->head);
	json_decref(doc);

	/* Failures: one line on stderr, non-zero exit. */
	assert_int_equal(
	    e2e_sh(out, sizeof(out), "%s '%s' show R-99 2>&1", f->env, PROSUM_CLI_PATH), 1);
	assert_non_null(strstr(out, "prosum: GET "));
	assert_non_null(strstr(out, ": 404 "));
	assert_int_equal(
	    e2e_sh(out, sizeof(out), "%s '%s' reports --token wrong 2>&1", f->env, PROSUM_CLI_PATH),
	    1);
	assert_non_null(strstr(out, ": 401 "));
	assert_int_equal(
	    e2e_sh(out, sizeof(out), "%s '%s' report --title x 2>&1", f->env, PROSUM_CLI_PATH), 2);
	assert_string_equal(out, "prosum: give --revision or --version: the build the report is "
				 "about (see prosum --help)\n");
}

/* With the server down the report waits in the spool; prosum flush delivers it later. */
static void test_cli_queued_then_flushed(void **state)
{
	fixture *f = *state;
	char out[4096];

	assert_int_equal(e2e_stop(&f->s), 0);
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s '%s' report --title 'offline' --version 1.0 "
				"--timeout 3000 2>&1",
				f->env, PROSUM_CLI_PATH),
			 0);
	assert_non_null(strstr(out, "prosum: queued (server unreachable): will be sent by "
				    "`prosum flush`"));
	assert_int_equal(count_suffix(f->spool, ".report"), 1);

	assert_int_equal(e2e_start(&f->s, NULL), 0);
	set_env(f); /* a new port */
	assert_int_equal(e2e_sh(out, sizeof(out), "%s '%s' flush", f->env, PROSUM_CLI_PATH), 0);
	assert_string_equal(out, "sent 1, refused 0\n");
	assert_int_equal(count_suffix(f->spool, ".report"), 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE title = 'offline'"),
			 1);
}

/* beta-app dies of a null dereference; its next start delivers a symbolised crash report. */
static void test_beta_app_crash(void **state)
{
	fixture *f = *state;
	char out[4096];

	e2e_sh(out, sizeof(out), "%s '%s' --revision %s crash 2>/dev/null; echo \"exit $?\"",
	       f->env, BETA_APP_PATH, f->head);
	assert_string_equal(out, "exit 139\n"); /* killed by SIGSEGV, as without the handler */
	assert_int_equal(count_suffix(f->spool, ".crash"), 1);

	assert_int_equal(e2e_sh(out, sizeof(out), "%s '%s'", f->env, BETA_APP_PATH), 0);
	assert_string_equal(out, "sent R-1\n");
	assert_int_equal(count_suffix(f->spool, ".crash"), 0);
	assert_int_equal(count_suffix(f->spool, ".report"), 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE kind = 'crash'"),
			 1);
	/* Innermost frame first, named, with the file as the repository has it. */
	assert_int_equal(e2e_sql_int(&f->s,
				     "SELECT count(*) FROM reports WHERE body LIKE "
				     "'%\"frames\":[{\"function\":\"beta_app_crash\",\"file\":"
				     "\"client/examples/beta-app/beta_app.c\",\"line\":%'"),
			 1);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s '%s' show R-1", f->env, PROSUM_CLI_PATH), 0);
	assert_non_null(strstr(out, "exception:   SIGSEGV: invalid read at 0x0\n"));
	assert_non_null(
	    strstr(out, "  #0   beta_app_crash at client/examples/beta-app/beta_app.c:"));
	assert_non_null(strstr(out, "  #1   beta_app_open_document at "));
}

/* The library: synchronous send, the same uuid twice, refusals with the server's reason. */
static void test_library_send(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_result res = PROSUM_RESULT_INIT;
	prosum_client *c = NULL, *bad = NULL;
	prosum_report *r = NULL;
	char dsn[600], id[32];
	const char *no_build = "{\"kind\":\"bug\",\"title\":\"no build\"}";

	o.ca_file = f->s.cacert;
	o.spool_dir = f->spool;
	o.flags = PROSUM_NO_SENDER;
	o.app_version = "1.4.0-beta.2";
	o.app_revision = f->head;
	assert_int_equal(prosum_client_new(&c, f->s.dsn, &o), 0);
	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	assert_int_equal(prosum_report_set_title(r, "sent at once"), 0);
	assert_int_equal(prosum_send(&res, c, r), 0);
	assert_int_equal(res.status, 201);
	assert_int_equal(res.duplicate, 0);
	assert_string_equal(res.id, "R-1");
	assert_non_null(res.group);
	assert_string_equal(res.uuid, prosum_report_uuid(r));
	assert_string_equal(res.revision_commit, f->head);
	snprintf(id, sizeof(id), "%s", res.id);

	/* Again: stored once, the same answer. */
	assert_int_equal(prosum_send(&res, c, r), 0);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.duplicate, 1);
	assert_string_equal(res.id, id);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports"), 1);
	prosum_report_free(r);

	/* The server's reason for a refusal reaches the caller. */
	o.app_version = NULL;
	o.app_revision = NULL;
	prosum_close(c);
	assert_int_equal(prosum_client_new(&c, f->s.dsn, &o), 0);
	assert_int_equal(prosum_report_from_json(&r, no_build, strlen(no_build)), 0);
	assert_int_equal(prosum_send(&res, c, r), PROSUM_EHTTP);
	assert_int_equal(res.status, 422);
	assert_non_null(res.error_code);
	assert_string_equal(res.error_field, "build.revision");
	assert_non_null(strstr(prosum_error_last(), "server refused the report: 422 "));
	prosum_report_free(r);

	/* A wrong key: refused for the DSN, not for the report. */
	snprintf(dsn, sizeof(dsn), "https://nosuchkey@127.0.0.1:%d/demo", f->s.port);
	assert_int_equal(prosum_client_new(&bad, dsn, &o), 0);
	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	assert_int_equal(prosum_report_set_title(r, "t"), 0);
	assert_int_equal(prosum_report_set_build(r, "1.0", NULL, NULL), 0);
	assert_int_equal(prosum_send(&res, bad, r), PROSUM_EAUTH);
	assert_int_equal(res.status, 401);
	/* Queued, it stays queued. */
	assert_int_equal(prosum_submit(bad, r), 0);
	assert_int_equal(prosum_flush(bad, 5000), PROSUM_EAUTH);
	assert_int_equal(count_suffix(f->spool, ".report"), 1);
	prosum_close(bad);
	prosum_report_free(r);

	/* Without a CA that trusts the server, nothing is sent. */
	o.ca_file = "/etc/ssl/certs/ca-certificates.crt";
	assert_int_equal(prosum_client_new(&bad, f->s.dsn, &o), 0);
	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	assert_int_equal(prosum_report_set_title(r, "t"), 0);
	assert_int_equal(prosum_report_set_build(r, "1.0", NULL, NULL), 0);
	assert_int_equal(prosum_send(&res, bad, r), PROSUM_ETLS);
	assert_int_equal(res.status, 0);
	prosum_close(bad);
	prosum_report_free(r);
	prosum_result_dispose(&res);
	prosum_close(c);
}

static void on_delivery(const prosum_result *res, void *payload)
{
	int *sent = payload;

	if (res->status == 201)
		(*sent)++;
}

/* The background sender delivers what is submitted; prosum_flush waits for it. */
static void test_library_background(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_stats st = PROSUM_STATS_INIT;
	prosum_client *c = NULL;
	int sent = 0;

	o.ca_file = f->s.cacert;
	o.spool_dir = f->spool;
	o.app_version = "1.0";
	o.on_delivery = on_delivery;
	o.on_delivery_payload = &sent;
	assert_int_equal(prosum_client_new(&c, f->s.dsn, &o), 0);
	for (int i = 0; i < 20; i++) {
		prosum_report *r = NULL;
		char title[32];
		snprintf(title, sizeof(title), "feedback %d", i);
		assert_int_equal(prosum_report_new(&r, PROSUM_KIND_FEEDBACK), 0);
		assert_int_equal(prosum_report_set_title(r, title), 0);
		assert_int_equal(prosum_submit(c, r), 0);
		prosum_report_free(r);
	}
	assert_int_equal(prosum_flush(c, 30000), 0);
	assert_int_equal(prosum_client_stats(&st, c), 0);
	assert_int_equal(st.sent, 20);
	assert_int_equal(st.pending, 0);
	assert_int_equal(sent, 20);
	prosum_close(c);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports WHERE kind = 'feedback'"),
			 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_cli_report_list_show, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cli_queued_then_flushed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_beta_app_crash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_library_send, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_library_background, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
