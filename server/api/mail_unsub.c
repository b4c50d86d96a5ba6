/* mail_unsub.c - one-click unsubscribe: the page a mail's link opens, and the POST that unsubscribes (RFC 8058). */
#include "api/mail_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "net/conn.h"
#include "notify/mail_msg.h"
#include "store/store_mail.h"

typedef struct unsub_job {
	store_job job; /* first: the store hands this pointer back */
	conn *conn;
	char token[STORE_MAIL_TOKEN_LEN + 1];
	int post;
	char what[256];
} unsub_job;

#define PAGE_HEAD                                                                             \
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><meta name=\"viewport\" "       \
	"content=\"width=device-width\"><title>prosum e-mail</title></head><body>\n"
#define PAGE_TAIL "</body></html>\n"
#define NO_STORE "Cache-Control: no-store\r\n"

static void page(conn *c, int status, const char *fmt_a, const char *what, const char *fmt_b,
		 const char *token)
{
	buf b = BUF_INIT(8192);

	if (buf_puts(&b, PAGE_HEAD) < 0 || buf_puts(&b, fmt_a) < 0 ||
	    (what && mail_html_escape(&b, what) < 0) || buf_puts(&b, fmt_b) < 0 ||
	    (token && (mail_html_escape(&b, token) < 0 ||
		       buf_puts(&b, "\"><button type=\"submit\">Unsubscribe</button></form>\n") <
			   0)) ||
	    buf_puts(&b, PAGE_TAIL) < 0) {
		conn_reply_error(c, 500, "internal_error", "out of memory", NULL);
	} else {
		conn_reply(c, status, "text/html; charset=utf-8", b.p, b.len, NO_STORE);
	}
	buf_free(&b);
}

static int unsub_run(store_job *job, store_db *db)
{
	unsub_job *uj = (unsub_job *)job;
	int rc = store_mail_token_describe(db, uj->token, uj->what, sizeof(uj->what));

	if (rc == STORE_OK && uj->post)
		rc = store_mail_unsubscribe(db, uj->token);
	return rc;
}

static void unsub_done(loop_task *t)
{
	unsub_job *uj = (unsub_job *)t;

	if (uj->job.result == STORE_NOTFOUND)
		page(uj->conn, 404,
		     "<h1>Unknown link</h1>\n<p>This unsubscribe link is not known here. "
		     "It may have been used with an address that was removed already.</p>\n",
		     NULL, "", NULL);
	else if (uj->job.result != STORE_OK)
		conn_reply_error(uj->conn, 500, "internal_error", "the store failed", NULL);
	else if (uj->post)
		page(uj->conn, 200, "<h1>Unsubscribed</h1>\n<p>You will get no more ", uj->what,
		     ".</p>\n", NULL);
	else
		page(uj->conn, 200, "<h1>Unsubscribe?</h1>\n<p>Stop ", uj->what,
		     "?</p>\n<form method=\"post\" action=\"/api/v1/mail/unsubscribe?t=",
		     uj->token);
	free(uj);
}

/* Is the token as we make them: 43 base64url characters? */
static int token_ok(const char *t)
{
	size_t i;

	if (strlen(t) != STORE_MAIL_TOKEN_LEN)
		return 0;
	for (i = 0; t[i]; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '-' || t[i] == '_'))
			return 0;
	return 1;
}

static void start(request *rq, int post)
{
	unsub_job *uj = calloc(1, sizeof(*uj));

	if (!uj) {
		conn_reply_error(rq->conn, 500, "internal_error", "out of memory", NULL);
		return;
	}
	if (http_query_param(rq->http->query, "t", uj->token, sizeof(uj->token)) < 0 ||
	    !token_ok(uj->token)) {
		free(uj);
		page(rq->conn, 404,
		     "<h1>Unknown link</h1>\n<p>This unsubscribe link is incomplete: open it as the "
		     "mail gave it.</p>\n",
		     NULL, "", NULL);
		return;
	}
	uj->conn = rq->conn;
	uj->post = post;
	uj->job.run = unsub_run;
	uj->job.task.fn = unsub_done;
	uj->job.write = post;
	if (conn_submit(rq->conn, &uj->job) < 0)
		free(uj);
}

void mail_api_unsubscribe_page(request *rq)
{
	start(rq, 0);
}

void mail_api_unsubscribe(request *rq)
{
	/* The body is "List-Unsubscribe=One-Click" from a mail client, or the page's empty form:
	 * either way the token in the URL is what counts (RFC 8058 section 3.2). */
	start(rq, 1);
}
