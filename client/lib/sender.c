/* sender.c - the background sender: spool files oldest first, backoff, Retry-After. */
#include "lib/sender.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/client.h"
#include "lib/error.h"
#include "common/buf.h"
#include "lib/util.h"

struct sender {
	prosum_client *c;
	transport *t; /* used by the thread, or by sender_flush() without one */
	pthread_t thread;
	int has_thread;
	pthread_mutex_t lock;        /* everything below */
	pthread_cond_t cond;         /* CLOCK_MONOTONIC; wakes the thread and flush waiters */
	pthread_mutex_t inline_lock; /* serialises flushes done without the thread */
	int stop;
	int kick_submit;    /* a report was queued */
	int kick_flush;     /* a flush wants a pass now, despite the backoff */
	int first;          /* no pass yet: deliver what earlier runs left */
	uint64_t flush_gen; /* flushes asked for */
	uint64_t done_gen;  /* flush_gen when the latest pass that emptied the spool began */
	uint64_t fail_gen;  /* flush_gen when the latest failed pass began */
	int fail_code;
	int fail_untrusted; /* the failure was the server's certificate (error_set_untrusted()) */
	char fail_msg[512];
	uint64_t flush_deadline; /* monotonic ms of the latest flush's deadline */
	int backing_off;
	unsigned int attempts;  /* failed passes in a row */
	uint64_t backoff_until; /* monotonic ms */
	/* monotonic ms the server asked to wait until; 0: none (without the thread: inline_lock) */
	uint64_t retry_at;
};

int sender_classify(long status)
{
	if (status >= 200 && status <= 299)
		return SENDER_DONE;
	/*
	 * 401, 403 and 404 speak of the key or the project, not of the report:
	 * every report would get them until the configuration is fixed, so
	 * they are kept. 408 and 429 are the server's condition.
	 */
	if (status == 401 || status == 403 || status == 404 || status == 408 || status == 429)
		return SENDER_RETRY;
	if (status >= 400 && status <= 499)
		return SENDER_DONE;
	return SENDER_RETRY;
}

unsigned int sender_backoff_ms(unsigned int attempt, uint32_t random)
{
	uint64_t d = PROSUM_BACKOFF_BASE_MS;

	for (unsigned int i = 1; i < attempt && d < PROSUM_BACKOFF_MAX_MS; i++)
		d *= 2;
	if (d > PROSUM_BACKOFF_MAX_MS)
		d = PROSUM_BACKOFF_MAX_MS;
	/* "Equal jitter": half fixed, half random, so clients that failed together spread out. */
	return (unsigned int)(d / 2 + random % (d / 2 + 1));
}

/* Wait on the condition until the monotonic deadline (UINT64_MAX: no deadline). */
static void wait_until(sender *s, uint64_t deadline)
{
	struct timespec ts;

	if (deadline == UINT64_MAX) {
		pthread_cond_wait(&s->cond, &s->lock);
		return;
	}
	ts.tv_sec = (time_t)(deadline / 1000);
	ts.tv_nsec = (long)(deadline % 1000) * 1000000L;
	pthread_cond_timedwait(&s->cond, &s->lock, &ts);
}

typedef struct attempt {
	int code;         /* PROSUM_E* of a failure to retry */
	long retry_after; /* seconds, -1: none */
	size_t done;      /* spool files gone during the pass */
} attempt;

/* Count a failed attempt in the entry's .state, keeping the thread's last error as it was. */
static void note_failure(prosum_client *c, const char *name, int code)
{
	char why[1024];

	snprintf(why, sizeof(why), "%s", prosum_error_last());
	spool_note_failure(c->spool, name, why);
	error_set(code, "%s", why);
}

/* Tell the application, from the delivering thread. */
static void notify(prosum_client *c, const prosum_result *res)
{
	if (c->on_delivery)
		c->on_delivery(res, c->on_delivery_payload);
}

/*
 * POST a queued suggestion, or POST/DELETE a queued vote, with the DSN's
 * ingest key and this install's id. The suggestion's entry is the request
 * body as it is; a vote's entry is {"uuid","suggestion","withdraw",
 * "install_id","name"}, of which install_id and name are sent.
 * Same returns as transport_perform().
 */
