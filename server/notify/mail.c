/* mail.c - the e-mail channel's thread: outbox to per-person queues, queues to digests over SMTP. */
#include "notify/mail.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/cookie.h"
#include "notify/mail_msg.h"
#include "notify/mail_smtp.h"
#include "oplog.h"
#include "store/store_mail.h"
#include "store/store_outbox.h"

#define ROUTE_BATCH 200     /* outbox events read in one transaction */
#define DIGEST_ITEMS 200    /* items in one mail at most; the rest go in the next */
#define MAX_PEOPLE 256      /* people mailed in one round */
#define TICK_SECONDS 1      /* how often the thread looks for work */
#define RETRY_MIN 30        /* seconds after a failed send, doubling... */
#define RETRY_MAX 900       /* ...up to this */

struct mail_channel {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
	store_db *db;
	char *url, *from, *from_addr, *user, *password, *public_url;
	int interval;
	int64_t retry_at, retry_wait;
};

/* One item copied out of the store for composing. */
typedef struct held_item {
	int64_t id;
	char *kind, *project, *line, *detail, *url;
	char unsub[STORE_MAIL_TOKEN_LEN + 1];
} held_item;

typedef struct held {
	held_item *v;
	size_t n;
	char address[STORE_EMAIL_MAX + 1];
	int failed;
} held;

typedef struct people {
	char *v[MAX_PEOPLE];
	size_t n;
} people;

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ---- outbox to queues ---- */

static int route_one(void *ctx, const store_outbox_row *r)
{
	mail_channel *ch = ctx;

	return mail_route(ch->db, r->id, r->project_id, r->project, r->type, r->data,
			  ch->public_url, (int64_t)time(NULL)) < 0;
}

static int last_of(void *ctx, const store_outbox_row *r)
{
	*(int64_t *)ctx = r->id;
	return 0;
}

/* Queue the news of unread events, a batch per transaction: the cursor moves with the
 * queued items, so an event is queued once even across a crash. 1 when a full batch was
 * read (more may wait), 0, or -1. */
static int route_batch(mail_channel *ch)
{
	int64_t cursor = 0, last = 0;
	int rc;

	if (store_begin(ch->db) < 0)
		return -1;
	if (store_outbox_cursor(ch->db, MAIL_CHANNEL, &cursor) < 0)
		goto fail;
	if (store_outbox_each(ch->db, cursor, ROUTE_BATCH, last_of, &last) < 0)
		goto fail;
	if (last == 0) {
		store_rollback(ch->db);
		return 0;
	}
	rc = store_outbox_each(ch->db, cursor, ROUTE_BATCH, route_one, ch);
	if (rc != 0 || store_outbox_cursor_set(ch->db, MAIL_CHANNEL, last) < 0)
		goto fail;
	if (store_commit(ch->db) < 0)
		return -1;
	return 1;
fail:
	oplog(OPLOG_ERROR, "mail_queue", "cannot queue e-mail news: %s", store_db_error(ch->db));
	store_rollback(ch->db);
	return -1;
}

/* ---- queues to mails ---- */

static int collect_person(void *ctx, const char *person)
{
	people *p = ctx;

	if (p->n == MAX_PEOPLE)
		return 1;
	p->v[p->n] = strdup(person);
	if (p->v[p->n])
		p->n++;
	return 0;
}

static int hold_item(void *ctx, const store_mail_item *it)
{
	held *h = ctx;
	held_item *x;
	held_item *v = realloc(h->v, (h->n + 1) * sizeof(*v));

	if (!v) {
		h->failed = 1;
		return 1;
	}
	h->v = v;
	x = &h->v[h->n++];
	memset(x, 0, sizeof(*x));
	x->id = it->id;
	x->kind = strdup(it->kind);
	x->project = strdup(it->project);
	x->line = strdup(it->line);
	x->detail = dup_or_null(it->detail);
	x->url = dup_or_null(it->url);
	if (!x->kind || !x->project || !x->line || (it->detail && !x->detail) ||
	    (it->url && !x->url))
		h->failed = 1;
	/* The newest address wins: the person may have changed it since. */
	snprintf(h->address, sizeof(h->address), "%s", it->address);
	return 0;
}

static void held_free(held *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].kind);
		free(h->v[i].project);
		free(h->v[i].line);
		free(h->v[i].detail);
		free(h->v[i].url);
	}
	free(h->v);
}

/* The token of person and kind, made when missing. */
static int token(mail_channel *ch, const char *person, const char *kind, char *out)
{
	uint8_t id[COOKIE_ID_LEN];
	char fresh[COOKIE_TEXT_LEN + 1];

	if (cookie_new_id(id, fresh) < 0)
		return -1;
	return store_mail_token(ch->db, person, kind, fresh, (int64_t)time(NULL), out) < 0 ? -1 : 0;
}

