/* test_e2e_protocol.c - HTTP semantics (HEAD, Host, request-target forms, OPTIONS), the prosumd command line and token names, against a real prosumd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

#define WAIT_MS 10000 /* generous: the machine may be loaded; only behaviour is asserted */

static long num(const char *s)
{
	return strtol(s, NULL, 10);
}

static int setup(void **state)
{
	return e2e_setup_started(state);
}

static int teardown(void **state)
{
	return e2e_teardown_stopped(state);
}

/* The value of header `name` in a response head, copied into out ("" when absent). */
static const char *head_value(const char *head, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name);
	const char *p = head;

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1, *e;

			while (*v == ' ')
				v++;
			e = strstr(v, "\r\n");
			snprintf(out, outsz, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
			break;
		}
	}
	return out;
}

/* Send one request on a kept-alive connection and read its answer. */
static long roundtrip(e2e_tls *t, const char *req, int head, char **body, size_t *len,
		      char *hd, size_t hdsz)
{
	long status = 0;

	assert_int_equal(e2e_tls_write(t, req, strlen(req)), 0);
	if (head)
		e2e_tls_expect_no_content(t);
	assert_int_equal(e2e_tls_response(t, WAIT_MS, &status, body, len, hd, hdsz), 0);
	return status;
}

/* RFC 9110 9.3.2: HEAD answers carry headers but never content, so the next answer on
 * the same connection is read where it starts. */
static void test_head_then_get(void **state)
{
	e2e_server *s = *state;
	e2e_tls *t = e2e_tls_open(s, 0, WAIT_MS);
	char hd[4096], v[128], req[1024];
	char *body = NULL;
	size_t len = 0;

	assert_non_null(t);
	/* a GET route answers HEAD with GET's headers */
	assert_int_equal(roundtrip(t, "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 1, &body, &len,
				   hd, sizeof(hd)),
			 200);
	assert_string_equal(head_value(hd, "Content-Length", v, sizeof(v)), "3");
	assert_string_equal(head_value(hd, "Connection", v, sizeof(v)), "keep-alive");
	free(body);
	assert_int_equal(roundtrip(t, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 0, &body, &len,
				   hd, sizeof(hd)),
			 200);
	assert_string_equal(body, "ok\n");
	free(body);

	/* an error answer to HEAD: the length of the JSON it would send, not the JSON */
	assert_int_equal(roundtrip(t, "HEAD /api/nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 1, &body, &len,
				   hd, sizeof(hd)),
			 404);
	assert_true(num(head_value(hd, "Content-Length", v, sizeof(v))) > 0);
	free(body);
	assert_int_equal(roundtrip(t, "HEAD /api/v1/projects/demo/sync HTTP/1.1\r\nHost: x\r\n\r\n",
				   1, &body, &len, hd, sizeof(hd)),
			 405);
	assert_string_equal(head_value(hd, "Allow", v, sizeof(v)), "POST, OPTIONS");
	free(body);

	/* an API list, and a streamed export: headers only, and the connection goes on */
	snprintf(req, sizeof(req),
		 "HEAD /api/v1/projects/demo/reports HTTP/1.1\r\nHost: x\r\n"
		 "Authorization: Bearer %s\r\n\r\n",
		 s->token);
	assert_int_equal(roundtrip(t, req, 1, &body, &len, hd, sizeof(hd)), 200);
	assert_string_equal(head_value(hd, "Content-Type", v, sizeof(v)), "application/json");
	assert_true(num(head_value(hd, "Content-Length", v, sizeof(v))) > 0);
	free(body);
	snprintf(req, sizeof(req),
		 "HEAD /api/v1/projects/demo/reports?format=jsonl HTTP/1.1\r\nHost: x\r\n"
		 "Authorization: Bearer %s\r\n\r\n",
		 s->token);
	assert_int_equal(roundtrip(t, req, 1, &body, &len, hd, sizeof(hd)), 200);
	free(body);
	assert_int_equal(roundtrip(t, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 0, &body, &len,
				   hd, sizeof(hd)),
			 200);
	assert_string_equal(body, "ok\n");
	free(body);
	e2e_tls_close(t, 0);
}

