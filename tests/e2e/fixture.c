/* fixture.c - e2e fixtures the test files share (see fixture.h). */
#include "fixture.h"

#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <mbedtls/base64.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PROSUM_CLI_PATH
#error "PROSUM_CLI_PATH must name the prosum command"
#endif

void *e2e_fixture_new(size_t size, int start)
{
	e2e_server *s = calloc(1, size);

	if (!s)
		return NULL;
	if (e2e_setup(s) < 0 || (start && e2e_start(s, NULL) < 0)) {
		e2e_destroy(s);
		free(s);
		return NULL;
	}
	return s;
}

void e2e_fixture_free(void *fixture)
{
	e2e_server *s = fixture;

	if (!s)
		return;
	if (s->pid > 0)
		e2e_stop(s);
	e2e_destroy(s);
	free(s);
}

int e2e_setup_started(void **state)
{
	e2e_server *s = e2e_fixture_new(sizeof(*s), 1);

	if (!s)
		return -1;
	*state = s;
	return 0;
}

int e2e_teardown_stopped(void **state)
{
	e2e_server *s = *state;

	assert_int_equal(e2e_stop(s), 0); /* a graceful SIGTERM exits 0 */
	e2e_fixture_free(s);
	return 0;
}

int e2e_release_setup(void **state, int start)
{
	e2e_release_fixture *f = e2e_fixture_new(sizeof(*f), 0);

	if (!f || e2e_token_add(&f->s, "release", "rita", f->rel, sizeof(f->rel)) < 0)
		return -1;
	if (e2e_git_head(&f->s, f->a) < 0)
		return -1;
	*state = f;
	return start ? e2e_start(&f->s, NULL) : 0;
}

int e2e_release_teardown(void **state)
{
	e2e_release_fixture *f = *state;

	if (f->s.pid > 0)
		assert_int_equal(e2e_stop(&f->s), 0);
	e2e_fixture_free(f);
	return 0;
}

int e2e_testers_setup(void **state)
{
	e2e_testers_fixture *f = e2e_fixture_new(sizeof(*f), 1);

	if (!f)
		return -1;
	snprintf(f->spool_a, sizeof(f->spool_a), "%s/install-a", f->s.dir);
	snprintf(f->spool_b, sizeof(f->spool_b), "%s/install-b", f->s.dir);
	e2e_cli_env(&f->s, f->env, sizeof(f->env));
	*state = f;
	return 0;
}

int e2e_testers_teardown(void **state)
{
	e2e_fixture_free(*state);
	return 0;
}

int e2e_token_add(e2e_server *s, const char *role, const char *name, char *out, size_t outsz)
{
	char args[256];

	snprintf(args, sizeof(args), "token add --role %s --name %s", role, name);
	return e2e_prosumd_secret(s, args, out, outsz);
}

void e2e_server_pin(e2e_server *s, char *out, size_t outsz)
{
	mbedtls_x509_crt crt;
	unsigned char der[4096], hash[32], b64[64];
	size_t olen = 0;
	int n;

	mbedtls_x509_crt_init(&crt);
	assert_int_equal(mbedtls_x509_crt_parse_file(&crt, s->cert), 0);
	/* The DER is written at the end of the buffer. */
	n = mbedtls_pk_write_pubkey_der(&crt.pk, der, sizeof(der));
	assert_true(n > 0);
	assert_int_equal(mbedtls_sha256_ret(der + sizeof(der) - n, (size_t)n, hash, 0), 0);
	assert_int_equal(mbedtls_base64_encode(b64, sizeof(b64), &olen, hash, sizeof(hash)), 0);
	snprintf(out, outsz, "sha256//%.*s", (int)olen, (const char *)b64);
	mbedtls_x509_crt_free(&crt);
}

void e2e_git(e2e_server *s, char *out, size_t outsz, const char *cmd)
{
	char buf[4096];

	if (e2e_sh(buf, sizeof(buf), "cd '%s' && %s", s->repo, cmd) != 0)
		fail_msg("git step failed: %s", cmd);
	if (out) {
		size_t n = strcspn(buf, "\n");

		if (n >= outsz)
			fail_msg("git output too long: %s", cmd);
		memcpy(out, buf, n);
		out[n] = '\0';
	}
}

int e2e_git_head(e2e_server *s, char out[41])
{
	char buf[256];

	if (e2e_sh(buf, sizeof(buf), "cd '%s' && git rev-parse HEAD", s->repo) != 0 ||
	    strlen(buf) < 40)
		return -1;
	memcpy(out, buf, 40);
	out[40] = '\0';
	return 0;
}

json_t *e2e_json(const e2e_response *r)
{
	json_error_t e;
	json_t *v = json_loads(r->body, 0, &e);

	if (!v)
		fail_msg("not JSON (%ld): %s", r->status, r->body);
	return v;
}

json_t *e2e_call(e2e_server *s, const char *tok, const char *method, const char *path,
		 const char *body, long *status)
{
	char auth[200];
	const char *h[] = {auth, "Content-Type: application/json", NULL};
	e2e_response r;
	json_t *v;
	json_error_t e;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	assert_int_equal(e2e_request(s, method, path, h, body, body ? strlen(body) : 0, &r), 0);
	*status = r.status;
	v = json_loads(r.body, 0, &e);
	if (!v)
		fail_msg("%s %s: not JSON (%ld): %s", method, path, r.status, r.body);
	e2e_response_free(&r);
	return v;
}

