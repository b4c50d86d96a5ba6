/* test_e2e_client.c - libprosum, the prosum command and beta-app against a real prosumd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
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
	fixture *f = e2e_fixture_new(sizeof(*f), 1);

	if (!f)
		return -1;
	snprintf(f->spool, sizeof(f->spool), "%s/spool", f->s.dir);
	if (e2e_git_head(&f->s, f->head) < 0) {
		e2e_fixture_free(f);
		return -1;
	}
	set_env(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
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
	assert_int_equal(e2e_count_files(f->spool, ".report"), 0);

	assert_int_equal(e2e_sh(out, sizeof(out), "%s '%s' reports", f->env, PROSUM_CLI_PATH), 0);
	assert_non_null(strstr(out, "ID   GROUP  KIND  STATUS  VERSION  AGE       TITLE\n"));
	assert_non_null(
	    strstr(out, "R-1  G-1    bug   new     -        just now  Save button does nothing\n"));

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
				 "about (see prosum report --help)\n");
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
	assert_int_equal(e2e_count_files(f->spool, ".report"), 1);

	assert_int_equal(e2e_start(&f->s, NULL), 0);
	set_env(f); /* a new port */
	assert_int_equal(e2e_sh(out, sizeof(out), "%s '%s' flush", f->env, PROSUM_CLI_PATH), 0);
	/* The id of each delivered item, then the count. */
	assert_int_equal(strncmp(out, "R-1 (uuid ", 10), 0);
	assert_non_null(strstr(out, ")\nsent 1, refused 0\n"));
	assert_int_equal(e2e_count_files(f->spool, ".report"), 0);
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
	assert_int_equal(e2e_count_files(f->spool, ".crash"), 1);

	assert_int_equal(e2e_sh(out, sizeof(out), "%s '%s'", f->env, BETA_APP_PATH), 0);
	assert_string_equal(out, "sent R-1\n");
	assert_int_equal(e2e_count_files(f->spool, ".crash"), 0);
	assert_int_equal(e2e_count_files(f->spool, ".report"), 0);
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

/* beta-app records a session per run by default (--sessions only prints "sent session"): a
 * clean run counts as exited, a crash as crashed once the next start sends it. */
static void test_beta_app_sessions(void **state)
{
	fixture *f = *state;
	char out[4096];

	assert_int_equal(e2e_sh(out, sizeof(out), "%s '%s' --sessions --version 3.0.0 --revision %s",
				f->env, BETA_APP_PATH, f->head),
			 0);
	assert_string_equal(out, "sent session\n");
	e2e_sh(out, sizeof(out),
	       "%s '%s' --sessions --version 3.0.0 --revision %s crash 2>/dev/null; echo \"exit $?\"",
	       f->env, BETA_APP_PATH, f->head);
	assert_string_equal(out, "exit 139\n");
	/* Without --sessions: the crash report is sent, and the crashed session and this run's
	 * own silently. */
	assert_int_equal(e2e_sh(out, sizeof(out), "%s '%s' --version 3.0.0 --revision %s", f->env,
				BETA_APP_PATH, f->head),
			 0);
	assert_string_equal(out, "sent R-1\n");
	assert_int_equal(e2e_sql_int(&f->s, "SELECT sum(started) FROM health_hours WHERE "
					    "release = '3.0.0'"),
			 3);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT sum(exited) FROM health_hours WHERE "
					    "release = '3.0.0'"),
			 2);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT sum(crashed) FROM health_hours WHERE "
					    "release = '3.0.0'"),
			 1);
	/* Its channel is beta unless --channel names another: the sessions' environment. */
	assert_int_equal(e2e_sql_int(&f->s, "SELECT sum(started) FROM health_hours WHERE "
					    "release = '3.0.0' AND environment = 'beta'"),
			 3);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s '%s' --version 3.0.1 --channel nightly", f->env,
				BETA_APP_PATH),
			 0);
	assert_int_equal(e2e_sql_int(&f->s, "SELECT sum(started) FROM health_hours WHERE "
					    "release = '3.0.1' AND environment = 'nightly'"),
			 1);
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
	assert_non_null(res.uuid);
	assert_string_equal(res.uuid, prosum_report_uuid(r));
	/* Resolved to the repository's commit once the server links git (else null). */
	if (res.revision_commit)
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
	assert_non_null(res.error_field);
	assert_int_equal(strncmp(res.error_field, "build", 5), 0);
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
	/* Returns at the answer; the deadline is long for a loaded machine. */
	assert_int_equal(prosum_flush(bad, 30000), PROSUM_EAUTH);
	assert_int_equal(e2e_count_files(f->spool, ".report"), 1);
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

	/* A pinned public key alone vouches for the self-signed server; a wrong pin does not. */
	{
		char pin[160], cmd_out[128];
		assert_int_equal(
		    e2e_sh(cmd_out, sizeof(cmd_out),
			   "openssl x509 -in '%s' -pubkey -noout | openssl pkey -pubin "
			   "-outform der | openssl dgst -sha256 -binary | base64",
			   f->s.cert),
		    0);
		cmd_out[strcspn(cmd_out, "\n")] = '\0';
		snprintf(pin, sizeof(pin), "sha256//%s", cmd_out);
		o.ca_file = NULL;
		o.pinned_pubkey = pin;
		o.flags |= PROSUM_NO_ENV;
		assert_int_equal(prosum_client_new(&bad, f->s.dsn, &o), 0);
		assert_int_equal(prosum_send(&res, bad, r), 0);
		assert_int_equal(res.status, 201);
		prosum_close(bad);
		o.pinned_pubkey = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
		assert_int_equal(prosum_client_new(&bad, f->s.dsn, &o), 0);
		assert_int_equal(prosum_send(&res, bad, r), PROSUM_ETLS);
		prosum_close(bad);
	}
	prosum_report_free(r);
	prosum_result_dispose(&res);
	prosum_close(c);
}

