/* health_distinct.c - distinct installs counted exactly in one pass: installs interned, (owner,
 * install) pairs remembered with whether they crashed. */
#include "model/health_distinct.h"

#include <stdlib.h>
#include <string.h>

/* Open addressing, linear probing, at most half full. */
struct health_distinct {
	/* installs: names back to back in `names` (each '\0'-ended), at offsets `at`;
	 * `islot` holds id + 1 (0: empty). */
	char *names;
	size_t nnames, capnames;
	size_t *at;
	uint32_t n, capat;
	uint32_t *islot;
	size_t icap; /* a power of two */
	/* pairs: key owner << 32 | id; state 0 empty, 1 seen, 2 seen crashed */
	uint64_t *pkey;
	unsigned char *pstate;
	size_t pcap, pn;
};

static uint64_t hash_str(const char *s, size_t *len)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		h ^= *p++;
		h *= 1099511628211ULL;
	}
	*len = (size_t)(p - (const unsigned char *)s);
	return h ^ (h >> 29);
}

static uint64_t hash_key(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

health_distinct *health_distinct_new(void)
{
	health_distinct *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->icap = 1024;
	d->pcap = 4096;
	d->islot = calloc(d->icap, sizeof(*d->islot));
	d->pkey = malloc(d->pcap * sizeof(*d->pkey));
	d->pstate = calloc(d->pcap, 1);
	if (!d->islot || !d->pkey || !d->pstate) {
		health_distinct_free(d);
		return NULL;
	}
	return d;
}

void health_distinct_free(health_distinct *d)
{
	if (!d)
		return;
	free(d->names);
	free(d->at);
	free(d->islot);
	free(d->pkey);
	free(d->pstate);
	free(d);
}

/* Twice the install slots, every id placed again. 0, or -1 without memory. */
static int ids_grow(health_distinct *d)
{
	size_t cap = d->icap * 2, i;
	uint32_t *slot = calloc(cap, sizeof(*slot));

	if (!slot)
		return -1;
	for (i = 0; i < d->n; i++) {
		size_t len, j = (size_t)hash_str(d->names + d->at[i], &len) & (cap - 1);

		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = (uint32_t)i + 1;
	}
	free(d->islot);
	d->islot = slot;
	d->icap = cap;
	return 0;
}

int64_t health_distinct_id(health_distinct *d, const char *did)
{
	size_t len, j;
	uint64_t h = hash_str(did, &len);
	uint32_t id;

	for (j = (size_t)h & (d->icap - 1); d->islot[j]; j = (j + 1) & (d->icap - 1)) {
		id = d->islot[j] - 1;
		if (strcmp(d->names + d->at[id], did) == 0)
			return id;
	}
	if (d->n == UINT32_MAX - 1)
		return -1;
	if (d->nnames + len + 1 > d->capnames) {
		size_t cap = d->capnames ? d->capnames * 2 : 16384;
		char *nv;

		while (cap < d->nnames + len + 1)
			cap *= 2;
		if (!(nv = realloc(d->names, cap)))
			return -1;
		d->names = nv;
		d->capnames = cap;
	}
	if (d->n == d->capat) {
		uint32_t cap = d->capat ? d->capat * 2 : 1024;
		size_t *nv = realloc(d->at, cap * sizeof(*nv));

		if (!nv)
			return -1;
		d->at = nv;
		d->capat = cap;
	}
	memcpy(d->names + d->nnames, did, len + 1);
	d->at[d->n] = d->nnames;
	d->nnames += len + 1;
	id = d->n++;
	d->islot[j] = id + 1;
	if ((size_t)d->n * 2 > d->icap && ids_grow(d) < 0)
		return -1;
	return id;
}

/* Twice the pair slots, every pair placed again. 0, or -1 without memory. */
static int pairs_grow(health_distinct *d)
{
	size_t cap = d->pcap * 2, i, j;
	uint64_t *key = malloc(cap * sizeof(*key));
	unsigned char *state = calloc(cap, 1);

	if (!key || !state) {
		free(key);
		free(state);
		return -1;
	}
	for (i = 0; i < d->pcap; i++) {
		if (!d->pstate[i])
			continue;
		for (j = (size_t)hash_key(d->pkey[i]) & (cap - 1); state[j];
		     j = (j + 1) & (cap - 1))
			;
		key[j] = d->pkey[i];
		state[j] = d->pstate[i];
	}
	free(d->pkey);
	free(d->pstate);
	d->pkey = key;
	d->pstate = state;
	d->pcap = cap;
	return 0;
}

int health_distinct_add(health_distinct *d, uint32_t owner, uint32_t id, int crashed,
			int64_t *installs, int64_t *crashed_installs)
{
	uint64_t key = (uint64_t)owner << 32 | id;
	size_t j;

	for (j = (size_t)hash_key(key) & (d->pcap - 1); d->pstate[j]; j = (j + 1) & (d->pcap - 1))
		if (d->pkey[j] == key)
			break;
	if (!d->pstate[j]) {
		d->pkey[j] = key;
		d->pstate[j] = 1;
		d->pn++;
		(*installs)++;
	}
	if (crashed && d->pstate[j] == 1) {
		d->pstate[j] = 2;
		(*crashed_installs)++;
	}
	if (d->pn * 2 > d->pcap)
		return pairs_grow(d);
	return 0;
}