json_t *e2e_post_crash(e2e_server *s, const char *fn, const char *file, int line,
		       const char *revision)
{
	char uuid[37], doc[1024];
	e2e_response r;
	json_t *v;

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"crash\",\"build\":{\"revision\":\"%s\"},"
		 "\"tester\":{\"install_id\":\"t-%s\"},\"exception\":{\"type\":\"SIGSEGV\"},"
		 "\"frames\":[{\"function\":\"%s\",\"file\":\"%s\",\"line\":%d}]}",
		 uuid, revision, uuid, fn, file, line);
	assert_int_equal(e2e_post_report(s, doc, &r), 0);
	if (r.status != 201)
		fail_msg("%ld %s", r.status, r.body);
	v = e2e_json(&r);
	e2e_response_free(&r);
	return v;
}

json_t *e2e_suggest(e2e_server *s, const char *title, const char *text, const char *install,
		    const char *name, long *status)
{
	char uuid[37], doc[1024], key[200];
	const char *h[] = {key, "Content-Type: application/json", NULL};
	e2e_response r;
	json_t *v;

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"title\":\"%s\"%s%s%s,\"tester\":{\"install_id\":"
		 "\"%s\"%s%s%s}}",
		 uuid, title, text ? ",\"body\":\"" : "", text ? text : "", text ? "\"" : "",
		 install, name ? ",\"name\":\"" : "", name ? name : "", name ? "\"" : "");
	snprintf(key, sizeof(key), "X-Prosum-Key: %s", s->key);
	assert_int_equal(e2e_request(s, "POST", "/api/v1/projects/demo/suggestions", h, doc,
				     strlen(doc), &r),
			 0);
	*status = r.status;
	v = e2e_json(&r);
	e2e_response_free(&r);
	return v;
}

void e2e_expect(e2e_server *s, const char *tok, const char *method, const char *path,
		const char *body, long want)
{
	long st;
	json_t *v = e2e_call(s, tok, method, path, body, &st);

	if (st != want)
		fail_msg("%s %s: %ld, expected %ld: %s", method, path, st, want,
			 json_dumps(v, JSON_COMPACT));
	json_decref(v);
}

json_t *e2e_browser_call(e2e_server *s, const e2e_browser *b, int with_csrf, const char *extra,
			 const char *method, const char *path, const char *body, long *status)
{
	char cookie[200], csrf[200];
	const char *h[5] = {"Content-Type: application/json", NULL, NULL, NULL, NULL};
	int n = 1;
	e2e_response r;
	json_t *v;

	snprintf(cookie, sizeof(cookie), "Cookie: theme=dark; prosum_session=%s", b->cookie);
	snprintf(csrf, sizeof(csrf), "X-Prosum-CSRF: %s", b->csrf);
	h[n++] = cookie;
	if (with_csrf)
		h[n++] = csrf;
	if (extra)
		h[n++] = extra;
	assert_int_equal(e2e_request(s, method, path, h, body, body ? strlen(body) : 0, &r), 0);
	*status = r.status;
	v = r.len ? json_loads(r.body, 0, NULL) : json_object();
	if (!v)
		fail_msg("%s %s: not JSON (%ld): %s", method, path, r.status, r.body);
	e2e_response_free(&r);
	return v;
}

void e2e_browser_expect(e2e_server *s, const e2e_browser *b, int with_csrf, const char *method,
			const char *path, const char *body, long want)
{
	long st;
	json_t *v = e2e_browser_call(s, b, with_csrf, NULL, method, path, body, &st);

	if (st != want) {
		char *t = json_dumps(v, 0);
		fail_msg("%s %s: %ld, not %ld: %s", method, path, st, want, t ? t : "");
	}
	json_decref(v);
}

json_t *e2e_find(json_t *arr, const char *field, const char *value)
{
	json_t *it;
	size_t i;

	json_array_foreach(arr, i, it)
	{
		const char *s = json_string_value(json_object_get(it, field));

		if (s && strcmp(s, value) == 0)
			return it;
	}
	return NULL;
}

const char *e2e_str(json_t *v, const char *k1, const char *k2)
{
	json_t *x = json_object_get(v, k1);

	if (k2)
		x = json_object_get(x, k2);
	return json_is_string(x) ? json_string_value(x) : "(none)";
}

int e2e_vcli(char *out, size_t outsz, const char *env, const char *fmt, va_list ap)
{
	char args[4096];

	vsnprintf(args, sizeof(args), fmt, ap);
	return e2e_sh(out, outsz, "%s '%s' %s", env, PROSUM_CLI_PATH, args);
}

int e2e_cli(char *out, size_t outsz, const char *env, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = e2e_vcli(out, outsz, env, fmt, ap);
	va_end(ap);
	return rc;
}

void e2e_cli_env(e2e_server *s, char *out, size_t outsz)
{
	snprintf(out, outsz,
		 "PROSUM_CACERT='%s' PROSUM_SERVER='%s' PROSUM_TOKEN='%s' PROSUM_PROJECT=demo "
		 "PROSUM_DSN='%s'",
		 s->cacert, s->url, s->token, s->dsn);
}
