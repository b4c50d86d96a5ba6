/* cli_api.c - the prosum command's calls to the HTTP API, with a token or with a DSN's ingest key.
 */
#include "cli/cli_api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/prosum_tool.h"

/* With no timeout (--timeout 0), how long Retry-After answers may hold a command up. */
#define CLI_MAX_WAIT_MS (5L * 60L * 1000L)

static int open_transport(cli_api *x, const cli_args *a)
{
	transport_config cfg;
	long timeout;
	int rc = cli_timeout(a, &timeout);

	if (rc)
		return rc;
	if (a->pin && strncmp(a->pin, "sha256//", 8) != 0)
		return cli_usage_error("--pin takes sha256//BASE64, not \"%s\"", a->pin);
	x->timeout_ms = timeout;
	cfg.ca_file = a->cacert;
	cfg.pinned_pubkey = a->pin;
	cfg.connect_timeout_ms = PROSUM_DEFAULT_CONNECT_TIMEOUT_MS;
	cfg.timeout_ms = timeout;
	cfg.cancel = NULL;
	if (transport_new(&x->t, &cfg) != 0)
		return cli_fail("%s", prosum_error_last());
	return 0;
}

/* base = ORIGIN/api/v1/projects/PROJECT, the project escaped. */
static int set_base(cli_api *x, const char *origin, size_t origin_len, const char *project)
{
	char *esc = transport_escape(project);
	int rc;

	if (!esc)
		return cli_fail("out of memory");
	rc = buf_printf(&x->base, "%.*s/api/v1/projects/%s", (int)origin_len, origin, esc);
	free(esc);
	return rc ? cli_fail("the server URL is too long") : 0;
}

int cli_api_open_token(cli_api *x, const cli_args *a)
{
	const char *server = a->server, *project = a->project;
	size_t n;
	dsn d;

	memset(x, 0, sizeof(*x));
	buf_init(&x->base, 4096);
	/* Without --server, the DSN names the server and the project. */
	if (!server && a->dsn) {
		if (dsn_parse(&d, a->dsn) != 0)
			return cli_usage_error("%s", prosum_error_last());
		server = d.origin;
		if (!project)
			project = d.project;
	}
	if (!server)
		return cli_usage_error("no server: give --server or set PROSUM_SERVER");
	if (strncmp(server, "https://", 8) != 0)
		return cli_usage_error("--server must be an https:// URL, not \"%s\"", server);
	if (!a->token)
		return cli_usage_error("no token: give --token or set PROSUM_TOKEN");
	if (!project)
		project = "demo";
	n = strlen(server);
	while (n > 8 && server[n - 1] == '/')
		n--;
	x->token = a->token;
	if (set_base(x, server, n, project) != 0)
		return CLI_EXIT_FAIL;
	return open_transport(x, a);
}

int cli_api_open_dsn(cli_api *x, const cli_args *a, const char *install_id)
{
	size_t h = 0;
	dsn d;

	memset(x, 0, sizeof(*x));
	buf_init(&x->base, 4096);
	if (!a->dsn)
		return cli_usage_error("no DSN: give --dsn or set PROSUM_DSN");
	if (dsn_parse(&d, a->dsn) != 0)
		return cli_usage_error("%s", prosum_error_last());
	if (set_base(x, d.origin, strlen(d.origin), d.project) != 0)
		return CLI_EXIT_FAIL;
	/* The key travels in a header, never in a URL that an error message could show. */
	snprintf(x->key_header, sizeof(x->key_header), "X-Prosum-Key: %s", d.key);
	x->headers[h++] = x->key_header;
	if (install_id) {
		snprintf(x->install_header, sizeof(x->install_header), "X-Prosum-Install: %s",
			 install_id);
		x->headers[h++] = x->install_header;
	}
	x->headers[h] = NULL;
	return open_transport(x, a);
}

void cli_api_close(cli_api *x)
{
	transport_free(x->t);
	x->t = NULL;
	buf_free(&x->base);
}

static int write_out(const char *data, size_t len, void *arg)
{
	return fwrite(data, 1, len, (FILE *)arg) == len ? 0 : -1;
}

/* Sleep `ms` milliseconds, whatever signals arrive. */
static void pause_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* For call()'s quiet_404: a 403 too fails without a word. */
#define QUIET_403 2

