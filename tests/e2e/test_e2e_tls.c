/* test_e2e_tls.c - the local CA, server certificate and pin that init makes, against clients. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

typedef struct fixture {
	e2e_server s;
	char env[2048]; /* a tester's and a developer's settings, with no CA and no pin */
	char spool[320];
} fixture;

/* The command-line settings for the server's current port. */
static void set_env(fixture *f)
{
	snprintf(f->env, sizeof(f->env),
		 "env -u PROSUM_CACERT -u PROSUM_PIN PROSUM_SPOOL='%s' PROSUM_SERVER='%s' "
		 "PROSUM_TOKEN='%s' PROSUM_PROJECT=demo PROSUM_DSN='%s'",
		 f->spool, f->s.url, f->s.token, f->s.dsn);
}

static int setup(void **state)
{
	fixture *f = e2e_fixture_new(sizeof(*f), 1);

	if (!f)
		return -1;
	snprintf(f->spool, sizeof(f->spool), "%s/install", f->s.dir);
	set_env(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/*
 * GET /healthz at `url` with libcurl (OpenSSL: it checks iPAddress entries
 * and the key usages), trusting only `ca_file`. connect_to ("HOST:PORT:"
 * "127.0.0.1:PORT") reaches the test's server under another name. The curl
 * result.
 */
static CURLcode healthz(const char *url, const char *ca_file, const char *connect_to)
{
	struct curl_slist *to = connect_to ? curl_slist_append(NULL, connect_to) : NULL;
	CURL *c = curl_easy_init();
	CURLcode cc;

	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L); /* generous: the machine may be loaded */
	if (to)
		curl_easy_setopt(c, CURLOPT_CONNECT_TO, to);
	cc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	curl_slist_free_all(to);
	return cc;
}

/* The value after "prefix" at the start of a line of text, or -1. */
static int value_of(const char *text, const char *prefix, char *out, size_t outsz)
{
	const char *p = text;
	size_t n;

	while (p && *p) {
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			p += strlen(prefix);
			n = strcspn(p, "\n");
			if (n >= outsz)
				return -1;
			memcpy(out, p, n);
			out[n] = '\0';
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static void assert_one_line(const char *out)
{
	const char *nl = strchr(out, '\n');

	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');
}

/* init printed "ca:" and "pin:"; the pin is the same in every init and project add. */
static void test_init_and_project_add_print_the_pin(void **state)
{
	fixture *f = *state;
	char out[4096], value[256], expect[512];

	assert_int_equal(strncmp(f->s.pin, "sha256//", 8), 0);
	assert_int_equal(strlen(f->s.pin), 8 + 44);

	assert_int_equal(
	    e2e_sh(out, sizeof(out), "'%s' init --data '%s' 2>/dev/null", PROSUMD_PATH, f->s.data),
	    0);
	assert_int_equal(value_of(out, "ca: ", value, sizeof(value)), 0);
	assert_string_equal(value, f->s.cacert);
	assert_int_equal(value_of(out, "pin: ", value, sizeof(value)), 0);
	assert_string_equal(value, f->s.pin);
	assert_null(strstr(out, "token: ")); /* the admin token was printed once */

	/* --hostname on an initialised directory changes nothing, and says what does. */
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' init --data '%s' --hostname x.example 2>&1",
				PROSUMD_PATH, f->s.data),
			 0);
	snprintf(expect, sizeof(expect),
		 "prosumd: %s exists and does not name x.example: init changes no certificate; "
		 "'prosumd cert renew' with every --hostname makes a new one from the same CA and "
		 "key",
		 f->s.cert);
	assert_non_null(strstr(out, expect));
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' init --data '%s' --hostname localhost "
				"--hostname ::1 2>&1", PROSUMD_PATH, f->s.data),
			 0);
	snprintf(expect, sizeof(expect), "prosumd: %s already names every --hostname given",
		 f->s.cert);
	assert_non_null(strstr(out, expect));

	assert_int_equal(
	    e2e_sh(out, sizeof(out), "'%s' project add other --data '%s'", PROSUMD_PATH, f->s.data),
	    0);
	assert_int_equal(value_of(out, "pin: ", value, sizeof(value)), 0);
	assert_string_equal(value, f->s.pin);
	assert_int_equal(value_of(out, "dsn: ", value, sizeof(value)), 0);
	/* The Sentry SDK form: the same key, the project's numeric id (demo is 1, this one 2). */
	assert_int_equal(value_of(out, "sentry_dsn: ", value, sizeof(value)), 0);
	assert_non_null(strstr(value, "https://"));
	assert_int_equal(strcspn(value + 8, "@"), 32);
	assert_int_equal(value[strlen(value) - 2], '/');
	assert_int_equal(value[strlen(value) - 1], '2');
}

