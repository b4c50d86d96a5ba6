/* health_distinct.c - exact distinct installs per scope (a group of a build or a release) in one
 * pass over install rows. */
#include "model/health_distinct.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_BYTES 65536 /* the install ids are copied into blocks of this size (or one's own) */

typedef struct entry {
	uint64_t hash;     /* 0: a free slot */
	const void *scope; /* borrowed */
	const char *did;   /* in a block of the set */
	int crashed;
} entry;

typedef struct block {
	struct block *next;
	size_t used, size;
	char data[];
} block;

struct health_distinct {
	entry *slots; /* owned; a power of two of them, at most half used */
	size_t cap, used;
	block *blocks; /* owned: the copies of the install ids, newest first */
};

health_distinct *health_distinct_new(void)
{
	return calloc(1, sizeof(health_distinct));
}

void health_distinct_free(health_distinct *d)
{
	block *b;

	if (!d)
		return;
	while ((b = d->blocks) != NULL) {
		d->blocks = b->next;
		free(b);
	}
	free(d->slots);
	free(d);
}

/* A copy of did in the set's blocks, NULL without memory. */
static const char *copy_did(health_distinct *d, const char *did)
{
	size_t n = strlen(did) + 1;
	block *b = d->blocks;
	char *p;

	if (!b || b->size - b->used < n) {
		size_t size = n > BLOCK_BYTES ? n : BLOCK_BYTES;

		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->next = d->blocks;
		b->used = 0;
		b->size = size;
		d->blocks = b;
	}
	p = b->data + b->used;
	memcpy(p, did, n);
	b->used += n;
	return p;
}

/* FNV-1a of the install id, mixed with the scope; never 0 (the mark of a free slot). */
static uint64_t hash_of(const void *scope, const char *did)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)scope;

	for (; *did; did++) {
		h ^= (unsigned char)*did;
		h *= 1099511628211ULL;
	}
	h ^= h >> 29;
	return h ? h : 1;
}

/* The slot of (scope, did): its entry, or the free slot where it would go. */
static entry *slot_of(entry *slots, size_t cap, uint64_t h, const void *scope, const char *did)
{
	size_t i = (size_t)h & (cap - 1);

	while (slots[i].hash &&
	       !(slots[i].hash == h && slots[i].scope == scope && strcmp(slots[i].did, did) == 0))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* Twice as many slots (16 at first): 0, or -1 without memory. */
static int grow(health_distinct *d)
{
	size_t cap = d->cap ? d->cap * 2 : 16, i;
	entry *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	for (i = 0; i < d->cap; i++)
		if (d->slots[i].hash)
			*slot_of(slots, cap, d->slots[i].hash, d->slots[i].scope, d->slots[i].did) =
			    d->slots[i];
	free(d->slots);
	d->slots = slots;
	d->cap = cap;
	return 0;
}

int health_distinct_add(health_distinct *d, const void *scope, const char *did, int crashed,
			int *is_new, int *now_crashed)
{
	uint64_t h = hash_of(scope, did);
	entry *e;

	*is_new = 0;
	*now_crashed = 0;
	if (2 * (d->used + 1) > d->cap && grow(d) < 0)
		return -1;
	e = slot_of(d->slots, d->cap, h, scope, did);
	if (!e->hash) {
		e->did = copy_did(d, did);
		if (!e->did)
			return -1;
		e->hash = h;
		e->scope = scope;
		e->crashed = 0;
		d->used++;
		*is_new = 1;
	}
	if (crashed && !e->crashed) {
		e->crashed = 1;
		*now_crashed = 1;
	}
	return 0;
}
