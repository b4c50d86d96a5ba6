/* health_distinct.h - distinct installs counted exactly in one pass: installs interned, (owner,
 * install) pairs remembered with whether they crashed. */
#ifndef PROSUM_HEALTH_DISTINCT_H
#define PROSUM_HEALTH_DISTINCT_H

#include <stdint.h>

/*
 * The health answer counts an install once per build, per release and in all, however many
 * rows (environments, cohorts, builds) it has: one pass over the rows feeds each row's install
 * to the owners it counts for. An owner is any number the caller chooses (0: all, 1 + a
 * release's index, ...). Pure memory: no store. The set owns copies of the install names.
 */
typedef struct health_distinct health_distinct;

/* A new, empty set, or NULL without memory. */
health_distinct *health_distinct_new(void);
void health_distinct_free(health_distinct *d);

/* The id of install `did`, given on its first sight (0, 1, ...), or -1 without memory. */
int64_t health_distinct_id(health_distinct *d, const char *did);

/* Install `id` seen for `owner`, crashed or not: *installs grows by one the first time the pair
 * is seen, *crashed by one the first time it is seen crashed. 0, or -1 without memory. */
int health_distinct_add(health_distinct *d, uint32_t owner, uint32_t id, int crashed,
			int64_t *installs, int64_t *crashed_installs);

#endif
