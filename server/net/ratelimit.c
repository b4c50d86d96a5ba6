/* ratelimit.c - token buckets and connection counts per client address and per ingest key, shared by the I/O threads. */
#include "net/ratelimit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define SLOTS 16384 /* power of two */
#define STRIPES 64
#define PROBE 8

typedef struct slot {
	uint64_t key;   /* 0: free */
	double tokens;
	int64_t at;     /* when tokens was last refilled, ms */
	int conns;
} slot;

struct ratelimit {
	/* Changed by ratelimit_set() (a reload) while the I/O threads read them. */
	_Atomic double rate, burst;
	atomic_int max_conns;
	uint64_t seed;
	pthread_mutex_t lock[STRIPES];
	slot slots[SLOTS];
};

/* FNV-1a over a random seed: cheap, and unpredictable to a client choosing keys. */
static uint64_t hash(const ratelimit *l, const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 1469598103934665603ULL ^ l->seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 29;
	return h ? h : 1;
}

int ratelimit_new(ratelimit **out, double rate, double burst, int max_conns)
{
	ratelimit *l = calloc(1, sizeof(*l));
	int i;

	*out = NULL;
	if (!l)
		return -1;
	l->rate = rate;
	l->burst = burst < 1 ? 1 : burst;
	l->max_conns = max_conns;
	if (getrandom(&l->seed, sizeof(l->seed), 0) != (ssize_t)sizeof(l->seed))
		l->seed = (uint64_t)(uintptr_t)l;
	for (i = 0; i < STRIPES; i++)
		pthread_mutex_init(&l->lock[i], NULL);
	*out = l;
	return 0;
}

void ratelimit_set(ratelimit *l, double rate, double burst, int max_conns)
{
	atomic_store(&l->rate, rate);
	atomic_store(&l->burst, burst < 1 ? 1 : burst);
	atomic_store(&l->max_conns, max_conns);
}

void ratelimit_free(ratelimit *l)
{
	int i;

	if (!l)
		return;
	for (i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&l->lock[i]);
	free(l);
}

/* Bring a slot's tokens up to date. */
static void refill(const ratelimit *l, slot *s, int64_t now)
{
	if (now > s->at) {
		s->tokens += (double)(now - s->at) * l->rate / 1000.0;
		if (s->tokens > l->burst)
			s->tokens = l->burst;
		s->at = now;
	}
}

/*
 * The slot of `h` within its stripe's probe window (the caller holds the
 * stripe lock), taking a free or idle one when it has none. NULL when every
 * slot of the window is busy with other keys.
 */
static slot *find(ratelimit *l, uint64_t h, int64_t now)
{
	slot *idle = NULL;
	int i;

	for (i = 0; i < PROBE; i++) {
		/* Slots of one stripe are those with index % STRIPES == stripe. */
		size_t stripe = (size_t)(h % STRIPES);
		size_t row = (size_t)((h / STRIPES) + (uint64_t)i) % (SLOTS / STRIPES);
		slot *s = &l->slots[row * STRIPES + stripe];

		if (s->key == h)
			return s;
		if (!idle && s->key == 0)
			idle = s;
		if (!idle && s->conns == 0) {
			/* A full bucket with no connection holds nothing worth keeping. */
			refill(l, s, now);
			if (s->tokens >= l->burst)
				idle = s;
		}
	}
	if (idle) {
		idle->key = h;
		idle->tokens = l->burst;
		idle->at = now;
		idle->conns = 0;
	}
	return idle;
}

int ratelimit_take(ratelimit *l, const void *key, size_t len, int64_t now_ms)
{
	uint64_t h;
	pthread_mutex_t *m;
	slot *s;
	int wait = 0;
	double rate = l ? atomic_load(&l->rate) : 0;

	if (rate <= 0)
		return 0;
	h = hash(l, key, len);
	m = &l->lock[h % STRIPES];
	pthread_mutex_lock(m);
	s = find(l, h, now_ms);
	if (s) {
		refill(l, s, now_ms);
		if (s->tokens >= 1.0) {
			s->tokens -= 1.0;
		} else {
			wait = (int)((1.0 - s->tokens) / rate) + 1;
		}
	}
	pthread_mutex_unlock(m);
	return wait;
}

void ratelimit_give(ratelimit *l, const void *key, size_t len, int64_t now_ms)
{
	uint64_t h;
	pthread_mutex_t *m;
	slot *s;

	if (!l || l->rate <= 0)
		return;
	h = hash(l, key, len);
	m = &l->lock[h % STRIPES];
	pthread_mutex_lock(m);
	s = find(l, h, now_ms);
	if (s) {
		refill(l, s, now_ms);
		s->tokens = s->tokens + 1.0 > l->burst ? l->burst : s->tokens + 1.0;
	}
	pthread_mutex_unlock(m);
}

int ratelimit_conn_open(ratelimit *l, const void *key, size_t len)
{
	uint64_t h;
	pthread_mutex_t *m;
	slot *s;
	int rc = 0, max = 0;

	if (!l)
		return 0;
	max = atomic_load(&l->max_conns);
	h = hash(l, key, len);
	m = &l->lock[h % STRIPES];
	pthread_mutex_lock(m);
	s = find(l, h, 0);
	if (s) {
		if (max > 0 && s->conns >= max)
			rc = -1;
		else
			s->conns++;
	}
	pthread_mutex_unlock(m);
	return rc;
}

void ratelimit_conn_close(ratelimit *l, const void *key, size_t len)
{
	uint64_t h;
	pthread_mutex_t *m;
	int i;

	if (!l)
		return;
	h = hash(l, key, len);
	m = &l->lock[h % STRIPES];
	pthread_mutex_lock(m);
	for (i = 0; i < PROBE; i++) {
		size_t row = (size_t)((h / STRIPES) + (uint64_t)i) % (SLOTS / STRIPES);
		slot *s = &l->slots[row * STRIPES + (size_t)(h % STRIPES)];

		if (s->key == h) {
			if (s->conns > 0)
				s->conns--;
			break;
		}
	}
	pthread_mutex_unlock(m);
}