/*
 * The one request of every command. `sink`: NULL keeps the answer in ans,
 * else a 2xx body is written there as it arrives. With `quiet_404`, a 404 is
 * returned as CLI_EXIT_FAIL without a word, for the caller to say what is
 * missing.
 */
static int call(cli_api *x, transport_answer *ans, json_t **root, const char *method,
		const char *path, const json_t *body, FILE *sink, int quiet_404)
{
	buf url = BUF_INIT(8192);
	transport_call c;
	char *doc = NULL, *line;
	uint64_t start = util_now_ms();
	json_error_t jerr;
	int rc = 0, err;

	if (root)
		*root = NULL;
	memset(&c, 0, sizeof(c));
	if (buf_printf(&url, "%s%s", x->base.p, path) != 0) {
		rc = cli_fail("the request URL is too long");
		goto out;
	}
	if (body) {
		doc = json_dumps(body, JSON_COMPACT);
		if (!doc) {
			rc = cli_fail("out of memory");
			goto out;
		}
	}
	c.method = method;
	c.url = url.p;
	c.token = x->token;
	c.headers = x->headers[0] ? x->headers : NULL;
	c.body = doc;
	c.body_len = doc ? strlen(doc) : 0;
	if (sink) {
		c.stream = write_out;
		c.stream_arg = sink;
	}
	for (;;) {
		uint64_t spent;
		err = transport_perform(x->t, ans, &c);
		if (err != 0) {
			rc = cli_transport_fail(NULL);
			goto out;
		}
		if ((ans->status != 429 && ans->status != 503) || ans->retry_after < 0)
			break;
		/* The server is pacing us: wait as asked when the timeout leaves room for it. */
		spent = util_now_ms() - start;
		if (spent + (uint64_t)ans->retry_after * 1000u >=
		    (uint64_t)(x->timeout_ms > 0 ? x->timeout_ms : CLI_MAX_WAIT_MS))
			break;
		pause_ms(ans->retry_after > 0 ? ans->retry_after * 1000L : 200L);
	}
	if (quiet_404 && (ans->status == 404 || (quiet_404 == QUIET_403 && ans->status == 403))) {
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	if (ans->status < 200 || ans->status > 299) {
		line = transport_error_line(ans);
		rc = cli_fail("%s %s: %s", method, url.p, line ? line : "error");
		free(line);
		goto out;
	}
	if (root && !sink) {
		*root = json_loadb(ans->body.p, ans->body.len, 0, &jerr);
		if (!*root)
			rc = cli_fail("%s %s: the answer is not JSON: line %d, column %d: %s",
				      method, url.p, jerr.line, jerr.column, jerr.text);
	}
out:
	free(doc);
	buf_free(&url);
	return rc;
}

int cli_api_call(cli_api *x, transport_answer *ans, json_t **root, const char *method,
		 const char *path, const json_t *body)
{
	return call(x, ans, root, method, path, body, NULL, 0);
}

int cli_api_get_quiet_404(cli_api *x, transport_answer *ans, json_t **root, const char *path)
{
	return call(x, ans, root, "GET", path, NULL, NULL, 1);
}

int cli_api_call_quiet(cli_api *x, transport_answer *ans, json_t **root, const char *method,
		       const char *path, const json_t *body)
{
	return call(x, ans, root, method, path, body, NULL, QUIET_403);
}

int cli_api_download(cli_api *x, transport_answer *ans, const char *path, FILE *out)
{
	return call(x, ans, NULL, "GET", path, NULL, out, 1);
}

int cli_api_stream(cli_api *x, const char *path)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	int rc = call(x, &ans, NULL, "GET", path, NULL, stdout, 0);

	if (rc == 0 && fflush(stdout) != 0)
		rc = cli_fail("cannot write the output: %s", strerror(errno));
	transport_answer_free(&ans);
	return rc;
}

void cli_api_print_raw(const transport_answer *ans)
{
	fwrite(ans->body.p, 1, ans->body.len, stdout);
	if (ans->body.len && ans->body.p[ans->body.len - 1] != '\n')
		putchar('\n');
}

int cli_api_param(buf *q, const char *name, const char *value)
{
	char *esc;
	int rc;

	if (!value)
		return 0;
	esc = transport_escape(value);
	if (!esc)
		return -1;
	rc = buf_printf(q, "%s%s=%s", q->len ? "&" : "?", name, esc);
	free(esc);
	return rc ? -1 : 0;
}
