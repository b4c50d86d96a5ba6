/* unit_fixture.h - unit test fixtures several test files share: temporary directories and shell
 * commands run in a directory (repositories made with the git command). No product code. */
#ifndef PROSUM_TEST_UNIT_FIXTURE_H
#define PROSUM_TEST_UNIT_FIXTURE_H

#include <stddef.h>

/*
 * Make a fresh directory "/tmp/prosum-TAG-XXXXXX" (mode 0700) and write its
 * path into dir (the caller's buffer). 0, or -1 when it does not fit or mkdtemp fails.
 */
int unit_tmpdir(char *dir, size_t dirsz, const char *tag);
/* Remove dir and everything below it (links are not followed). Only a path under
 * "/tmp/prosum-" is touched. 0, or -1 when something could not be removed. */
int unit_rmtree(const char *dir);
/* A test's temporary directory, for fixtures that need nothing else. */
typedef struct unit_dir {
	char dir[64];
} unit_dir;
/* cmocka setup: *state = a new unit_dir (the caller's teardown frees it with
 * unit_dir_teardown()) whose directory is fresh. 0 or -1. */
int unit_dir_setup(void **state);
/* cmocka teardown: remove the directory of *state and free it. 0. */
int unit_dir_teardown(void **state);

/*
 * Run `cd DIR && CMD` with sh (CMD made from fmt). The first line of its
 * stdout, without the newline, goes into out (out may be NULL: the output
 * is read and dropped). 0 when the command exits 0, -1 otherwise.
 */
int unit_sh(const char *dir, char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