static int post_community(sender *s, transport_answer *ans, const char *kind, const envelope *p,
			  char suggestion[32])
{
	prosum_client *c = s->c;
	buf url = BUF_INIT(2048);
	char key[PROSUM_MAX_KEY + 32], install[96];
	const char *headers[3] = {key, install, NULL};
	transport_call call;
	json_t *doc = NULL, *body = NULL;
	char *text = NULL;
	int rc;

	memset(&call, 0, sizeof(call));
	snprintf(key, sizeof(key), "X-Prosum-Key: %s", c->dsn.key);
	snprintf(install, sizeof(install), "X-Prosum-Install: %s", c->install_id);
	call.method = "POST";
	call.headers = headers;
	if (strcmp(kind, SPOOL_SESSION) == 0 || strcmp(kind, SPOOL_RATING) == 0) {
		/* A session's end or a rating: the entry is the request body as it is. */
		rc = buf_printf(&url, "%s/api/v1/projects/%s/%s", c->dsn.origin, c->dsn.project,
				strcmp(kind, SPOOL_SESSION) == 0 ? "sessions" : "ratings");
		call.body = p->json;
		call.body_len = p->json_len;
	} else if (strcmp(kind, SPOOL_SUGGESTION) == 0) {
		rc = buf_printf(&url, "%s/api/v1/projects/%s/suggestions", c->dsn.origin,
				c->dsn.project);
		call.body = p->json;
		call.body_len = p->json_len;
	} else {
		const char *id, *name;
		doc = json_loadb(p->json, p->json_len, 0, NULL);
		id = json_string_value(json_object_get(doc, "suggestion"));
		name = json_string_value(json_object_get(doc, "name"));
		if (!id || strlen(id) >= 32 || strspn(id, "S-0123456789") != strlen(id)) {
			rc = error_set(PROSUM_EINVALID, "the queued vote names no suggestion");
			goto out;
		}
		memcpy(suggestion, id, strlen(id) + 1);
		if (json_is_true(json_object_get(doc, "withdraw")))
			call.method = "DELETE";
		body = json_pack("{s:s}", "install_id", c->install_id);
		if (body && name)
			json_object_set_new(body, "name", json_string(name));
		text = body ? json_dumps(body, JSON_COMPACT) : NULL;
		if (!text) {
			rc = error_set(PROSUM_ENOMEM, "out of memory");
			goto out;
		}
		call.body = text;
		call.body_len = strlen(text);
		rc = buf_printf(&url, "%s/api/v1/projects/%s/suggestions/%s/votes", c->dsn.origin,
				c->dsn.project, id);
	}
	if (rc) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	call.url = url.p;
	rc = transport_perform(s->t, ans, &call);
out:
	free(text);
	json_decref(body);
	json_decref(doc);
	buf_free(&url);
	return rc;
}

/*
 * Whether an error answer to a vote speaks of the DSN (unknown key or
 * project: keep the vote) or of the vote itself (no such suggestion: drop
 * it). The server says "no such project" for the first kind of 404.
 */
static int vote_classify(const transport_answer *ans, const prosum_result *res)
{
	if (ans->status == 404 &&
	    !(res->error_message && strcmp(res->error_message, "no such project") == 0))
		return SENDER_DONE;
	return sender_classify(ans->status);
}

/* A vote's answer: {"votes":N,"counted":true|false} (counted since prosumd 0.2). */
static void read_vote(prosum_result *res, const transport_answer *ans, const char *suggestion)
{
	json_t *root = json_loadb(ans->body.p ? ans->body.p : "", ans->body.len, 0, NULL);
	json_t *counted = json_object_get(root, "counted");

	free(res->id);
	res->id = strdup(suggestion);
	res->duplicate = 0;
	res->votes = (long)json_integer_value(json_object_get(root, "votes"));
	res->counted = json_is_boolean(counted)
			   ? (json_is_true(counted) ? PROSUM_COUNTED : PROSUM_NOT_COUNTED)
			   : 0;
	json_decref(root);
}

/* Try one spool file. SENDER_DONE when it is gone (delivered, refused, corrupt), else SENDER_RETRY.
 */