static void unsub_url(mail_channel *ch, const char *tok, char *out, size_t outlen)
{
	size_t n = strlen(ch->public_url);

	while (n > 0 && ch->public_url[n - 1] == '/')
		n--;
	snprintf(out, outlen, "%.*s/api/v1/mail/unsubscribe?t=%s", (int)(n < 400 ? n : 400),
		 ch->public_url, tok);
}

/* Read person's waiting items and their tokens (one transaction). 0 or -1. */
static int hold(mail_channel *ch, const char *person, held *h, char *all_tok)
{
	size_t i;

	if (store_begin(ch->db) < 0)
		return -1;
	/* A tester ("tester:PROJECT:INSTALL") is mailed only what is still news for them now,
	 * by the rule their news in the beta build follows: a comment hidden, or a fix that did
	 * not hold, while the item waited is dropped. */
	if (strncmp(person, "tester:", 7) == 0 && strchr(person + 7, ':') &&
	    store_mail_tester_prune(ch->db, person, strchr(person + 7, ':') + 1) < 0)
		goto fail;
	if (store_mail_items(ch->db, person, DIGEST_ITEMS, hold_item, h) < 0 || h->failed)
		goto fail;
	/* A tester has one kind; "all" is the same for them. */
	if (token(ch, person, strncmp(person, "tester:", 7) == 0 ? "tester" : "all", all_tok) < 0)
		goto fail;
	for (i = 0; i < h->n; i++)
		if (token(ch, person, h->v[i].kind, h->v[i].unsub) < 0)
			goto fail;
	return store_commit(ch->db) < 0 ? -1 : 0;
fail:
	store_rollback(ch->db);
	return -1;
}

/* Build and send one person's digest; 0 sent (or nothing to send), -1 to retry later. */
static int send_person(mail_channel *ch, const char *person)
{
	held h = {0};
	char all_tok[STORE_MAIL_TOKEN_LEN + 1], all_url[600], err[512];
	char (*urls)[600] = NULL;
	mail_entry *e = NULL;
	mail_msg m = {0};
	buf msg = BUF_INIT(8 << 20);
	uint8_t rid[COOKIE_ID_LEN];
	char msg_id[COOKIE_TEXT_LEN + 1];
	size_t i;
	int ret = -1;

	if (hold(ch, person, &h, all_tok) < 0) {
		oplog(OPLOG_ERROR, "mail_queue", "cannot read the e-mail queue: %s",
		      store_db_error(ch->db));
		goto out;
	}
	if (h.n == 0) {
		ret = 0;
		goto out;
	}
	e = calloc(h.n, sizeof(*e));
	urls = calloc(h.n, sizeof(*urls));
	if (!e || !urls || cookie_new_id(rid, msg_id) < 0)
		goto out;
	for (i = 0; i < h.n; i++) {
		unsub_url(ch, h.v[i].unsub, urls[i], sizeof(urls[i]));
		e[i].project = h.v[i].project;
		e[i].line = h.v[i].line;
		e[i].detail = h.v[i].detail;
		e[i].url = h.v[i].url;
		e[i].unsub_url = urls[i];
	}
	unsub_url(ch, all_tok, all_url, sizeof(all_url));
	m.from = ch->from;
	m.to = h.address;
	m.unsub_url = all_url;
	m.msg_id = msg_id;
	m.now = (int64_t)time(NULL);
	m.items = e;
	m.n = h.n;
	if (!mail_address_ok(h.address)) {
		/* Checked when given; never send to anything else. Dropped as if sent. */
		oplog(OPLOG_WARN, "mail_address", "a queued address is not one; its news dropped");
	} else if (mail_msg_build(&msg, &m) < 0) {
		/* Out of memory or past the ceiling: retrying would fail again and hold up every
		 * other person's mail. Dropped as if sent, and said. */
		oplog(OPLOG_ERROR, "mail_build", "a digest could not be built; its news dropped");
	} else {
		mail_smtp s = {ch->url, ch->from_addr, ch->user, ch->password};

		if (mail_smtp_send(&s, h.address, msg.p, msg.len, err, sizeof(err)) < 0) {
			oplog(OPLOG_WARN, "mail_send", "the SMTP relay refused or failed: %s", err);
			goto out;
		}
	}
	/* Sent: a crash before this commit sends the digest again (at least once). */
	if (store_begin(ch->db) < 0)
		goto out;
	if (store_mail_sent(ch->db, person, h.v[h.n - 1].id, m.now) < 0 ||
	    store_commit(ch->db) < 0) {
		store_rollback(ch->db);
		goto out;
	}
	ret = 0;
out:
	buf_free(&msg);
	free(e);
	free(urls);
	held_free(&h);
	return ret;
}

