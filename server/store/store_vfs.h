/* store_vfs.h - the default SQLite VFS with each fsync timed, for the metrics. */
#ifndef PROSUM_STORE_VFS_H
#define PROSUM_STORE_VFS_H

/* Make the timing shim SQLite's default VFS (once; later calls do nothing): connections
 * opened after it time every fsync of the database and its WAL (metrics_fsync()). 0, or -1
 * when it could not be registered (the connections then use the plain default). */
int store_vfs_timed_register(void);

#endif