static int deliver_one(sender *s, const char *name, attempt *a)
{
	prosum_client *c = s->c;
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	prosum_result res = PROSUM_RESULT_INIT;
	const char *kind = spool_kind_of(name);
	char *line = NULL;
	char suggestion[32] = "";
	envelope p;
	int rc, out = SENDER_RETRY, verdict;

	memset(&p, 0, sizeof(p));
	rc = spool_read(c->spool, name, &p);
	if (rc == PROSUM_EINVALID) {
		/* A file that is not a spool entry will never become one. */
		spool_log(c->spool, "discarded %s: %s", name, prosum_error_last());
		spool_remove(c->spool, name);
		out = SENDER_DONE;
		goto out;
	}
	if (rc == PROSUM_EIO) {
		/* Gone: another process sharing the spool delivered it. */
		out = SENDER_DONE;
		goto out;
	}
	if (rc) {
		a->code = rc;
		goto out;
	}
	if (!kind || strcmp(kind, SPOOL_REPORT) == 0)
		rc = transport_post_report(s->t, &ans, &c->dsn, &p);
	else
		rc = post_community(s, &ans, kind, &p, suggestion);
	if (rc == PROSUM_EINVALID) {
		spool_log(c->spool, "discarded %s: %s", name, prosum_error_last());
		spool_remove(c->spool, name);
		out = SENDER_DONE;
		goto out;
	}
	if (rc) {
		a->code = rc;
		note_failure(c, name, rc);
		goto out;
	}
	rc = transport_read_result(&res, &ans);
	res.uuid = strdup(p.uuid);
	res.kind = !kind || strcmp(kind, SPOOL_REPORT) == 0 ? "report"
		   : strcmp(kind, SPOOL_SUGGESTION) == 0    ? "suggestion"
		   : strcmp(kind, SPOOL_SESSION) == 0       ? "session"
		   : strcmp(kind, SPOOL_RATING) == 0        ? "rating"
							    : "vote";
	verdict =
	    strcmp(res.kind, "vote") == 0 ? vote_classify(&ans, &res) : sender_classify(ans.status);
	if (strcmp(res.kind, "vote") == 0 && ans.status >= 200 && ans.status <= 299) {
		read_vote(&res, &ans, suggestion);
		rc = 0;
	}
	if (verdict == SENDER_RETRY) {
		a->code = rc ? rc : PROSUM_EPROTOCOL;
		a->retry_after = ans.retry_after;
		note_failure(c, name, a->code);
		goto out;
	}
	out = SENDER_DONE;
	if (ans.status >= 300) {
		line = transport_error_line(&ans);
		spool_log(c->spool, "refused %s (uuid %s): %s", name, p.uuid, line ? line : "");
		client_count(c, CLIENT_REFUSED);
	} else {
		client_count(c, CLIENT_SENT);
	}
	/* Deleted only now that the server's answer is final. */
	spool_remove(c->spool, name);
	notify(c, &res);
out:
	free(line);
	prosum_result_dispose(&res);
	transport_answer_free(&ans);
	envelope_free(&p);
	return out;
}

/*
 * Deliver every spool file, oldest first. 0 when all are gone; else the code
 * of the first failure (the rest waits: the server is down or busy), or
 * PROSUM_ETIMEOUT when the monotonic `deadline` (UINT64_MAX: none) passes.
 */
static int pass(sender *s, attempt *a, uint64_t deadline)
{
	spool_entry *list = NULL;
	size_t n = 0;
	int rc;

	a->code = 0;
	a->retry_after = -1;
	a->done = 0;
	rc = spool_list(s->c->spool, NULL, &list, &n);
	if (rc) {
		a->code = rc;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t now = util_now_ms();
		if (atomic_load(&s->c->cancel)) {
			rc = a->code =
			    error_set(PROSUM_ENETWORK, "cancelled: the client is closing");
			goto out;
		}
		if (now >= deadline) {
			rc = a->code =
			    error_set(PROSUM_ETIMEOUT,
				      "flush: %zu reports still queued at the deadline", n - i);
			goto out;
		}
		/* A transfer may not outlast the flush that asked for it. */
		if (deadline != UINT64_MAX)
			transport_set_deadline(s->t, (long)(deadline - now));
		if (deliver_one(s, list[i].name, a) == SENDER_RETRY) {
			rc = a->code;
			goto out;
		}
		a->done++;
	}
out:
	free(list);
	return rc;
}