/* Send a request that ends the connection; the status, and the answer in out. */
static long exchange(e2e_server *s, const char *req, char *out, size_t outsz)
{
	ssize_t n = e2e_tls_exchange(s, req, strlen(req), out, outsz, WAIT_MS);

	assert_true(n > 12);
	assert_memory_equal(out, "HTTP/1.1 ", 9);
	return strtol(out + 9, NULL, 10);
}

/* A 400 whose JSON error names the Host header. */
static void assert_host_refused(e2e_server *s, const char *req)
{
	char out[8192];
	const char *body;
	json_t *v, *err;

	if (exchange(s, req, out, sizeof(out)) != 400)
		fail_msg("not 400 for %s: %s", req, out);
	body = strstr(out, "\r\n\r\n");
	assert_non_null(body);
	v = json_loads(body + 4, 0, NULL);
	assert_non_null(v);
	err = json_object_get(v, "error");
	assert_string_equal(json_string_value(json_object_get(err, "field")), "Host");
	assert_non_null(strstr(json_string_value(json_object_get(err, "message")), "Host"));
	json_decref(v);
}

/* RFC 9112 3.2: Host is required in HTTP/1.1, once, and valid. */
static void test_host_rules(void **state)
{
	e2e_server *s = *state;
	char out[8192], req[512];

	assert_host_refused(s, "GET /healthz HTTP/1.1\r\n\r\n");
	assert_host_refused(s, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
	assert_host_refused(s, "GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n");
	assert_host_refused(s, "GET /healthz HTTP/1.1\r\nHost: u@h\r\n\r\n");
	assert_host_refused(s, "GET /healthz HTTP/1.1\r\nHost:\r\n\r\n");
	/* HTTP/1.0 predates Host */
	assert_int_equal(exchange(s, "GET /healthz HTTP/1.0\r\n\r\n", out, sizeof(out)), 200);
	assert_non_null(strstr(out, "\r\n\r\nok\n"));
	/* RFC 9112 3.2.2: absolute-form is accepted; its authority stands for Host */
	snprintf(req, sizeof(req),
		 "GET https://127.0.0.1:%d/healthz HTTP/1.1\r\nConnection: close\r\n\r\n", s->port);
	assert_int_equal(exchange(s, req, out, sizeof(out)), 200);
	assert_non_null(strstr(out, "\r\n\r\nok\n"));
	assert_int_equal(exchange(s,
				  "GET https://u@h/healthz HTTP/1.1\r\nConnection: close\r\n\r\n",
				  out, sizeof(out)),
			 400);
}

/* RFC 9112 3.2.4 and RFC 9110 9.3.7: OPTIONS says which methods are there. */
static void test_options(void **state)
{
	e2e_server *s = *state;
	char out[8192], v[256];

	assert_int_equal(exchange(s, "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
				  out, sizeof(out)),
			 204);
	assert_string_equal(head_value(out, "Allow", v, sizeof(v)),
			    "GET, HEAD, POST, PATCH, DELETE, OPTIONS");
	assert_int_equal(exchange(s,
				  "OPTIONS /api/v1/projects/demo/reports HTTP/1.1\r\nHost: x\r\n"
				  "Connection: close\r\n\r\n",
				  out, sizeof(out)),
			 204);
	assert_string_equal(head_value(out, "Allow", v, sizeof(v)), "POST, GET, HEAD, OPTIONS");
	assert_int_equal(exchange(s,
				  "OPTIONS /api/v1/projects/demo/reports/R-1 HTTP/1.1\r\nHost: x\r\n"
				  "Connection: close\r\n\r\n",
				  out, sizeof(out)),
			 204);
	assert_string_equal(head_value(out, "Allow", v, sizeof(v)), "GET, HEAD, PATCH, OPTIONS");
	assert_int_equal(
		exchange(s, "OPTIONS /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", out,
			 sizeof(out)),
		404);
	/* "*" is for OPTIONS alone */
	assert_int_equal(
		exchange(s, "GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", out,
			 sizeof(out)),
		400);
}

/* Run prosumd with arguments; its exit status, stdout in out, stderr in err. */
static int prosumd(e2e_server *s, const char *args, char *out, size_t outsz, char *err,
		   size_t errsz)
{
	char path[400];
	int rc;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/stderr.txt", s->dir);
	rc = e2e_sh(out, outsz, "'%s' %s 2>'%s'", PROSUMD_PATH, args, path);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(err, 1, errsz - 1, f);
	err[n] = '\0';
	fclose(f);
	return rc;
}

static void assert_refused(e2e_server *s, const char *args, const char *says)
{
	char out[8192], err[8192], cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s --data '%s'", args, s->data);
	if (prosumd(s, cmd, out, sizeof(out), err, sizeof(err)) != 2)
		fail_msg("prosumd %s: not exit 2; stderr: %s", args, err);
	if (!strstr(err, says))
		fail_msg("prosumd %s: stderr lacks '%s': %s", args, says, err);
}

static void test_command_line(void **state)
{
	static const char *const helps[] = {
		"--help",      "init --help",       "serve --help",        "project add --help",
		"token --help", "token add --help", "token list --help", "token revoke --help",
		"serve -h",
	};
	e2e_server *s = *state;
	char out[8192], err[8192], cmd[1024];
	size_t i;

	for (i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
		if (prosumd(s, helps[i], out, sizeof(out), err, sizeof(err)) != 0 ||
		    strncmp(out, "usage: prosumd", 14) != 0)
			fail_msg("prosumd %s: no usage on stdout with exit 0: %s%s", helps[i], out,
				 err);
	}
	/* A second serve on the data directory in use is refused, naming the one running;
	 * admin commands still run beside it. (timeout: a serve that started would not end.) */
	assert_true(s->pid > 0);
	{
		char want[600];
		int rc = e2e_sh(out, sizeof(out),
				"timeout 120 '%s' serve --data '%s' --listen 127.0.0.1:0 --threads 1 2>&1",
				PROSUMD_PATH, s->data);

		assert_int_equal(rc, 1);
		snprintf(want, sizeof(want), "prosumd: %s is in use by another prosumd (pid %ld)\n",
			 s->data, (long)s->pid);
		assert_string_equal(out, want);
		snprintf(cmd, sizeof(cmd), "token add --role developer --name beside --data '%s'",
			 s->data);
		assert_int_equal(prosumd(s, cmd, out, sizeof(out), err, sizeof(err)), 0);
	}
	/* a port out of range, or not a number, is refused rather than wrapped */
	assert_refused(s, "serve --listen 127.0.0.1:99999", "0 to 65535");
	assert_refused(s, "serve --listen 127.0.0.1:https", "0 to 65535");
	assert_refused(s, "serve --listen 127.0.0.1:", "0 to 65535");
	assert_refused(s, "serve --listen 127.0.0.1", "HOST:PORT");
	assert_refused(s, "serve --threads 0", "from 1 to 256");
	assert_refused(s, "serve --threads many", "from 1 to 256");
	assert_refused(s, "serve --rate-ip -1", "from 0 to 10000000");
	assert_refused(s, "serve --idle-timeout 5", "from 100 to 3600000");
	/* an unknown flag: usage on stderr */
	assert_refused(s, "serve --bogus 1", "unknown option --bogus");
	assert_refused(s, "serve --bogus", "usage: prosumd");
	assert_refused(s, "token list -x", "unknown option -x");
	/* a bad value is a usage mistake too: exit 2, saying which */
	assert_refused(s, "project add 'Bad Name'", "project add NAME: a name of 1-64");
	assert_refused(s, "project add app4 --version-tag v", "--version-tag: a git ref");
	assert_refused(s, "project add app4 --repo /no/such/dir", "--repo: /no/such/dir");
	/* --public-url: https://HOST[:PORT][/] only, refused before anything is made */
	assert_refused(s, "project add app4 --public-url http://a:1", "--public-url: 'http://a:1'");
	assert_refused(s, "project add app4 --public-url 'https://a b'", "--public-url: 'https://a b'");
	assert_refused(s, "project add app4 --public-url https://a:0", "--public-url: 'https://a:0'");
	assert_refused(s, "project add app4 --public-url https://a:65536/", "is not https://HOST");
	assert_refused(s, "project add app4 --public-url https://a/x", "is not https://HOST");
	{
		snprintf(cmd, sizeof(cmd), "project add app4 --public-url https://[::1]:8443/ --data '%s'",
			 s->data);
		assert_int_equal(prosumd(s, cmd, out, sizeof(out), err, sizeof(err)), 0);
		assert_non_null(strstr(out, "@[::1]:8443/app4\n"));
		snprintf(cmd, sizeof(cmd), "project add app5 --public-url https://b.example:1 --data '%s'",
			 s->data);
		assert_int_equal(prosumd(s, cmd, out, sizeof(out), err, sizeof(err)), 0);
		assert_non_null(strstr(out, "@b.example:1/app5\n"));
	}
	assert_refused(s, "token add --role developer", "--name LABEL is required");
	assert_refused(s, "token add --name x", "--role developer|release|admin is required");
	assert_refused(s, "token add --role boss --name x",
		       "--role must be developer, release or admin, not 'boss'");
	assert_refused(s, "token add --role admin --name ' x'", "1-63 printable characters");
	assert_refused(s, "token revoke abc", "token revoke ID: the number");
	assert_refused(s, "key revoke", "key revoke KEY");
	assert_refused(s, "key add", "key add --project NAME");
	/* a bad --hostname makes nothing: no half-made data directory */
	snprintf(cmd, sizeof(cmd), "init --hostname 'bad name!' --data '%s/fresh'", s->dir);
	assert_int_equal(prosumd(s, cmd, out, sizeof(out), err, sizeof(err)), 2);
	assert_non_null(strstr(err, "--hostname: \"bad name!\" is not a host name or IP address"));
	snprintf(cmd, sizeof(cmd), "%s/fresh", s->dir);
	assert_int_equal(access(cmd, F_OK), -1);
	/* the usage lists every command in order, --version, and how project add makes the DSN */
	assert_int_equal(prosumd(s, "--help", out, sizeof(out), err, sizeof(err)), 0);
	assert_non_null(strstr(out, "prosumd token list  [--data DIR]\n"
				    "       prosumd token revoke ID [--data DIR]\n"
				    "       prosumd key add --project NAME | key list | key revoke KEY"));
	assert_non_null(strstr(out, "prosumd --version\n"));
	assert_non_null(strstr(out, "[--public-url URL | --listen HOST:PORT]"));
	assert_non_null(strstr(out, "its host is --public-url's, else --listen's"));
	assert_int_equal(prosumd(s, "--version", out, sizeof(out), err, sizeof(err)), 0);
	assert_int_equal(strncmp(out, "prosumd ", 8), 0);

	/* ":PORT" listens on every interface (a data directory of its own: s->data is in use) */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && '%s' init --data listen-data >/dev/null 2>&1 && "
		 "('%s' serve --data listen-data --listen :0 --threads 1 >listen.txt 2>&1 & "
		 "p=$!; i=0; while [ $i -lt 200 ] && ! grep -q listening listen.txt; do "
		 "sleep 0.1; i=$((i+1)); done; kill $p; wait $p); cat listen.txt",
		 s->dir, PROSUMD_PATH, PROSUMD_PATH);
	assert_int_equal(e2e_sh(out, sizeof(out), "%s", cmd), 0);
	if (!strstr(out, "listening on https://0.0.0.0:"))
		fail_msg("--listen :0: %s", out);
}

