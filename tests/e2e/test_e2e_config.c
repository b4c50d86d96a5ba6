/* test_e2e_config.c - the config file: errors with their line, flags over the file, check-config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* `prosumd ARGS` with stderr and stdout together into out; the exit status. */
static int prosumd(char *out, size_t outsz, const char *args)
{
	return e2e_sh(out, outsz, "'%s' %s 2>&1", PROSUMD_PATH, args);
}

/* Each mistake is refused with exit status 2 and FILE:LINE:COLUMN, before anything runs. */
static void test_errors_name_their_line(void **state)
{
	static const struct {
		const char *text;
		const char *want; /* after "prosumd: FILE:" */
	} cases[] = {
	    {"# limits\nrate-ip = 5\n\nrate-ip = 6\n", "4:1: rate-ip is set again (first on line 2)"},
	    {"rate-ip = 5\ncolour = blue\n",
	     "2:1: unknown key 'colour': no serve flag is called --colour"},
	    {"rate-ip = 5\n  rate-key fast\n", "2:3: expected `key = value`"},
	    {"idle-timeout = 100\nrate-ip = fast\n",
	     "2:11: rate-ip wants a whole number from 0 to 10000000, not 'fast'"},
	    {"threads = 0\n", "1:11: threads wants a whole number from 1 to 256, not '0'"},
	    {"listen = 8443\n",
	     "1:10: listen wants HOST:PORT, [IPV6]:PORT or :PORT, not '8443'"},
	    {"rate-ip =\n", "1:10: rate-ip has no value"},
	    {"= 5\n", "1:1: no key before '='"},
	    {"Rate_IP = 5\n",
	     "1:1: 'Rate_IP' is not a key: a key is a serve flag's name without --, such as "
	     "rate-ip"},
	    {"repo = /srv/git/app\n", "1:1: repo is not a setting of the server"},
	    {"config = /etc/other.conf\n", "1:1: config is not a setting of the server"},
	};
	e2e_server *s = *state;
	char path[400], args[1024], out[8192], want[600];
	size_t i;

	snprintf(path, sizeof(path), "%s/bad.conf", s->dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file(path, cases[i].text);
		snprintf(want, sizeof(want), "prosumd: %s:%s\n", path, cases[i].want);
		/* check-config and serve refuse it alike; serve binds nothing. */
		snprintf(args, sizeof(args), "check-config --config '%s' --data '%s'", path, s->data);
		assert_int_equal(prosumd(out, sizeof(out), args), 2);
		if (!strstr(out, want))
			fail_msg("case %zu: want \"%s\", got \"%s\"", i, want, out);
		snprintf(args, sizeof(args), "serve --config '%s' --data '%s' --listen 127.0.0.1:0",
			 path, s->data);
		assert_int_equal(prosumd(out, sizeof(out), args), 2);
		assert_non_null(strstr(out, want));
		assert_null(strstr(out, "listening on"));
	}
	snprintf(args, sizeof(args), "serve --config '%s/missing.conf' --data '%s'", s->dir,
		 s->data);
	assert_int_equal(prosumd(out, sizeof(out), args), 2);
	assert_non_null(strstr(out, "missing.conf: No such file or directory"));
}

/* check-config prints the effective settings (flags over the file over the defaults) as a
 * config file, which check-config takes back unchanged. */
