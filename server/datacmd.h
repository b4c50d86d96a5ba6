/* datacmd.h - prosumd backup, restore and check: the data directory as a whole. */
#ifndef PROSUM_DATACMD_H
#define PROSUM_DATACMD_H

#include "config.h"

/* The manifest a backup writes last: a directory holding it is a complete backup. */
#define DATACMD_MANIFEST "backup.json"

/*
 * Each returns the exit status (0 done, 1 failed or problems found, 2 a usage mistake),
 * having said why on stderr; results for scripts go to stdout, one "name: value" a line.
 *
 * backup: a consistent copy of cfg's data directory into `dest`, a new (or empty) directory
 * laid out as a data directory: the database (one snapshot, taken while serve runs), the
 * attachment files it refers to (hard links on the same file system, else copies; each
 * checked against its size and SHA-256), `secret` and `tls/`, then DATACMD_MANIFEST.
 */
int datacmd_backup(const config *cfg, const char *dest);

/*
 * restore: the backup in `src` into cfg's data directory, which must not exist or be empty
 * (with `force`, a directory no prosumd serves, whose database files are replaced); then the
 * check below.
 */
int datacmd_restore(const config *cfg, const char *src, int force);

/*
 * check: PRAGMA integrity_check and foreign_key_check, every attachment file the database
 * refers to (there, of its size and SHA-256) and every file under attachments/ that no row
 * refers to (an orphan). With `repair`, which needs the data directory not served, orphans
 * are removed (each named). 0 when nothing is wrong (after the repair), 1 otherwise.
 */
int datacmd_check(const config *cfg, int repair);

#endif
