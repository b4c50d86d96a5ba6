/* cli_api.h - the prosum command's calls to the HTTP API, with a token or with a DSN's ingest key.
 */
#ifndef PROSUM_CLIENT_CLI_API_H
#define PROSUM_CLIENT_CLI_API_H

#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "lib/prosum_tool.h"
#include "prosum.h"

/* One conversation with the server. Initialise with cli_api_open_*(); release with cli_api_close().
 */
typedef struct cli_api {
	transport *t;
	buf base;          /* https://HOST:PORT/api/v1/projects/PROJECT */
	const char *token; /* Authorization: Bearer; NULL with an ingest key */
	char key_header[PROSUM_MAX_KEY + 32];
	char install_header[96];
	const char *headers[3]; /* the two above when set, NULL-terminated */
	long timeout_ms;        /* each request; also the budget for waiting on Retry-After */
} cli_api;

/*
 * For the commands that need a token: --server (else the DSN's server, and
 * then its project unless --project says), --token, --project (else
 * "demo"), --cacert, --pin, --timeout. 0 or an exit status (message printed);
 * cli_api_close() is safe either way.
 */
int cli_api_open_token(cli_api *x, const cli_args *a);

/*
 * For the tester's commands: the DSN's server, project and ingest key;
 * `install_id` (may be NULL) goes along as X-Prosum-Install. 0 or an exit
 * status (message printed); cli_api_close() is safe either way.
 */
int cli_api_open_dsn(cli_api *x, const cli_args *a, const char *install_id);
/*
 * The API with the DSN's key, speaking for this install: the install id is
 * the one libprosum keeps for the spool (PROSUM_SPOOL or the state directory).
 * The caller closes *client (prosum_close()) and x. cli_tester.c
 */
int cli_open_install(cli_api *x, prosum_client **client, const cli_args *a);

void cli_api_close(cli_api *x);

/*
 * METHOD base + path, with `body` (NULL: none) as JSON. A 429 or 503 with
 * Retry-After is tried again after the wait while the timeout allows. On a
 * 2xx: 0, with *root the parsed answer when root is not NULL (the caller
 * decrefs it). Else an exit status, with one line on stderr: the method, the
 * URL and the server's status, code, message and field.
 */
int cli_api_call(cli_api *x, transport_answer *ans, json_t **root, const char *method,
		 const char *path, const json_t *body);

/* cli_api_call() of a GET, except that a 404 fails without a word (ans->status says it). */
int cli_api_get_quiet_404(cli_api *x, transport_answer *ans, json_t **root, const char *path);

/*
 * cli_api_call(), except that a 403 or a 404 fails without a word, for the
 * caller to say what it means (ans->status and ans->body say which).
 */
int cli_api_call_quiet(cli_api *x, transport_answer *ans, json_t **root, const char *method,
		       const char *path, const json_t *body);

/*
 * GET base + path and write a 2xx body to `out` as it arrives, byte for
 * byte, in constant memory. 0, or an exit status with the reason printed;
 * but a 404 fails without a word (ans->status says it).
 */
int cli_api_download(cli_api *x, transport_answer *ans, const char *path, FILE *out);

/* GET base + path and copy a 2xx body to stdout as it arrives. 0 or an exit status. */
int cli_api_stream(cli_api *x, const char *path);

/* The body of an answer as it came (for --json), ending with a newline. */
void cli_api_print_raw(const transport_answer *ans);

/* Append "?name=value" or "&name=value" (escaped) to q when value is not NULL. 0 or -1. */
int cli_api_param(buf *q, const char *name, const char *value);

#endif
