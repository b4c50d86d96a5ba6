/* health_distinct.h - exact distinct installs per scope (a group of a build or a release) in one
 * pass over install rows. */
#ifndef PROSUM_HEALTH_DISTINCT_H
#define PROSUM_HEALTH_DISTINCT_H

/*
 * A set of (scope, install) pairs, each with whether the install crashed in that scope. A scope
 * is any pointer the caller keeps stable while the set lives (the answer uses a group's name);
 * the set copies the install ids. Pure memory, no store: the health answer feeds it the rows of
 * health_installs and counts an install once per scope however many rows it has there
 * (environments, cohorts, platforms).
 */
typedef struct health_distinct health_distinct;

/* A new empty set, NULL without memory; freed with health_distinct_free(). */
health_distinct *health_distinct_new(void);
void health_distinct_free(health_distinct *d);

/*
 * Note that install `did` has a row in `scope`, crashed or not. *is_new: 1 when it is the
 * install's first row in that scope; *now_crashed: 1 when the install had not crashed in that
 * scope before and does in this row. 0, or -1 without memory (the set is unchanged).
 */
int health_distinct_add(health_distinct *d, const void *scope, const char *did, int crashed,
			int *is_new, int *now_crashed);

#endif