/* The printed pin alone lets the CLI in; a wrong one does not, and says what to do. */
static void test_printed_pin_works(void **state)
{
	fixture *f = *state;
	const char *wrong = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	char out[4096];

	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s '%s' report --title 'pinned by init' --version 1.0 --pin '%s'",
				f->env, PROSUM_CLI_PATH, f->s.pin),
			 0);
	assert_string_equal(out, "R-1\n");
	assert_int_equal(e2e_sh(out, sizeof(out), "%s PROSUM_PIN='%s' '%s' groups", f->env,
				f->s.pin, PROSUM_CLI_PATH),
			 0);
	assert_non_null(strstr(out, "G-1 "));

	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s '%s' report --title 'wrong pin' --version 1.0 --pin '%s' 2>&1",
				f->env, PROSUM_CLI_PATH, wrong),
			 1);
	assert_one_line(out);
	assert_non_null(strstr(out,
			       "prosum: the server's certificate is not trusted: pass "
			       "--cacert FILE (e.g. prosum-data/tls/ca.pem) or --pin sha256//... "
			       "(printed by prosumd init); "));
	assert_non_null(strstr(out, "the server's public key does not match the pin"));
	assert_int_equal(e2e_sql_int(&f->s, "SELECT count(*) FROM reports"), 1);
}

/* Without a CA file or a pin, every command fails on one line that says how to trust the server. */
static void test_untrusted_server_hint(void **state)
{
	static const char *const commands[] = {
	    "report --title untrusted --version 1.0",
	    "flush",
	    "groups",
	    "reports",
	    "suggest --title untrusted",
	    "mine",
	};
	fixture *f = *state;
	char out[4096];
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int rc = e2e_sh(out, sizeof(out), "%s '%s' %s 2>&1", f->env, PROSUM_CLI_PATH,
				commands[i]);

		if (!strstr(out, "prosum: the server's certificate is not trusted: "))
			print_error("%s: %s", commands[i], out);
		assert_int_equal(rc, 1);
		assert_one_line(out);
		assert_int_equal(
		    strncmp(out,
			    "prosum: the server's certificate is not trusted: pass --cacert FILE "
			    "(e.g. prosum-data/tls/ca.pem) or --pin sha256//... (printed by "
			    "prosumd init); ",
			    strlen("prosum: the server's certificate is not trusted: pass --cacert "
				   "FILE (e.g. prosum-data/tls/ca.pem) or --pin sha256//... "
				   "(printed by prosumd init); ")),
		    0);
		assert_non_null(strstr(out, f->s.url));
	}
	/* Given the CA, the same commands work. */
	assert_int_equal(e2e_sh(out, sizeof(out), "%s PROSUM_CACERT='%s' '%s' flush 2>&1", f->env,
				f->s.cacert, PROSUM_CLI_PATH),
			 0);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s PROSUM_CACERT='%s' '%s' groups", f->env,
				f->s.cacert, PROSUM_CLI_PATH),
			 0);
}

