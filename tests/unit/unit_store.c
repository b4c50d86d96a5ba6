/* unit_store.c - the unit tests' store fixture (see unit_store.h). */
#include "unit_store.h"

#include <stdio.h>
#include <stdlib.h>

#include "unit_fixture.h"

int unit_store_open(const char *dir, const char *repo, char *path, size_t pathsz, store_db **db,
		    int64_t *project)
{
	char err[256];
	int n = snprintf(path, pathsz, "%s/prosum.db", dir);

	*db = NULL;
	if (n < 0 || (size_t)n >= pathsz)
		return -1;
	if (store_db_open(db, path, STORE_WRITE, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		*db = NULL;
		return -1;
	}
	if (store_project_add(*db, "demo", repo, 1000, project) < 0) {
		fprintf(stderr, "cannot add the project demo\n");
		store_db_close(*db);
		*db = NULL;
		return -1;
	}
	return 0;
}

int unit_store_setup(void **state)
{
	unit_store *u = calloc(1, sizeof(*u));

	if (!u || unit_tmpdir(u->dir, sizeof(u->dir), "store") < 0) {
		free(u);
		return -1;
	}
	if (unit_store_open(u->dir, NULL, u->path, sizeof(u->path), &u->db, &u->project) < 0) {
		unit_rmtree(u->dir);
		free(u);
		return -1;
	}
	*state = u;
	return 0;
}

int unit_store_teardown(void **state)
{
	unit_store *u = *state;

	store_db_close(u->db);
	if (unit_rmtree(u->dir) < 0)
		return -1;
	free(u);
	return 0;
}