/* POST with the admin token. The status, or -1. */
static long admin_post(fixture *f, const char *path, const char *body)
{
	char auth[256];
	const char *headers[] = {auth, "Content-Type: application/json", NULL};
	e2e_response r;
	long status;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->s.token);
	memset(&r, 0, sizeof(r));
	if (e2e_request(&f->s, "POST", path, headers, body, strlen(body), &r) != 0)
		return -1;
	status = r.status;
	e2e_response_free(&r);
	return status;
}

/* A tester on an old build hears at once that a released build fixes the crash. */
static void test_cli_known_note(void **state)
{
	fixture *f = *state;
	char out[4096];

	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s '%s' report --kind bug --title 'Crash on save' --revision %s",
				f->env, PROSUM_CLI_PATH, f->head),
			 0);
	assert_string_equal(out, "R-1\n");
	assert_int_equal(
	    e2e_sh(NULL, 0,
		   "set -e; cd '%s'; echo '/* saved */' >> main.c; "
		   "git commit -q -am 'Save without crashing' -m 'Fixes G-1'; git tag v1.1",
		   f->s.repo),
	    0);
	assert_int_equal(admin_post(f, "/api/v1/projects/demo/sync", "{}"), 200);
	assert_int_equal(
	    admin_post(f, "/api/v1/projects/demo/releases", "{\"name\":\"1.1\",\"ref\":\"v1.1\"}"),
	    201);
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s '%s' report --kind bug --title 'Crash on save' --revision %s",
				f->env, PROSUM_CLI_PATH, f->head),
			 0);
	assert_string_equal(out, "R-2\nalready fixed in 1.1 (G-1)\n");
}

/* Attachments travel as multipart/form-data and come back byte for byte. */
static void test_attachments(void **state)
{
	fixture *f = *state;
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *c = NULL;
	prosum_report *r = NULL;
	static const unsigned char bin[] = {0, 1, 2, '\r', '\n', '-', '-', 0xff, 0};
	char path[400], out[4096];
	e2e_response res;

	snprintf(path, sizeof(path), "%s/settings.ini", f->s.dir);
	assert_int_equal(e2e_sh(NULL, 0, "printf 'theme=dark\\n' > '%s'", path), 0);
	o.ca_file = f->s.cacert;
	o.spool_dir = f->spool;
	o.app_version = "1.0";
	assert_int_equal(prosum_client_new(&c, f->s.dsn, &o), 0);
	assert_int_equal(prosum_report_new(&r, PROSUM_KIND_BUG), 0);
	assert_int_equal(prosum_report_set_title(r, "with files"), 0);
	assert_int_equal(prosum_report_attach_file(r, path, NULL), 0);
	assert_int_equal(prosum_report_attach_data(r, "dump.bin", bin, sizeof(bin)), 0);
	assert_int_equal(prosum_submit(c, r), 0);
	assert_int_equal(prosum_flush(c, 30000), 0);
	prosum_report_free(r);
	prosum_close(c);

	memset(&res, 0, sizeof(res));
	assert_int_equal(
	    e2e_get(&f->s, "/api/v1/projects/demo/reports/R-1/attachments/dump.bin", &res), 0);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.len, sizeof(bin));
	assert_memory_equal(res.body, bin, sizeof(bin));
	e2e_response_free(&res);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s '%s' show R-1", f->env, PROSUM_CLI_PATH), 0);
	assert_non_null(strstr(out, "attachments:\n"));
	assert_non_null(strstr(out, "  settings.ini (11 bytes)\n"));
	assert_non_null(strstr(out, "  dump.bin (9 bytes)\n"));
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
	    cmocka_unit_test_setup_teardown(test_beta_app_sessions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_library_send, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_library_background, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cli_known_note, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_attachments, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