/*
 * ca.pem is a trust anchor for every name in the server certificate (OpenSSL
 * through libcurl checks the iPAddress entries); cert.pem, which holds the CA
 * too, still works as a CA file, as it did before there was a ca.pem.
 */
static void test_ca_file_for_each_name(void **state)
{
	fixture *f = *state;
	char url[256], to[128];

	assert_int_equal(healthz(f->s.url, f->s.cacert, NULL), CURLE_OK);
	assert_int_equal(healthz(f->s.url, f->s.cert, NULL), CURLE_OK);
	snprintf(url, sizeof(url), "https://localhost:%d/healthz", f->s.port);
	snprintf(to, sizeof(to), "localhost:%d:127.0.0.1:%d", f->s.port, f->s.port);
	assert_int_equal(healthz(url, f->s.cacert, to), CURLE_OK);
	snprintf(url, sizeof(url), "https://[::1]:%d/healthz", f->s.port);
	snprintf(to, sizeof(to), "[::1]:%d:127.0.0.1:%d", f->s.port, f->s.port);
	assert_int_equal(healthz(url, f->s.cacert, to), CURLE_OK);
	/* A name the certificate does not have. */
	snprintf(url, sizeof(url), "https://bugs.example.org:%d/healthz", f->s.port);
	snprintf(to, sizeof(to), "bugs.example.org:%d:127.0.0.1:%d", f->s.port, f->s.port);
	assert_int_equal(healthz(url, f->s.cacert, to), CURLE_PEER_FAILED_VERIFICATION);
}

/*
 * --hostname: without cert.pem, init issues a new server certificate from the
 * same CA, for the same key, with the names given; clients that trust the CA
 * or hold the pin need nothing new.
 */
static void test_hostname_reissue(void **state)
{
	fixture *f = *state;
	char out[4096], value[256], url[256], to[128];

	e2e_stop(&f->s);
	assert_int_equal(unlink(f->s.cert), 0);
	assert_int_equal(e2e_sh(out, sizeof(out),
				"'%s' init --data '%s' --hostname bugs.example.org --hostname "
				"127.0.0.2 2>/dev/null",
				PROSUMD_PATH, f->s.data),
			 0);
	assert_int_equal(value_of(out, "pin: ", value, sizeof(value)), 0);
	assert_string_equal(value, f->s.pin);
	assert_int_equal(value_of(out, "ca: ", value, sizeof(value)), 0);
	assert_string_equal(value, f->s.cacert);
	assert_int_equal(e2e_start(&f->s, NULL), 0);
	set_env(f);

	snprintf(url, sizeof(url), "https://bugs.example.org:%d/healthz", f->s.port);
	snprintf(to, sizeof(to), "bugs.example.org:%d:127.0.0.1:%d", f->s.port, f->s.port);
	assert_int_equal(healthz(url, f->s.cacert, to), CURLE_OK);
	snprintf(url, sizeof(url), "https://127.0.0.2:%d/healthz", f->s.port);
	snprintf(to, sizeof(to), "127.0.0.2:%d:127.0.0.1:%d", f->s.port, f->s.port);
	assert_int_equal(healthz(url, f->s.cacert, to), CURLE_OK);
	assert_int_equal(healthz(f->s.url, f->s.cacert, NULL), CURLE_OK);
	snprintf(url, sizeof(url), "https://127.0.0.3:%d/healthz", f->s.port);
	snprintf(to, sizeof(to), "127.0.0.3:%d:127.0.0.1:%d", f->s.port, f->s.port);
	assert_int_equal(healthz(url, f->s.cacert, to), CURLE_PEER_FAILED_VERIFICATION);

	/* A bad name is refused before anything is written. */
	assert_int_equal(unlink(f->s.cert), 0);
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' init --data '%s' --hostname 'a b' 2>&1",
				PROSUMD_PATH, f->s.data),
			 2);
	assert_non_null(
	    strstr(out, "prosumd: --hostname: \"a b\" is not a host name or IP address"));
	assert_int_equal(access(f->s.cert, F_OK), -1);
	assert_int_equal(
	    e2e_sh(out, sizeof(out), "'%s' init --data '%s' 2>/dev/null", PROSUMD_PATH, f->s.data),
	    0);
	assert_int_equal(access(f->s.cert, F_OK), 0);
}

