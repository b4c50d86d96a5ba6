/* news.c - a tester's news in the beta build: their bugs fixed in a release, their suggestions
 * shipped, the team's replies, since they last said they saw it. */
#include "api/news.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/apijob.h"
#include "api/params.h"
#include "api/tester.h"
#include "common/rfc3339.h"
#include "net/conn.h"
#include "store/store_news.h"

#define NEWS_PAGE 50
#define INSTALL_MAX 128
#define REPLY_TEXT_MAX 200 /* of a reply's body, in the one-line text */

typedef struct news_job {
	apijob api; /* first */
	char install[INSTALL_MAX + 1];
	int64_t cursor; /* seen: up to where */
	json_t *items;  /* get: the answer's list, borrowed by the answer once made */
	int n;
	int64_t last;
} news_job;

static void news_release(apijob *j)
{
	news_job *nj = (news_job *)j;

	json_decref(nj->items);
	apijob_dispose(j);
	free(nj);
}

/* The install X-Prosum-Install names into nj->install; -1 after answering 422. */
static int install_header(request *rq, news_job *nj)
{
	const http_header *h = http_find_header(rq->http, "x-prosum-install");

	if (!h && !rq->creds.has_key && !rq->creds.has_token)
		return 0; /* a tester's session: its own install */
	if (!h || h->value.len == 0 || h->value.len > INSTALL_MAX)
		return params_refuse(rq, 422, "invalid_request",
				     "send X-Prosum-Install: the install's id", "X-Prosum-Install");
	memcpy(nj->install, h->value.p, h->value.len);
	nj->install[h->value.len] = '\0';
	if (!tester_install_ok(nj->install))
		return params_refuse(rq, 422, "invalid_request", "1-128 printable characters",
				     "X-Prosum-Install");
	return 0;
}

static news_job *job_new(request *rq, apijob_query query)
{
	news_job *nj;

	if (rq->creds.has_key && conn_rate_key(rq->conn, rq->creds.key) < 0)
		return NULL;
	nj = calloc(1, sizeof(*nj));
	if (!nj) {
		apijob_reply_error(rq->conn, PE_NOMEM, "out of memory", NULL);
		return NULL;
	}
	if (apijob_init(&nj->api, rq, AUTH_INGEST, query, "no such project", news_release) < 0) {
		free(nj);
		return NULL;
	}
	if (install_header(rq, nj) < 0) {
		news_release(&nj->api);
		return NULL;
	}
	return nj;
}

/* A string of the event's data, or NULL. */
static const char *data_str(json_t *d, const char *k1, const char *k2)
{
	json_t *v = json_object_get(d, k1);

	if (k2)
		v = json_object_get(v, k2);
	return json_string_value(v);
}

/* One piece of news as the beta build shows it. */
static int news_item(void *ctx, const store_news_item *it)
{
	news_job *nj = ctx;
	json_t *d = json_loads(it->data, 0, NULL), *o = json_object();
	char text[512], ref[32], when[RFC3339_MAX], evt[40];
	const char *kind, *release = data_str(d, "release", NULL), *body = NULL;
	int bad;

	if (!d || !o) {
		json_decref(d);
		json_decref(o);
		return STORE_ERROR;
	}
	if (strcmp(it->type, "group.fixed_in_release") == 0) {
		kind = "fixed";
		snprintf(ref, sizeof(ref), "R-%lld", (long long)it->num);
		snprintf(text, sizeof(text), "Your bug %s is fixed in %s", ref,
			 release ? release : "a release");
	} else if (strcmp(it->type, "suggestion.shipped") == 0) {
		kind = "shipped";
		snprintf(ref, sizeof(ref), "S-%lld", (long long)it->num);
		snprintf(text, sizeof(text), "%s %s shipped in %s - thank you",
			 it->author ? "Your suggestion" : "The suggestion you voted for", ref,
			 release ? release : "a release");
	} else {
		kind = "reply";
		body = data_str(d, "comment", "body");
		snprintf(ref, sizeof(ref), "R-%lld", (long long)it->num);
		/* %.*s may cut a UTF-8 character: the text is cut at a character's start. */
		{
			int n = body ? (int)strlen(body) : 0;

			if (n > REPLY_TEXT_MAX) {
				n = REPLY_TEXT_MAX;
				while (n > 0 && ((unsigned char)body[n] & 0xc0) == 0x80)
					n--;
			}
			snprintf(text, sizeof(text), "The team replied on your bug %s: %.*s%s", ref,
				 n, body ? body : "", body && (size_t)n < strlen(body) ? "..." : "");
		}
	}
	snprintf(evt, sizeof(evt), "evt_%lld", (long long)it->id);
	rfc3339_format(when, it->at);
	bad = json_object_set_new(o, "id", json_string(evt)) ||
	      json_object_set_new(o, "kind", json_string(kind)) ||
	      json_object_set_new(o, "text", json_string(text)) ||
	      json_object_set_new(o, "time", json_string(when)) ||
	      json_object_set_new(o, kind[0] == 's' ? "suggestion" : "report", json_string(ref));
	if (!bad && data_str(d, "group", NULL) && kind[0] != 's')
		bad = json_object_set_new(o, "group", json_string(data_str(d, "group", NULL)));
	if (!bad && release)
		bad = json_object_set_new(o, "release", json_string(release));
	if (!bad && data_str(d, "title", NULL))
		bad = json_object_set_new(o, "title", json_string(data_str(d, "title", NULL)));
	if (!bad && body)
		bad = json_object_set_new(o, "body", json_string(body));
	if (!bad)
		bad = json_array_append_new(nj->items, o);
	else
		json_decref(o);
	json_decref(d);
	nj->n++;
	nj->last = it->id;
	return bad ? STORE_ERROR : 0;
}