static void test_check_config_prints_the_settings(void **state)
{
	e2e_server *s = *state;
	char path[400], again[400], args[2048], out[8192], out2[8192], text[1024];

	snprintf(path, sizeof(path), "%s/prosumd.conf", s->dir);
	snprintf(text, sizeof(text),
		 "# a production host\r\n"
		 "data = %s\n"
		 "listen = :8443\n"
		 "  rate-ip   =   7  \n"
		 "idle-timeout=1500\n"
		 "\n"
		 "# request-timeout = 100\n"
		 "request-timeout = 20000\n",
		 s->data);
	write_file(path, text);
	snprintf(args, sizeof(args), "check-config --config '%s' --rate-ip 9 2>/dev/null", path);
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' %s", PROSUMD_PATH, args), 0);
	assert_non_null(strstr(out, "listen = 0.0.0.0:8443\n"));
	assert_non_null(strstr(out, "rate-ip = 9\n")); /* the flag wins over the file */
	assert_non_null(strstr(out, "idle-timeout = 1500\n"));
	assert_non_null(strstr(out, "request-timeout = 20000\n"));
	assert_non_null(strstr(out, "rate-key = 2000\n")); /* a default */
	assert_non_null(strstr(out, "# cert: "));
	/* The output is a config file itself, meaning the same settings. */
	snprintf(again, sizeof(again), "%s/again.conf", s->dir);
	write_file(again, out);
	snprintf(args, sizeof(args), "check-config --config '%s' 2>/dev/null", again);
	assert_int_equal(e2e_sh(out2, sizeof(out2), "'%s' %s", PROSUMD_PATH, args), 0);
	assert_string_equal(out, out2);
	/* The same through $PROSUM_CONFIG. */
	assert_int_equal(e2e_sh(out2, sizeof(out2), "PROSUM_CONFIG='%s' '%s' check-config 2>&1",
				path, PROSUMD_PATH),
			 0);
	assert_non_null(strstr(out2, "rate-ip = 7\n"));
	assert_non_null(strstr(out2, "the settings are valid"));
	/* The log and metrics settings too, from the file or a flag; the token is never shown. */
	assert_non_null(strstr(out, "log-format = text\n"));
	assert_non_null(strstr(out, "log-level = info\n"));
	assert_non_null(strstr(out, "# log-file: not set"));
	assert_non_null(strstr(out, "# metrics-token: not set"));
	write_file(path, "log-level = warn\nmetrics-token = secret-metrics-token-0123456789\n");
	snprintf(args, sizeof(args),
		 "check-config --config '%s' --data '%s' --log-format json --log-file '%s/p.log' "
		 "2>/dev/null",
		 path, s->data, s->dir);
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' %s", PROSUMD_PATH, args), 0);
	assert_non_null(strstr(out, "log-format = json\n"));
	assert_non_null(strstr(out, "log-level = warn\n"));
	snprintf(text, sizeof(text), "log-file = %s/p.log\n", s->dir);
	assert_non_null(strstr(out, text));
	assert_non_null(strstr(out, "# metrics-token: set (not shown)\n"));
	assert_null(strstr(out, "secret-metrics-token"));
}

/* check-config loads the certificate and key as serve does: a bad one exits 1. */
static void test_check_config_checks_the_certificate(void **state)
{
	e2e_server *s = *state;
	char path[400], text[1024], args[1024], out[4096];

	snprintf(path, sizeof(path), "%s/cert.conf", s->dir);
	snprintf(text, sizeof(text), "data = %s\ncert = %s/nowhere.pem\nkey = %s/tls/key.pem\n",
		 s->data, s->dir, s->data);
	write_file(path, text);
	snprintf(args, sizeof(args), "check-config --config '%s'", path);
	assert_int_equal(prosumd(out, sizeof(out), args), 1);
	assert_non_null(strstr(out, "nowhere.pem: No such file or directory"));
	/* The data directory's own pair, and a database, pass. */
	snprintf(text, sizeof(text), "data = %s\ncert = %s/tls/cert.pem\nkey = %s/tls/key.pem\n",
		 s->data, s->data, s->data);
	write_file(path, text);
	assert_int_equal(prosumd(out, sizeof(out), args), 0);
	snprintf(text, sizeof(text), "data = %s/empty\n", s->dir);
	write_file(path, text);
	assert_int_equal(prosumd(out, sizeof(out), args), 1);
	assert_non_null(strstr(out, "has no database: run 'prosumd init' first"));
}

/* check-config refuses the e-mail settings serve refuses, with serve's words: without the
 * sender or the public URL, a relay that is not smtp:// or smtps://, an unreadable password. */