/* GET /healthz as `host` until it verifies, for at most a minute (a reload is asynchronous:
 * the signal is handled by the server's signal thread). The last curl result. */
static CURLcode healthz_until_ok(fixture *f, const char *host)
{
	char url[256], to[128];
	long long deadline = e2e_now_ms() + 60000;
	CURLcode cc;

	snprintf(url, sizeof(url), "https://%s:%d/healthz", host, f->s.port);
	snprintf(to, sizeof(to), "%s:%d:127.0.0.1:%d", host, f->s.port, f->s.port);
	while ((cc = healthz(url, f->s.cacert, to)) != CURLE_OK && e2e_now_ms() < deadline)
		usleep(100 * 1000);
	return cc;
}

/* cert renew: a new certificate from the same CA and key, for new names or the same ones;
 * a running server serves it after SIGHUP. */
static void test_cert_renew(void **state)
{
	fixture *f = *state;
	char out[4096], value[256];

	assert_int_equal(e2e_sh(out, sizeof(out),
				"'%s' cert renew --data '%s' --hostname renew.example.org "
				"--hostname 127.0.0.4 2>/dev/null",
				PROSUMD_PATH, f->s.data),
			 0);
	assert_int_equal(value_of(out, "pin: ", value, sizeof(value)), 0);
	assert_string_equal(value, f->s.pin); /* pinned clients need nothing new */
	assert_int_equal(kill(f->s.pid, SIGHUP), 0);
	assert_int_equal(healthz_until_ok(f, "renew.example.org"), CURLE_OK);
	assert_int_equal(healthz_until_ok(f, "127.0.0.4"), CURLE_OK);

	/* Without --hostname the names stay, IP addresses too. */
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' cert renew --data '%s' 2>&1", PROSUMD_PATH,
				f->s.data),
			 0);
	assert_non_null(strstr(out, "for renew.example.org, 127.0.0.4, localhost, 127.0.0.1, ::1"));
	assert_int_equal(e2e_stop(&f->s), 0);
	assert_int_equal(e2e_start(&f->s, NULL), 0);
	set_env(f);
	assert_int_equal(healthz_until_ok(f, "renew.example.org"), CURLE_OK);
	assert_int_equal(healthz_until_ok(f, "127.0.0.4"), CURLE_OK);

	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' cert renew --data '%s' --hostname 'a b' 2>&1",
				PROSUMD_PATH, f->s.data),
			 2);
	assert_non_null(
	    strstr(out, "prosumd: --hostname: \"a b\" is not a host name or IP address"));
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' cert list --data '%s' 2>&1", PROSUMD_PATH,
				f->s.data),
			 2);
}