/* The first line starting with `prefix` in text: its rest, copied into out. */
static const char *line_after(const char *text, const char *prefix, char *out, size_t outsz)
{
	const char *p = strstr(text, prefix);

	out[0] = '\0';
	if (p) {
		p += strlen(prefix);
		snprintf(out, outsz, "%.*s", (int)strcspn(p, "\n"), p);
	}
	return out;
}

/* PATCH a report's status with a token; the actor of its last history entry. */
static void patch_actor(e2e_server *s, const char *token, const char *status, char *actor,
			size_t actorsz)
{
	char auth[256];
	const char *hdrs[] = {auth, "Content-Type: application/json", NULL};
	char body[64];
	e2e_response r;
	json_t *v, *h;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	snprintf(body, sizeof(body), "{\"status\":\"%s\",\"comment\":\"c\"}", status);
	assert_int_equal(e2e_request(s, "PATCH", "/api/v1/projects/demo/reports/R-1", hdrs, body,
				     strlen(body), &r),
			 0);
	if (r.status != 200)
		fail_msg("PATCH: %ld %s", r.status, r.body);
	v = json_loads(r.body, 0, NULL);
	assert_non_null(v);
	h = json_object_get(v, "history");
	snprintf(actor, actorsz, "%s",
		 json_string_value(json_object_get(json_array_get(h, json_array_size(h) - 1),
						   "actor")));
	h = json_object_get(v, "comments");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(h, json_array_size(h) - 1), "author")),
			    actor);
	json_decref(v);
	e2e_response_free(&r);
}

