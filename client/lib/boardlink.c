/* boardlink.c - prosum_board_link(): a one-time link that signs this install in to its project's
 * board. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/client.h"
#include "lib/error.h"
#include "lib/transport.h"
#include "common/buf.h"

/* The link must be one the server's own host could have made: https://, printable, no space. */
static int link_ok(const char *u)
{
	size_t i, n = strlen(u);

	if (n < 9 || n > 2048 || strncmp(u, "https://", 8) != 0 || !strchr(u, '#'))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f)
			return 0;
	return 1;
}

int prosum_board_link(char **url_out, prosum_client *client, const char *name)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	transport_config cfg;
	transport_call call;
	transport *t = NULL;
	buf url = BUF_INIT(1024), key = BUF_INIT(256), install = BUF_INIT(128);
	const char *headers[3];
	json_t *doc = NULL, *root = NULL;
	char *body = NULL, *line = NULL;
	const char *link;
	int rc;

	if (!url_out || !client)
		return error_set(PROSUM_EINVALID, "prosum_board_link: missing argument");
	*url_out = NULL;
	if (name && (!name[0] || strlen(name) > 128))
		return error_set(PROSUM_EINVALID, "the name must be 1 to 128 bytes");
	doc = name ? json_pack("{s:s}", "name", name) : json_object();
	if (!doc)
		return error_set(PROSUM_EINVALID, "the name must be UTF-8 text");
	body = json_dumps(doc, JSON_COMPACT);
	if (!body ||
	    buf_printf(&url, "%s/api/v1/projects/%s/board-links", client->dsn.origin,
		       client->dsn.project) != BUF_OK ||
	    buf_printf(&key, "X-Prosum-Key: %s", client->dsn.key) != BUF_OK ||
	    buf_printf(&install, "X-Prosum-Install: %s", client->install_id) != BUF_OK) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	headers[0] = key.p;
	headers[1] = install.p;
	headers[2] = NULL;
	memset(&call, 0, sizeof(call));
	call.method = "POST";
	call.url = url.p;
	call.headers = headers;
	call.body = body;
	call.body_len = strlen(body);
	client_transport_config(client, &cfg);
	rc = transport_new(&t, &cfg);
	if (rc == 0)
		rc = transport_perform(t, &ans, &call);
	if (rc)
		goto out;
	if (ans.status != 201 && ans.status != 200) {
		line = transport_error_line(&ans);
		if (ans.status == 429 || ans.status == 503)
			rc = error_set(PROSUM_EBUSY, "server busy: %s", line ? line : "");
		else if (ans.status == 401 || ans.status == 403 || ans.status == 404)
			rc =
			    error_set(PROSUM_EAUTH, "server refused the DSN: %s", line ? line : "");
		else
			rc = error_set(PROSUM_EHTTP, "server refused: %s", line ? line : "");
		goto out;
	}
	root = json_loadb(ans.body.p ? ans.body.p : "", ans.body.len, 0, NULL);
	link = json_string_value(json_object_get(root, "url"));
	if (!link || !link_ok(link)) {
		rc = error_set(PROSUM_EPROTOCOL, "the server answered %ld without an https link",
			       ans.status);
		goto out;
	}
	*url_out = strdup(link);
	if (!*url_out)
		rc = error_set(PROSUM_ENOMEM, "out of memory");
out:
	free(line);
	free(body);
	json_decref(doc);
	json_decref(root);
	transport_answer_free(&ans);
	transport_free(t);
	buf_free(&url);
	buf_free(&key);
	buf_free(&install);
	return rc;
}