/* Writes PEM text to a new file. */
static void write_pem(const char *path, const unsigned char *pem)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs((const char *)pem, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/*
 * A certificate like the ones init made before the local CA: self-signed,
 * CA:TRUE, for 127.0.0.1 (an iPAddress entry), with its P-256 key.
 */
static void write_old_certificate(const char *cert_path, const char *key_path)
{
	static const unsigned char san[] = {0x30, 0x06, 0x87, 0x04, 0x7f, 0x00, 0x00, 0x01};
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context key;
	mbedtls_x509write_cert w;
	mbedtls_mpi serial;
	unsigned char pem[4096];

	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	mbedtls_x509write_crt_init(&w);
	mbedtls_mpi_init(&serial);
	assert_int_equal(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0), 0);
	assert_int_equal(mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
	assert_int_equal(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key),
					     mbedtls_ctr_drbg_random, &drbg),
			 0);
	assert_int_equal(mbedtls_mpi_lset(&serial, 1), 0);
	mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&w, &key);
	mbedtls_x509write_crt_set_issuer_key(&w, &key);
	assert_int_equal(mbedtls_x509write_crt_set_subject_name(&w, "CN=127.0.0.1"), 0);
	assert_int_equal(mbedtls_x509write_crt_set_issuer_name(&w, "CN=127.0.0.1"), 0);
	assert_int_equal(mbedtls_x509write_crt_set_serial(&w, &serial), 0);
	assert_int_equal(mbedtls_x509write_crt_set_validity(&w, "20200101000000", "20491231235959"),
			 0);
	assert_int_equal(mbedtls_x509write_crt_set_basic_constraints(&w, 1, 0), 0);
	assert_int_equal(mbedtls_x509write_crt_set_extension(
			     &w, MBEDTLS_OID_SUBJECT_ALT_NAME,
			     MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, san, sizeof(san)),
			 0);
	assert_int_equal(
	    mbedtls_x509write_crt_pem(&w, pem, sizeof(pem), mbedtls_ctr_drbg_random, &drbg), 0);
	write_pem(cert_path, pem);
	assert_int_equal(mbedtls_pk_write_key_pem(&key, pem, sizeof(pem)), 0);
	write_pem(key_path, pem);
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&w);
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
}

/*
 * A data directory from before the local CA keeps its self-signed
 * certificate: init names it as the file to trust and prints its pin, and
 * serve, curl and the CLI keep working with it.
 */
static void test_older_data_directory(void **state)
{
	fixture *f = *state;
	char out[4096], value[64], path[400], expect[1024];

	e2e_stop(&f->s);
	snprintf(path, sizeof(path), "%s/tls/ca-key.pem", f->s.data);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(unlink(f->s.cacert), 0);
	assert_int_equal(unlink(f->s.cert), 0);
	snprintf(path, sizeof(path), "%s/tls/key.pem", f->s.data);
	assert_int_equal(unlink(path), 0);
	write_old_certificate(f->s.cert, path);

	assert_int_equal(
	    e2e_sh(out, sizeof(out), "'%s' init --data '%s' 2>/dev/null", PROSUMD_PATH, f->s.data),
	    0);
	assert_int_equal(value_of(out, "ca: ", value, sizeof(value)), 0);
	assert_string_equal(value, f->s.cert);
	assert_int_equal(value_of(out, "pin: ", value, sizeof(value)), 0);
	assert_string_not_equal(value, f->s.pin);
	assert_int_equal(access(f->s.cacert, F_OK), -1);
	memcpy(f->s.pin, value, sizeof(f->s.pin));
	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' init --data '%s' --hostname x.example 2>&1",
				PROSUMD_PATH, f->s.data),
			 0);
	snprintf(expect, sizeof(expect),
		 "prosumd: %s exists, so --hostname changes nothing; to get a local CA and a "
		 "certificate with these names, remove it and %s and run init again",
		 f->s.cert, path);
	assert_non_null(strstr(out, expect));

	assert_int_equal(e2e_start(&f->s, NULL), 0);
	set_env(f);
	assert_int_equal(healthz(f->s.url, f->s.cert, NULL), CURLE_OK);
	assert_int_equal(e2e_sh(out, sizeof(out),
				"%s '%s' report --title 'older directory' --version 1.0 --pin '%s'",
				f->env, PROSUM_CLI_PATH, f->s.pin),
			 0);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s PROSUM_CACERT='%s' '%s' groups", f->env,
				f->s.cert, PROSUM_CLI_PATH),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_and_project_add_print_the_pin),
	    cmocka_unit_test(test_printed_pin_works),
	    cmocka_unit_test(test_untrusted_server_hint),
	    cmocka_unit_test(test_ca_file_for_each_name),
	    cmocka_unit_test(test_hostname_reissue),
	    cmocka_unit_test(test_cert_renew),
	    cmocka_unit_test(test_older_data_directory),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
