/* conn_rate.c - a request's rate-limit checks (ingest keys, sign-ins, the board), answering 429. */
#include "net/conn.h"
#include "net/conn_int.h"

#include <string.h>

#include "metrics/metrics.h"

int conn_rate_key(conn *c, const char *key)
{
	int wait = ratelimit_take(c->io->srv->per_key, key, strlen(key), loop_now(c->io->loop));

	if (wait) {
		metrics_rate_limited(METRICS_LIMIT_KEY);
		conn_reply_error_retry(c, 429, "rate_limited",
				       "too many requests with this ingest key; slow down", NULL,
				       wait);
	}
	return wait ? -1 : 0;
}

int conn_rate_signin(conn *c, const char *name)
{
	server *srv = c->io->srv;
	int64_t now = loop_now(c->io->loop);
	int wait = ratelimit_take(srv->signin_ip, c->peer, c->peer_len, now), w2 = 0;

	if (name && !wait)
		w2 = ratelimit_take(srv->signin_name, name, strlen(name), now);
	if (w2)
		ratelimit_give(srv->signin_ip, c->peer, c->peer_len, now); /* not counted twice */
	if (wait || w2) {
		metrics_rate_limited(METRICS_LIMIT_SIGNIN);
		conn_reply_error_retry(c, 429, "rate_limited",
				       "too many sign-in attempts; wait and try again", NULL,
				       wait > w2 ? wait : w2);
	}
	return wait || w2 ? -1 : 0;
}

int conn_rate_board(conn *c)
{
	int wait = ratelimit_take(c->io->srv->board_ip, c->peer, c->peer_len, loop_now(c->io->loop));

	if (wait) {
		metrics_rate_limited(METRICS_LIMIT_BOARD);
		conn_reply_error_retry(c, 429, "rate_limited",
				       "too many votes, suggestions or comments from this address; "
				       "wait and try again",
				       NULL, wait);
	}
	return wait ? -1 : 0;
}

void conn_rate_signin_ok(conn *c, const char *name)
{
	server *srv = c->io->srv;
	int64_t now = loop_now(c->io->loop);

	ratelimit_give(srv->signin_ip, c->peer, c->peer_len, now);
	if (name)
		ratelimit_give(srv->signin_name, name, strlen(name), now);
}

void conn_reply_sentry_limited(conn *c, int seconds, const char *message)
{
	c->sentry = 1; /* the back-off headers whatever path the caller serves */
	conn_reply_error_retry(c, 429, "rate_limited",
			       message ? message : "too many events; slow down", NULL,
			       seconds > 0 ? seconds : 1);
}