/* Tokens are named for the person or machine holding them; history names them so. */
static void test_token_names(void **state)
{
	e2e_server *s = *state;
	char out[8192], err[8192], cmd[1024], token[128], id[32], legacy[128], lid[32];
	char actor[128], uuid[37], doc[512], want[128];
	sqlite3 *db;
	e2e_response r;

	snprintf(cmd, sizeof(cmd), "token add --role developer --data '%s'", s->data);
	assert_int_equal(prosumd(s, cmd, out, sizeof(out), err, sizeof(err)), 2);
	assert_non_null(strstr(err, "--name"));
	assert_null(strstr(out, "token:"));

	snprintf(cmd, sizeof(cmd), "token add --role developer --name 'Dana Dev' --data '%s'",
		 s->data);
	assert_int_equal(prosumd(s, cmd, out, sizeof(out), err, sizeof(err)), 0);
	assert_true(strlen(line_after(out, "token: ", token, sizeof(token))) > 10);
	assert_true(num(line_after(out, "id: ", id, sizeof(id))) > 0);
	/* a token made before names were required: its name emptied in the database */
	snprintf(cmd, sizeof(cmd), "token add --role developer --name old --data '%s'", s->data);
	assert_int_equal(prosumd(s, cmd, out, sizeof(out), err, sizeof(err)), 0);
	line_after(out, "token: ", legacy, sizeof(legacy));
	line_after(out, "id: ", lid, sizeof(lid));
	assert_int_equal(sqlite3_open(s->db, &db), SQLITE_OK);
	snprintf(cmd, sizeof(cmd), "UPDATE tokens SET name = NULL WHERE id = %ld", num(lid));
	assert_int_equal(sqlite3_exec(db, cmd, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	/* the list shows the id that "token revoke" takes, and a name for the unnamed one */
	snprintf(cmd, sizeof(cmd), "token list --data '%s'", s->data);
	assert_int_equal(prosumd(s, cmd, out, sizeof(out), err, sizeof(err)), 0);
	assert_non_null(strstr(out, "Dana Dev"));
	snprintf(want, sizeof(want), "token #%ld (developer)", num(lid));
	assert_non_null(strstr(out, want));

	e2e_uuid(uuid);
	snprintf(doc, sizeof(doc),
		 "{\"uuid\":\"%s\",\"kind\":\"bug\",\"title\":\"Names\",\"build\":{\"version\":\"1\"},\"tester\":{\"install_id\":\"i-1\"}}",
		 uuid);
	assert_int_equal(e2e_post_report(s, doc, &r), 0);
	if (r.status != 201)
		fail_msg("report: %ld %s", r.status, r.body);
	e2e_response_free(&r);
	patch_actor(s, token, "triaged", actor, sizeof(actor));
	assert_string_equal(actor, "Dana Dev");
	patch_actor(s, legacy, "new", actor, sizeof(actor));
	assert_string_equal(actor, want);

	/* the printed id is the one revoke takes */
	snprintf(cmd, sizeof(cmd), "token revoke %s --data '%s'", id, s->data);
	assert_int_equal(prosumd(s, cmd, out, sizeof(out), err, sizeof(err)), 0);
}

/* One answer to a JSON body: status, error code, field and a word of the message. */
static void expect_json_error(e2e_server *s, const char *method, const char *path,
			      const char *auth, const char *body, long status, const char *field,
			      const char *word)
{
	const char *hdrs[] = {auth, "Content-Type: application/json", NULL};
	e2e_response r;
	json_t *v, *err;
	const char *msg, *f;

	assert_int_equal(e2e_request(s, method, path, hdrs, body, strlen(body), &r), 0);
	if (r.status != status)
		fail_msg("%s %s with %s: %ld, want %ld: %s", method, path, body, r.status, status,
			 r.body);
	v = json_loads(r.body, 0, NULL);
	assert_non_null(v);
	err = json_object_get(v, "error");
	msg = json_string_value(json_object_get(err, "message"));
	f = json_string_value(json_object_get(err, "field"));
	assert_non_null(msg);
	assert_string_equal(json_string_value(json_object_get(err, "code")),
			    status == 400 ? "invalid_json" : strstr(path, "/reports") && !strstr(path, "R-")
							? "invalid_report"
							: "invalid_request");
	if (!strstr(msg, word))
		fail_msg("%s %s with %s: message '%s' lacks '%s'", method, path, body, msg, word);
	if (field && (!f || strcmp(f, field) != 0))
		fail_msg("%s %s with %s: field %s, want %s", method, path, body, f ? f : "none",
			 field);
	/* never the name of a parser's flag */
	assert_null(strstr(msg, "JSON_"));
	json_decref(v);
	e2e_response_free(&r);
}

/* Every JSON body is held to one policy: syntax first (400 with line and column), then
 * what values may hold (422 naming the field). */
static void test_json_policy(void **state)
{
	e2e_server *s = *state;
	char key[256], admin[256];
	struct {
		const char *method, *path, *auth;
	} ep[4];
	size_t i;

	snprintf(key, sizeof(key), "X-Prosum-Key: %s", s->key);
	snprintf(admin, sizeof(admin), "Authorization: Bearer %s", s->token);
	ep[0].method = "POST", ep[0].path = "/api/v1/projects/demo/reports", ep[0].auth = key;
	ep[1].method = "POST", ep[1].path = "/api/v1/projects/demo/suggestions", ep[1].auth = key;
	ep[2].method = "PATCH", ep[2].path = "/api/v1/projects/demo/reports/R-1", ep[2].auth = admin;
	ep[3].method = "POST", ep[3].path = "/api/v1/projects/demo/releases", ep[3].auth = admin;
	for (i = 0; i < 4; i++) {
		const char *m = ep[i].method, *p = ep[i].path, *a = ep[i].auth;

		/* well-formed, but not an object */
		expect_json_error(s, m, p, a, "42", 422, NULL, "must be an object");
		expect_json_error(s, m, p, a, "\"x\"", 422, NULL, "must be an object");
		expect_json_error(s, m, p, a, "null", 422, NULL, "must be an object");
		expect_json_error(s, m, p, a, "[]", 422, NULL, "must be an object");
		/* a syntax error wins over a number out of range */
		expect_json_error(s, m, p, a, "{\"a\":1e999,}", 400, NULL, "line 1, column 12");
		expect_json_error(s, m, p, a, "[1e999", 400, NULL, "line 1, column 7");
		expect_json_error(s, m, p, a, "{\"a\":\n1e999", 400, NULL, "line 2");
		/* duplicate keys: 400 naming the key */
		expect_json_error(s, m, p, a, "{\"title\":\"a\",\"title\":\"b\"}", 400, "title",
				  "duplicate key \"title\"");
		/* NUL: 422 naming the field and the reason */
		expect_json_error(s, m, p, a, "{\"title\":\"a\\u0000\"}", 422, "title",
				  "must not contain NUL");
		/* a number out of range in a well-formed document: 422 naming the field */
		expect_json_error(s, m, p, a, "{\"a\":{\"b\":1e999}}", 422, "a.b", "out of range");
	}
}

/* One answer to a body of content type `ctype`: status, error code and a word of the message. */
static void expect_body_answer(e2e_server *s, const char *method, const char *path,
			       const char *auth, const char *ctype, const char *body, size_t len,
			       long status, const char *code, const char *word)
{
	const char *hdrs[] = {ctype, "X-Prosum-Install: body-check", auth, NULL};
	e2e_response r;
	json_t *v;
	const char *msg;

	assert_int_equal(e2e_request(s, method, path, hdrs, body, len, &r), 0);
	if (r.status != status)
		fail_msg("%s %s (%s, %zu bytes): %ld, want %ld: %s", method, path, ctype, len,
			 r.status, status, r.body);
	v = json_loads(r.body, 0, NULL);
	assert_non_null(v);
	msg = json_string_value(json_object_get(json_object_get(v, "error"), "message"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "error"), "code")),
			    code);
	if (!msg || !strstr(msg, word))
		fail_msg("%s %s: message '%s' lacks '%s'", method, path, msg ? msg : "", word);
	json_decref(v);
	e2e_response_free(&r);
}

