/* schema.h - the SQL migrations of schema/, compiled in by CMake. */
#ifndef PROSUM_SCHEMA_H
#define PROSUM_SCHEMA_H

typedef struct schema_migration {
	const char *name; /* file name, "0001_init.sql" */
	const char *sql;
} schema_migration;

/* In file-name order, ending with {NULL, NULL}. Migration i brings user_version to i + 1. */
extern const schema_migration schema_migrations[];

#endif
