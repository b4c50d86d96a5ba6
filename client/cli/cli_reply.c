/* cli_reply.c - prosum reply: a tester answers the team under one of their own reports. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_api.h"
#include "prosum.h"
#include "common/buf.h"
#include "lib/prosum_tool.h"

/* A reply read from a file or stdin: room for far more than the server takes, so that the
 * refusal can say how long it was. */
#define REPLY_READ_MAX (64 * PROSUM_MAX_FIELD)

/* Read all of stdin into *out (malloc'd, NUL-terminated), refusing more than `max` bytes. */
static int read_stdin(char **out, size_t *len, size_t max)
{
	buf sb = BUF_INIT(max + 1);
	char chunk[4096];
	size_t n;
	int rc = 0;

	*out = NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		if (sb.len + n > max) {
			rc = cli_usage_error("the reply is longer than %d bytes", PROSUM_MAX_FIELD);
			goto out;
		}
		if (buf_append(&sb, chunk, n) != 0) {
			rc = cli_fail("out of memory");
			goto out;
		}
	}
	if (ferror(stdin)) {
		rc = cli_fail("cannot read the reply from stdin");
		goto out;
	}
	*len = sb.len;
	*out = sb.len ? buf_detach_str(&sb) : strdup("");
	if (!*out)
		rc = cli_fail("out of memory");
out:
	buf_free(&sb);
	return rc;
}

/*
 * The reply's text, from exactly one of: TEXT after the id, --body TEXT,
 * --file F, or "-" (either: stdin). Trailing newlines are dropped (what
 * `echo` and editors add). Caller frees *out. 0 or an exit status.
 */
static int reply_text(char **out, const cli_args *a)
{
	const char *path = a->file;
	char *text = NULL;
	size_t len = 0;
	int given = (a->npos > 1) + (a->body != NULL) + (a->file != NULL), rc = 0;

	*out = NULL;
	if (given == 0)
		return cli_usage_error("give the reply: TEXT after the id, --body TEXT, --file F "
				       "or - (stdin)");
	if (given > 1)
		return cli_usage_error("give the reply once: TEXT, --body, --file or -");
	if (a->npos > 1 && strcmp(a->pos[1], "-") == 0)
		path = "-";
	if (path && strcmp(path, "-") == 0) {
		rc = read_stdin(&text, &len, REPLY_READ_MAX);
	} else if (path) {
		if (util_read_file(&text, &len, path, REPLY_READ_MAX) != 0)
			rc = cli_fail("--file %s", prosum_error_last());
	} else {
		text = strdup(a->npos > 1 ? a->pos[1] : a->body);
		len = text ? strlen(text) : 0;
		if (!text)
			rc = cli_fail("out of memory");
	}
	if (rc)
		goto out;
	if (strlen(text) != len) {
		rc = cli_usage_error("the reply is not text: it holds a NUL byte");
		goto out;
	}
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	if (len == 0)
		rc = cli_usage_error("the reply is empty");
	else if (len > PROSUM_MAX_FIELD)
		rc = cli_usage_error("the reply is %zu bytes; at most %d", len, PROSUM_MAX_FIELD);
out:
	if (rc == 0)
		*out = text;
	else
		free(text);
	return rc;
}

/* The error message of a refusal, or "" (borrowed from root). */
static const char *answer_message(const json_t *root)
{
	const char *m =
	    json_string_value(json_object_get(json_object_get(root, "error"), "message"));

	return m ? m : "";
}

/*
 * prosum reply R-n TEXT: a reply to the team under one of this install's
 * reports, which the team reads with the report and the tester with `prosum
 * mine`. Sent at once, never queued: it answers what the team asked now.
 */
int cli_reply(const cli_args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	prosum_client *client = NULL;
	json_t *body = NULL, *root = NULL, *err = NULL;
	buf path = BUF_INIT(256);
	const char *id = a->pos[0];
	char *text = NULL, *line = NULL;
	cli_api x;
	int rc;

	memset(&x, 0, sizeof(x));
	if (!cli_is_id(id, 'R'))
		return cli_usage_error("reply takes a report id such as R-12, not \"%s\"", id);
	rc = reply_text(&text, a);
	if (rc)
		goto out;
	body = json_object();
	if (!body || json_object_set_new(body, "body", json_string(text)) != 0) {
		/* json_string() refuses what is not UTF-8. */
		rc = body ? cli_usage_error("the reply is not UTF-8 text")
			  : cli_fail("out of memory");
		goto out;
	}
	if (buf_printf(&path, "/reports/%s/comments", id) != 0) {
		rc = cli_fail("out of memory");
		goto out;
	}
	rc = cli_open_install(&x, &client, a);
	if (rc == 0)
		rc = cli_api_call_quiet(&x, &ans, &root, "POST", path.p, body);
	if (rc && (ans.status == 403 || ans.status == 404)) {
		err = json_loadb(ans.body.p ? ans.body.p : "", ans.body.len, 0, NULL);
		if (ans.status == 403)
			rc = cli_fail("%s was not sent from this install", id);
		else if (strncmp(answer_message(err), "no such report", 14) == 0)
			rc = cli_fail("there is no report %s", id);
		else {
			/* No such project, or a server without replies: its own words. */
			line = transport_error_line(&ans);
			rc = cli_fail("POST %s%s: %s", x.base.p, path.p, line ? line : "error");
		}
	}
	if (rc)
		goto out;
	if (a->json)
		cli_api_print_raw(&ans);
	else
		printf("replied to %s\n", id);
out:
	free(line);
	free(text);
	json_decref(err);
	json_decref(root);
	json_decref(body);
	transport_answer_free(&ans);
	buf_free(&path);
	cli_api_close(&x);
	prosum_close(client);
	return rc;
}