static void *run(void *arg)
{
	sender *s = arg;
	attempt a;

	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		uint64_t now = util_now_ms(), wake = UINT64_MAX, gen;
		int go = 0, rc;

		if (!s->backing_off) {
			go = s->first || s->kick_submit || s->kick_flush;
		} else if (s->kick_flush && s->retry_at > now && s->retry_at > s->flush_deadline) {
			/* The server asked for more patience than the flush has. */
			s->kick_flush = 0;
			s->fail_gen = s->flush_gen;
			s->fail_code = PROSUM_EBUSY;
			s->fail_untrusted = 0;
			snprintf(s->fail_msg, sizeof(s->fail_msg),
				 "the server asked to wait %llu s more before sending",
				 (unsigned long long)((s->retry_at - now + 999) / 1000));
			pthread_cond_broadcast(&s->cond);
			continue;
		} else {
			/* A flush skips the backoff, never the server's Retry-After. */
			uint64_t nb =
			    s->kick_flush
				? s->retry_at
				: (s->backoff_until > s->retry_at ? s->backoff_until : s->retry_at);
			if (now >= nb)
				go = 1;
			else
				wake = nb;
		}
		if (!go) {
			wait_until(s, wake);
			continue;
		}
		s->first = 0;
		s->kick_submit = 0;
		s->kick_flush = 0;
		gen = s->flush_gen;
		pthread_mutex_unlock(&s->lock);
		rc = pass(s, &a, UINT64_MAX);
		pthread_mutex_lock(&s->lock);
		now = util_now_ms();
		if (rc == 0) {
			s->backing_off = 0;
			s->attempts = 0;
			s->retry_at = 0;
			s->done_gen = gen;
		} else {
			uint32_t r = 0;
			util_random(&r, sizeof(r));
			s->backing_off = 1;
			/*
			 * A pass that delivered something before a 429 or 503 met a
			 * server that is up and pacing us: its Retry-After says how
			 * long to wait, and the backoff for a server that is down
			 * starts over.
			 */
			if (a.done)
				s->attempts = 0;
			if (s->attempts < 64)
				s->attempts++;
			s->backoff_until = now + sender_backoff_ms(s->attempts, r);
			s->retry_at =
			    a.retry_after >= 0 ? now + (uint64_t)a.retry_after * 1000u : 0;
			s->fail_gen = gen;
			s->fail_code = rc;
			s->fail_untrusted = error_untrusted() &&
					    strcmp(error_untrusted(), prosum_error_last()) == 0;
			snprintf(s->fail_msg, sizeof(s->fail_msg), "%s", prosum_error_last());
		}
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int sender_start(sender **out, prosum_client *c)
{
	pthread_condattr_t attr;
	transport_config cfg;
	sender *s;
	int rc = 0;

	s = calloc(1, sizeof(*s));
	if (!s)
		return error_set(PROSUM_ENOMEM, "out of memory");
	s->c = c;
	s->first = 1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->inline_lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &attr);
	pthread_condattr_destroy(&attr);
	client_transport_config(c, &cfg);
	rc = transport_new(&s->t, &cfg);
	if (rc)
		goto out;
	if (!(c->flags & PROSUM_NO_SENDER)) {
		int err = pthread_create(&s->thread, NULL, run, s);
		if (err) {
			rc = error_set_errno(PROSUM_ERROR, err, "cannot start the sender thread");
			goto out;
		}
		s->has_thread = 1;
	}
	*out = s;
	s = NULL;
out:
	sender_stop(s);
	return rc;
}

void sender_stop(sender *s)
{
	if (!s)
		return;
	if (s->has_thread) {
		pthread_mutex_lock(&s->lock);
		s->stop = 1;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	transport_free(s->t);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->inline_lock);
	free(s);
}

void sender_wake(sender *s)
{
	pthread_mutex_lock(&s->lock);
	s->kick_submit = 1;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Sleep until the monotonic `until`, giving up early when the client closes. */
static int sleep_until(sender *s, uint64_t until)
{
	for (;;) {
		uint64_t now = util_now_ms(), step;
		struct timespec ts;

		if (atomic_load(&s->c->cancel))
			return error_set(PROSUM_ENETWORK, "cancelled: the client is closing");
		if (now >= until)
			return 0;
		step = until - now > 100 ? 100 : until - now;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)step * 1000000L;
		nanosleep(&ts, NULL);
	}
}

/*
 * A flush without the thread: one pass in the caller's thread, bounded by
 * the timeout. Like the thread, it never skips a Retry-After: a flush that
 * follows one waits for it when its timeout allows, else fails at once.
 */
static int flush_inline(sender *s, long timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : util_now_ms() + (uint64_t)timeout_ms;
	uint64_t now;
	attempt a;
	int rc;

	pthread_mutex_lock(&s->inline_lock);
	now = util_now_ms();
	if (s->retry_at > now) {
		if (s->retry_at > deadline) {
			rc = error_set(PROSUM_EBUSY,
				       "the server asked to wait %llu s more before sending",
				       (unsigned long long)((s->retry_at - now + 999) / 1000));
			goto out;
		}
		rc = sleep_until(s, s->retry_at);
		if (rc)
			goto out;
	}
	rc = pass(s, &a, deadline);
	s->retry_at =
	    rc && a.retry_after >= 0 ? util_now_ms() + (uint64_t)a.retry_after * 1000u : 0;
	transport_set_deadline(s->t, 0);
out:
	pthread_mutex_unlock(&s->inline_lock);
	return rc;
}

int sender_flush(sender *s, long timeout_ms)
{
	uint64_t gen, deadline;
	int rc = 0;

	if (!s->has_thread)
		return flush_inline(s, timeout_ms);
	pthread_mutex_lock(&s->lock);
	deadline = timeout_ms < 0 ? UINT64_MAX : util_now_ms() + (uint64_t)timeout_ms;
	gen = ++s->flush_gen;
	s->flush_deadline = deadline;
	s->kick_flush = 1;
	pthread_cond_broadcast(&s->cond);
	for (;;) {
		if (s->done_gen >= gen)
			break;
		if (s->fail_gen >= gen) {
			rc = s->fail_untrusted ? error_set_untrusted("%s", s->fail_msg)
					       : error_set(s->fail_code, "%s", s->fail_msg);
			break;
		}
		if (util_now_ms() >= deadline) {
			rc = error_set(PROSUM_ETIMEOUT, "flush: reports still queued after %ld ms",
				       timeout_ms);
			break;
		}
		wait_until(s, deadline);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}
