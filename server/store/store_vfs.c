/* store_vfs.c - the default SQLite VFS with each fsync timed, for the metrics. */
#include "store/store_vfs.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>

#include "metrics/metrics.h"

/*
 * A shim over the default VFS that changes one thing: a file it opens gets a
 * copy of its I/O methods whose xSync times the real one. The file itself is
 * the real VFS's (same size, same fields), so every other method works on it
 * unchanged. The copies are made at open time under a mutex, a handful in all
 * (one per kind of file method table), and never freed.
 */
typedef struct timed_methods {
	sqlite3_io_methods m; /* first: a file's pMethods points here */
	const sqlite3_io_methods *orig;
} timed_methods;

#define TIMED_TABLES 8

static timed_methods tables[TIMED_TABLES];
static int ntables;
static pthread_mutex_t tables_lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite3_vfs shim;
static sqlite3_vfs *real;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int registered_rc = SQLITE_ERROR;

static int timed_sync(sqlite3_file *f, int flags)
{
	const timed_methods *t = (const timed_methods *)f->pMethods;
	uint64_t t0 = metrics_now_us();
	int rc = t->orig->xSync(f, flags);

	metrics_fsync(metrics_now_us() - t0);
	return rc;
}

static const sqlite3_io_methods *timed_table(const sqlite3_io_methods *orig)
{
	const sqlite3_io_methods *out = orig;
	int i;

	pthread_mutex_lock(&tables_lock);
	for (i = 0; i < ntables; i++)
		if (tables[i].orig == orig)
			break;
	if (i == ntables && ntables < TIMED_TABLES) {
		tables[i].m = *orig;
		tables[i].m.xSync = timed_sync;
		tables[i].orig = orig;
		ntables++;
	}
	if (i < ntables)
		out = &tables[i].m;
	pthread_mutex_unlock(&tables_lock);
	return out;
}

static int timed_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
		      int *out_flags)
{
	int rc = real->xOpen(real, name, f, flags, out_flags);

	(void)vfs;
	if (rc == SQLITE_OK && f->pMethods && f->pMethods->xSync)
		f->pMethods = timed_table(f->pMethods);
	return rc;
}

static void register_once(void)
{
	real = sqlite3_vfs_find(NULL);
	if (!real)
		return;
	shim = *real;
	shim.pNext = NULL;
	shim.zName = "prosum-timed";
	shim.xOpen = timed_open;
	registered_rc = sqlite3_vfs_register(&shim, 1);
}

int store_vfs_timed_register(void)
{
	pthread_once(&once, register_once);
	return registered_rc == SQLITE_OK ? 0 : -1;
}