static void test_check_config_checks_the_mail_settings(void **state)
{
	static const struct {
		const char *flags, *want;
	} cases[] = {
	    {"--smtp-url smtp://127.0.0.1:25 --smtp-from beta@example.org",
	     "--smtp-url needs --smtp-from (the sender) and --public-url"},
	    {"--smtp-url smtp://127.0.0.1:25 --public-url https://beta.example.org",
	     "--smtp-url needs --smtp-from (the sender) and --public-url"},
	    {"--smtp-url http://127.0.0.1:25 --smtp-from beta@example.org --public-url "
	     "https://beta.example.org",
	     "'http://127.0.0.1:25' is not smtp://HOST:PORT or smtps://HOST:PORT"},
	    {"--smtp-url smtps://127.0.0.1:465 --smtp-from beta@example.org --public-url "
	     "https://beta.example.org --smtp-user beta --smtp-password-file /nonexistent/pw",
	     "--smtp-password-file: cannot read /nonexistent/pw"},
	};
	e2e_server *s = *state;
	char args[1024], out[8192];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(args, sizeof(args), "check-config --data '%s' %s", s->data, cases[i].flags);
		assert_int_equal(prosumd(out, sizeof(out), args), 1);
		if (!strstr(out, cases[i].want))
			fail_msg("case %zu: want \"%s\", got \"%s\"", i, cases[i].want, out);
		assert_null(strstr(out, "the settings are valid"));
		snprintf(args, sizeof(args), "serve --data '%s' --listen 127.0.0.1:0 %s", s->data,
			 cases[i].flags);
		assert_int_equal(prosumd(out, sizeof(out), args), 1);
		assert_non_null(strstr(out, cases[i].want));
		assert_null(strstr(out, "listening on"));
	}
	snprintf(args, sizeof(args),
		 "check-config --data '%s' --smtp-url smtp://127.0.0.1:25 --smtp-from "
		 "beta@example.org --public-url https://beta.example.org",
		 s->data);
	assert_int_equal(prosumd(out, sizeof(out), args), 0);
	assert_non_null(strstr(out, "smtp-url = smtp://127.0.0.1:25"));
}

/* A data directory that cannot be reached is not taken for one without a database: the
 * commands say why instead of sending the operator to 'prosumd init'. (A directory of another
 * user gives EACCES, which the tests, run as root, cannot make; a file in its place gives
 * ENOTDIR through the same path.) */
static void test_unreachable_data_directory_says_why(void **state)
{
	static const char *const cmds[] = {"serve --listen 127.0.0.1:0", "check-config",
					   "token list", "backup %s/bk", "check"};
	e2e_server *s = *state;
	char notdir[400], cmd[600], args[1400], out[4096];
	size_t i;

	snprintf(notdir, sizeof(notdir), "%s/a-file", s->dir);
	write_file(notdir, "not a directory\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(cmd, sizeof(cmd), cmds[i], s->dir);
		snprintf(args, sizeof(args), "%s --data '%s'", cmd, notdir);
		assert_int_equal(prosumd(out, sizeof(out), args), 1);
		assert_non_null(strstr(out, "a-file/prosum.db: Not a directory"));
		assert_null(strstr(out, "init"));
	}
}

/* How many of `n` requests on one connection were refused with 429. */
static int count_429(e2e_server *s, int n)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	e2e_tls *t = e2e_tls_open(s, 0, 30000);
	int i, refused = 0;

	assert_non_null(t);
	for (i = 0; i < n; i++) {
		long st = 0;
		char *body = NULL;
		size_t len;

		assert_int_equal(e2e_tls_write(t, req, sizeof(req) - 1), 0);
		assert_int_equal(e2e_tls_response(t, 30000, &st, &body, &len, NULL, 0), 0);
		free(body);
		refused += st == 429;
	}
	e2e_tls_close(t, 0);
	return refused;
}

/* A served file's settings apply; a flag on the command line wins over the file. */
static void test_serve_takes_the_file_and_flags_override(void **state)
{
	e2e_server *s = *state;
	char path[400];
	const char *args[] = {"--config", path, NULL, NULL, NULL};

	snprintf(path, sizeof(path), "%s/serve.conf", s->dir);
	/* A bucket of 4 requests refilled once a second: 30 requests in a row overflow it
	 * however slow the machine is (each would need a second of its own not to). */
	write_file(path, "rate-ip = 1\nlisten = 127.0.0.1:1\n");
	/* e2e_start's own --listen 127.0.0.1:0 comes after the file's: the flag wins. */
	assert_int_equal(e2e_start(s, args), 0);
	assert_true(count_429(s, 30) > 0);
	assert_int_equal(e2e_stop(s), 0);

	args[2] = "--rate-ip";
	args[3] = "0";
	assert_int_equal(e2e_start(s, args), 0);
	assert_int_equal(count_429(s, 30), 0);
	assert_int_equal(e2e_stop(s), 0);
}

static int setup(void **state)
{
	e2e_server *s = e2e_fixture_new(sizeof(*s), 0);

	*state = s;
	return s ? 0 : -1;
}

static int teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_errors_name_their_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_config_prints_the_settings, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_check_config_checks_the_certificate, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_check_config_checks_the_mail_settings, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_unreachable_data_directory_says_why, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_serve_takes_the_file_and_flags_override, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