/* Every route that takes a JSON object answers its body alike: 415 unless it is
 * application/json, 400 with line and column when it does not parse, 413 over the document
 * ceiling (256 KiB; a request body may be far larger, so the route itself must refuse). */
static void test_json_body_answers(void **state)
{
	e2e_server *s = *state;
	char key[256], admin[256];
	const char *json = "Content-Type: application/json", *text = "Content-Type: text/plain";
	const size_t big_len = 256 * 1024 + 64;
	char *big = malloc(big_len + 1);
	struct {
		const char *method, *path, *auth;
	} ep[] = {
	    {"POST", "/api/v1/projects/demo/releases", admin},
	    {"POST", "/api/v1/session", NULL},
	    {"POST", "/api/v1/password", NULL},
	    {"PATCH", "/api/v1/projects/demo/reports/R-1", admin},
	    {"PATCH", "/api/v1/projects/demo/groups/G-1", admin},
	    {"POST", "/api/v1/projects", admin},
	    {"PATCH", "/api/v1/projects/demo", admin},
	    {"POST", "/api/v1/tokens", admin},
	    {"POST", "/api/v1/projects/demo/webhooks", admin},
	    {"POST", "/api/v1/projects/demo/board-links", key},
	    {"POST", "/api/v1/board/session", NULL},
	};
	size_t i;

	assert_non_null(big);
	/* a well-formed object, one string member filling it past the ceiling */
	memset(big, 'a', big_len);
	memcpy(big, "{\"name\":\"", 9);
	memcpy(big + big_len - 2, "\"}", 2);
	big[big_len] = '\0';
	snprintf(key, sizeof(key), "X-Prosum-Key: %s", s->key);
	snprintf(admin, sizeof(admin), "Authorization: Bearer %s", s->token);
	for (i = 0; i < sizeof(ep) / sizeof(ep[0]); i++) {
		const char *m = ep[i].method, *p = ep[i].path, *a = ep[i].auth;

		expect_body_answer(s, m, p, a, text, "{}", 2, 415, "unsupported_media_type",
				   "send application/json");
		expect_body_answer(s, m, p, a, json, "{\"a\":1,}", 8, 400, "invalid_json",
				   "line 1, column 8");
		expect_body_answer(s, m, p, a, json, "{\"a\":\n[1,}", 10, 400, "invalid_json",
				   "line 2, column ");
		expect_body_answer(s, m, p, a, json, big, big_len, 413, "too_large",
				   "the document is too large");
	}
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_then_get),
		cmocka_unit_test(test_host_rules),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_token_names),
		cmocka_unit_test(test_json_policy),
		cmocka_unit_test(test_json_body_answers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
