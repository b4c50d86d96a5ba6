/* unit_store.c - the unit tests' store fixture (see unit_store.h). */
#include "unit_store.h"

#include <stdio.h>

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