static int get_query(apijob *j, store_db *db, int64_t project_id)
{
	news_job *nj = (news_job *)j;
	const char *install;
	int64_t after, top;
	int rc;

	if (tester_install(j, nj->install[0] ? nj->install : NULL, "X-Prosum-Install", &install,
			   &rc))
		return rc;
	nj->items = json_array();
	if (!nj->items)
		return STORE_ERROR;
	if (store_news_seen_get(db, project_id, install, &after) < 0 ||
	    store_news_top(db, project_id, &top) < 0)
		return STORE_ERROR;
	if (top < after)
		top = after;
	/* one more than a page: is there more after it? */
	rc = store_news_each(db, project_id, install, after, top, NEWS_PAGE + 1, news_item, nj);
	if (rc != STORE_OK)
		return STORE_ERROR;
	if (nj->n > NEWS_PAGE) { /* the extra one is left for the next page */
		json_array_remove(nj->items, NEWS_PAGE);
		top = nj->last;
	}
	j->answer = json_pack("{s:O,s:I,s:b}", "items", nj->items, "cursor", (json_int_t)top,
			      "more", nj->n > NEWS_PAGE);
	return j->answer ? STORE_OK : STORE_ERROR;
}

void news_get(request *rq)
{
	news_job *nj = job_new(rq, get_query);

	if (nj)
		apijob_submit(&nj->api, 0);
}

static int seen_query(apijob *j, store_db *db, int64_t project_id)
{
	news_job *nj = (news_job *)j;
	const char *install;
	int64_t top;
	int rc;

	if (tester_install(j, nj->install[0] ? nj->install : NULL, "X-Prosum-Install", &install,
			   &rc))
		return rc;
	if (store_news_top(db, project_id, &top) < 0)
		return STORE_ERROR;
	if (nj->cursor > top) {
		snprintf(j->reason, sizeof(j->reason), "no news up to %lld yet: send the cursor "
			 "GET .../news answered", (long long)nj->cursor);
		j->field = "cursor";
		return STORE_INVALID;
	}
	if (store_news_seen_set(db, project_id, install, nj->cursor) < 0 ||
	    store_news_seen_get(db, project_id, install, &top) < 0)
		return STORE_ERROR;
	j->answer = json_pack("{s:I}", "cursor", (json_int_t)top);
	return j->answer ? STORE_OK : STORE_ERROR;
}

void news_seen(request *rq)
{
	news_job *nj = job_new(rq, seen_query);
	json_t *doc = NULL, *v;

	if (!nj)
		return;
	if (params_json_object(rq, &doc) < 0)
		goto refused;
	v = json_object_get(doc, "cursor");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		params_refuse(rq, 422, "invalid_request",
			      "must be the cursor GET .../news answered (a whole number)", "cursor");
		goto refused;
	}
	nj->cursor = json_integer_value(v);
	json_decref(doc);
	apijob_submit(&nj->api, 1);
	return;
refused:
	json_decref(doc);
	news_release(&nj->api);
}