/* Send the digests that are due; -1 when the relay failed (retry later). */
static int send_due(mail_channel *ch)
{
	people p = {{0}, 0};
	size_t i;
	int ret = 0;

	if (store_mail_due(ch->db, (int64_t)time(NULL), ch->interval, collect_person, &p) < 0)
		return -1;
	for (i = 0; i < p.n; i++) {
		if (ret == 0 && send_person(ch, p.v[i]) < 0)
			ret = -1;
		free(p.v[i]);
	}
	return ret;
}

static int stopping(mail_channel *ch)
{
	int s;

	pthread_mutex_lock(&ch->lock);
	s = ch->stopping;
	pthread_mutex_unlock(&ch->lock);
	return s;
}

static void *mail_main(void *arg)
{
	mail_channel *ch = arg;
	struct timespec until;
	int64_t now;

	while (!stopping(ch)) {
		while (!stopping(ch) && route_batch(ch) == 1)
			;
		now = (int64_t)time(NULL);
		if (!stopping(ch) && now >= ch->retry_at) {
			if (send_due(ch) < 0) {
				ch->retry_wait = ch->retry_wait ? ch->retry_wait * 2 : RETRY_MIN;
				if (ch->retry_wait > RETRY_MAX)
					ch->retry_wait = RETRY_MAX;
				ch->retry_at = now + ch->retry_wait;
			} else {
				ch->retry_wait = 0;
			}
		}
		pthread_mutex_lock(&ch->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += TICK_SECONDS;
		if (!ch->stopping)
			pthread_cond_timedwait(&ch->wake, &ch->lock, &until);
		pthread_mutex_unlock(&ch->lock);
	}
	return NULL;
}

static void channel_free(mail_channel *ch)
{
	store_db_close(ch->db);
	free(ch->url);
	free(ch->from);
	free(ch->from_addr);
	free(ch->user);
	free(ch->password);
	free(ch->public_url);
	pthread_mutex_destroy(&ch->lock);
	pthread_cond_destroy(&ch->wake);
	free(ch);
}

/* A channel that never ran starts at the end of the outbox: turning mail on does not send
 * the news of the past. */
static int first_start(mail_channel *ch)
{
	int exists = 0;
	int64_t last = 0;

	if (store_mail_cursor_exists(ch->db, MAIL_CHANNEL, &exists) < 0)
		return -1;
	if (exists)
		return 0;
	if (store_begin(ch->db) < 0)
		return -1;
	if (store_outbox_last(ch->db, &last) < 0 ||
	    store_outbox_cursor_set(ch->db, MAIL_CHANNEL, last) < 0 || store_commit(ch->db) < 0) {
		store_rollback(ch->db);
		return -1;
	}
	return 0;
}

int mail_start(mail_channel **out, const mail_config *cfg, char *err, size_t errlen)
{
	mail_channel *ch = calloc(1, sizeof(*ch));
	char addr[STORE_EMAIL_MAX + 1];

	*out = NULL;
	if (!ch) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&ch->lock, NULL);
	pthread_cond_init(&ch->wake, NULL);
	if (mail_address_of(cfg->from, addr, sizeof(addr)) < 0) {
		snprintf(err, errlen, "--smtp-from: give an address, or \"Name <address>\"");
		goto fail;
	}
	ch->url = strdup(cfg->smtp_url);
	ch->from = strdup(cfg->from);
	ch->from_addr = strdup(addr);
	ch->user = dup_or_null(cfg->user);
	ch->password = dup_or_null(cfg->password);
	ch->public_url = strdup(cfg->public_url);
	ch->interval = cfg->interval;
	if (!ch->url || !ch->from || !ch->from_addr || !ch->public_url ||
	    (cfg->user && !ch->user) || (cfg->password && !ch->password)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (store_db_open(&ch->db, cfg->db_path, STORE_WRITE, err, errlen) < 0)
		goto fail;
	if (first_start(ch) < 0) {
		snprintf(err, errlen, "e-mail: %s", store_db_error(ch->db));
		goto fail;
	}
	if (pthread_create(&ch->thread, NULL, mail_main, ch) != 0) {
		snprintf(err, errlen, "cannot start the e-mail thread");
		goto fail;
	}
	*out = ch;
	return 0;
fail:
	channel_free(ch);
	return -1;
}

void mail_stop(mail_channel *ch)
{
	if (!ch)
		return;
	pthread_mutex_lock(&ch->lock);
	ch->stopping = 1;
	pthread_cond_signal(&ch->wake);
	pthread_mutex_unlock(&ch->lock);
	pthread_join(ch->thread, NULL);
	channel_free(ch);
}
