/* news_client.c - prosum_news(): this install's news (its bugs fixed, its suggestions shipped,
 * the team's replies) since the last call. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/rfc3339.h"
#include "lib/client.h"
#include "lib/error.h"
#include "lib/transport.h"

/* The error of a refused answer, by its status. */
static int refused(const transport_answer *ans)
{
	char *line = transport_error_line(ans);
	int rc;

	if (ans->status == 429 || ans->status == 503)
		rc = error_set(PROSUM_EBUSY, "server busy: %s", line ? line : "");
	else if (ans->status == 401 || ans->status == 403 || ans->status == 404)
		rc = error_set(PROSUM_EAUTH, "server refused the DSN: %s", line ? line : "");
	else
		rc = error_set(PROSUM_EHTTP, "server refused: %s", line ? line : "");
	free(line);
	return rc;
}

/* A copy of v's string `key`, or NULL when there is none; *bad set when the copy failed. */
static char *dup_field(json_t *v, const char *key, int *bad)
{
	const char *s = json_string_value(json_object_get(v, key));
	char *c;

	if (!s)
		return NULL;
	c = strdup(s);
	if (!c)
		*bad = 1;
	return c;
}

/* The items of the answer into *list (allocated); 0 or an error. */
static int take_items(json_t *root, prosum_news_list **out)
{
	json_t *items = json_object_get(root, "items"), *v;
	prosum_news_list *l;
	size_t i, n;
	int bad = 0;

	if (!json_is_array(items) || !json_is_integer(json_object_get(root, "cursor")))
		return error_set(PROSUM_EPROTOCOL, "the server's news has no items or cursor");
	n = json_array_size(items);
	l = calloc(1, sizeof(*l));
	if (!l || (n && !(l->items = calloc(n, sizeof(*l->items))))) {
		free(l);
		return error_set(PROSUM_ENOMEM, "out of memory");
	}
	l->more = json_is_true(json_object_get(root, "more"));
	json_array_foreach(items, i, v)
	{
		prosum_news_item *it = &l->items[l->count];
		int64_t t = 0;

		it->id = dup_field(v, "id", &bad);
		it->kind = dup_field(v, "kind", &bad);
		it->text = dup_field(v, "text", &bad);
		it->item = dup_field(v, "report", &bad);
		if (!it->item)
			it->item = dup_field(v, "suggestion", &bad);
		it->group = dup_field(v, "group", &bad);
		it->release = dup_field(v, "release", &bad);
		it->title = dup_field(v, "title", &bad);
		it->body = dup_field(v, "body", &bad);
		if (json_string_value(json_object_get(v, "time")) &&
		    rfc3339_parse(json_string_value(json_object_get(v, "time")), &t) == 0)
			it->time = t;
		l->count++;
		if (!bad && (!it->id || !it->kind || !it->text || !it->item)) {
			prosum_news_free(l);
			return error_set(PROSUM_EPROTOCOL, "a news item without id, kind, text or item");
		}
	}
	if (bad) {
		prosum_news_free(l);
		return error_set(PROSUM_ENOMEM, "out of memory");
	}
	*out = l;
	return 0;
}

/* One request to the project's news API, with the key and the install. */
static int news_call(prosum_client *client, const char *method, const char *tail,
		     const char *body, transport_answer *ans)
{
	transport_config cfg;
	transport_call call;
	transport *t = NULL;
	buf url = BUF_INIT(1024), key = BUF_INIT(256), install = BUF_INIT(128);
	const char *headers[3];
	int rc;

	if (buf_printf(&url, "%s/api/v1/projects/%s/news%s", client->dsn.origin,
		       client->dsn.project, tail) != BUF_OK ||
	    buf_printf(&key, "X-Prosum-Key: %s", client->dsn.key) != BUF_OK ||
	    buf_printf(&install, "X-Prosum-Install: %s", client->install_id) != BUF_OK) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	headers[0] = key.p;
	headers[1] = install.p;
	headers[2] = NULL;
	memset(&call, 0, sizeof(call));
	call.method = method;
	call.url = url.p;
	call.headers = headers;
	call.body = body;
	call.body_len = body ? strlen(body) : 0;
	client_transport_config(client, &cfg);
	rc = transport_new(&t, &cfg);
	if (rc == 0)
		rc = transport_perform(t, ans, &call);
	if (rc == 0 && ans->status != 200)
		rc = refused(ans);
out:
	transport_free(t);
	buf_free(&url);
	buf_free(&key);
	buf_free(&install);
	return rc;
}

int prosum_news(prosum_news_list **news_out, prosum_client *client)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT, seen = TRANSPORT_ANSWER_INIT;
	json_t *root = NULL;
	char body[64];
	int rc;

	if (!news_out || !client)
		return error_set(PROSUM_EINVALID, "prosum_news: missing argument");
	*news_out = NULL;
	rc = news_call(client, "GET", "", NULL, &ans);
	if (rc)
		goto out;
	root = json_loadb(ans.body.p ? ans.body.p : "", ans.body.len, 0, NULL);
	rc = take_items(root, news_out);
	if (rc)
		goto out;
	/* Seen once it is in the caller's hands. When this fails the news comes again next
	 * time: better twice than never. */
	snprintf(body, sizeof(body), "{\"cursor\":%lld}",
		 (long long)json_integer_value(json_object_get(root, "cursor")));
	(void)news_call(client, "POST", "/seen", body, &seen);
out:
	json_decref(root);
	transport_answer_free(&ans);
	transport_answer_free(&seen);
	return rc;
}

void prosum_news_free(prosum_news_list *news)
{
	size_t i;

	if (!news)
		return;
	for (i = 0; i < news->count; i++) {
		prosum_news_item *it = &news->items[i];

		free(it->id);
		free(it->kind);
		free(it->text);
		free(it->item);
		free(it->group);
		free(it->release);
		free(it->title);
		free(it->body);
	}
	free(news->items);
	free(news);
}
