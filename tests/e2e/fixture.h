/* fixture.h - e2e fixtures the test files share: a started server in a test's struct, git steps
 * in the test repository, JSON requests with a token, the prosum command line. */
#ifndef PROSUM_TEST_FIXTURE_H
#define PROSUM_TEST_FIXTURE_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

#include "harness.h"

/*
 * A zeroed test struct of `size` bytes whose FIRST member is an e2e_server,
 * with e2e_setup() done and, when `start`, the server started. The caller
 * owns it: free with e2e_fixture_free(). NULL on failure (nothing left behind).
 */
void *e2e_fixture_new(size_t size, int start);
/* Stop the server if it runs, remove its directory, free the struct. Accepts NULL. */
void e2e_fixture_free(void *fixture);

/* cmocka setup: *state = e2e_fixture_new(sizeof(e2e_server), 1). 0 or -1. */
int e2e_setup_started(void **state);
/* cmocka teardown for *state from e2e_fixture_new(): asserts that the server exits 0 on
 * SIGTERM (it must be running), then e2e_fixture_free(). */
int e2e_teardown_stopped(void **state);

/*
 * What the git-linking tests share: a server with a release manager's token ("rita") and
 * the commit its repository starts with. e2e_release_setup() is a cmocka setup that makes
 * it, and starts the server when `start` (else the test starts it after preparing the
 * repository); e2e_release_teardown() stops a running server (exit 0 expected) and frees.
 */
typedef struct e2e_release_fixture {
	e2e_server s; /* first, as e2e_fixture_new() wants */
	char rel[128]; /* the release token */
	char a[41];    /* the repository's first commit */
} e2e_release_fixture;
int e2e_release_setup(void **state, int start);
int e2e_release_teardown(void **state);

/*
 * What the command-line tests share: a started server, the environment of e2e_cli_env()
 * and two testers' installs (each spool directory has its own install id).
 * e2e_testers_setup() is a cmocka setup; e2e_testers_teardown() frees without a graceful
 * stop check (as the command-line tests always did).
 */
typedef struct e2e_testers_fixture {
	e2e_server s;      /* first, as e2e_fixture_new() wants */
	char env[2048];    /* server, token, CA and DSN for command lines */
	char spool_a[320]; /* the first tester's install */
	char spool_b[320]; /* the second's */
} e2e_testers_fixture;
int e2e_testers_setup(void **state);
int e2e_testers_teardown(void **state);

/* `prosumd token add --role ROLE --name NAME` on the server's data; the token into out.
 * 0 or -1 (setup style). */
int e2e_token_add(e2e_server *s, const char *role, const char *name, char *out, size_t outsz);
/* "sha256//BASE64" of the public key in the server's certificate, computed with mbedTLS.
 * Fails the running test when it cannot be computed. */
void e2e_server_pin(e2e_server *s, char *out, size_t outsz);

/*
 * Run the shell command `cmd` in the test repository; the first line of its
 * output into out (out may be NULL). Fails the running test when the command
 * fails or the line does not fit: for test bodies, not setups.
 */
void e2e_git(e2e_server *s, char *out, size_t outsz, const char *cmd);
/* The repository's HEAD commit (40 hex digits and a NUL) into out. 0 or -1 (setup style). */
int e2e_git_head(e2e_server *s, char out[41]);

/* The body of an answer as JSON; fails the running test when it is not JSON. Caller owns it. */
json_t *e2e_json(const e2e_response *r);
/*
 * A request with "Authorization: Bearer TOK" and a JSON content type; body may
 * be NULL. The status into *status; the answer's JSON (the caller owns it).
 * Fails the running test on a transport failure or when the body is not JSON.
 */
json_t *e2e_call(e2e_server *s, const char *tok, const char *method, const char *path,
		 const char *body, long *status);
/* e2e_call(), then fail the running test unless the status is `want`. */
void e2e_expect(e2e_server *s, const char *tok, const char *method, const char *path,
		const char *body, long want);
/* A browser's state: its session cookie's value and the CSRF token the server gave with it. */
typedef struct e2e_browser {
	char cookie[128];
	char csrf[128];
} e2e_browser;
/*
 * A request as a browser makes it: a JSON content type, the session cookie (after another
 * cookie, as a browser sends what else the site set), and the CSRF header when with_csrf.
 * extra: one more header line or NULL; body may be NULL. The status into *status; the
 * answer's JSON (an empty object for an empty body; the caller owns it). Fails the running
 * test on a transport failure or when the body is not JSON.
 */
json_t *e2e_browser_call(e2e_server *s, const e2e_browser *b, int with_csrf, const char *extra,
			 const char *method, const char *path, const char *body, long *status);
/* e2e_browser_call() without an extra header, then fail unless the status is `want`. */
void e2e_browser_expect(e2e_server *s, const e2e_browser *b, int with_csrf, const char *method,
			const char *path, const char *body, long want);
/* The element of array arr whose string `field` is `value`, or NULL; borrowed from arr. */
json_t *e2e_find(json_t *arr, const char *field, const char *value);
/* The string at k1 (or k1.k2 when k2 is not NULL); "(none)" when there is none, so that a
 * failed expectation reads as one. Borrowed from v. */
const char *e2e_str(json_t *v, const char *k1, const char *k2);

/*
 * POST a crash with the ingest key: SIGSEGV in function fn at file:line, built
 * from `revision`, by the install "t-UUID" (UUID: the report's fresh uuid).
 * Fails the running test unless the answer is 201. The answer's JSON; the caller owns it.
 */
json_t *e2e_post_crash(e2e_server *s, const char *fn, const char *file, int line,
		       const char *revision);

/*
 * POST a suggestion to project demo with the ingest key, as a tester's build sends it: a fresh
 * uuid, `title`, `text` as its body (NULL: none), from install `install` credited as `name`
 * (NULL: no credit). The status into *status; the answer's JSON (the caller owns it). Fails
 * the running test on a transport failure or when the answer is not JSON.
 */
json_t *e2e_suggest(e2e_server *s, const char *title, const char *text, const char *install,
		    const char *name, long *status);

/*
 * Run `ENV 'prosum' ARGS` with sh -c (ENV: variable assignments or an `env ...`
 * prefix, may be ""), ARGS made from fmt; stdout into out as e2e_sh(). Exit status or -1.
 */
int e2e_cli(char *out, size_t outsz, const char *env, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int e2e_vcli(char *out, size_t outsz, const char *env, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
/* The usual CLI environment of a tester and a developer of the "demo" project, with the test
 * CA: PROSUM_CACERT, PROSUM_SERVER, PROSUM_TOKEN (admin), PROSUM_PROJECT and PROSUM_DSN. */
void e2e_cli_env(e2e_server *s, char *out, size_t outsz);

#endif
