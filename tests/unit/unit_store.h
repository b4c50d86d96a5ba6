/* unit_store.h - the unit tests' store fixture: a database in a test directory, migrated, with
 * a "demo" project. Linked into the tests that build the store (store/). */
#ifndef PROSUM_TEST_UNIT_STORE_H
#define PROSUM_TEST_UNIT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/*
 * Open DIR/prosum.db for writing (made and migrated when new; its path into
 * path) into *db and add the project "demo", linked to `repo` (may be NULL),
 * its id into *project. The caller owns *db: close with store_db_close().
 * 0, or -1 (the error printed to stderr, *db closed and NULL).
 */
int unit_store_open(const char *dir, const char *repo, char *path, size_t pathsz, store_db **db,
		    int64_t *project);

/* The store fixture: a test directory holding prosum.db, open for writing, with "demo". */
typedef struct unit_store {
	char dir[64];
	char path[128]; /* dir/prosum.db */
	store_db *db;
	int64_t project; /* "demo", with no repository */
} unit_store;
/* cmocka setup: *state = a new unit_store (free it with unit_store_teardown()). 0 or -1. */
int unit_store_setup(void **state);
/* cmocka teardown: close the database, remove the directory, free *state. 0, or -1 when the
 * directory could not be removed. */
int unit_store_teardown(void **state);

#endif
