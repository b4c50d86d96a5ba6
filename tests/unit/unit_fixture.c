/* unit_fixture.c - unit test fixtures several test files share (see unit_fixture.h). */
#define _XOPEN_SOURCE 700
#include "unit_fixture.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int unit_tmpdir(char *dir, size_t dirsz, const char *tag)
{
	int n = snprintf(dir, dirsz, "/tmp/prosum-%s-XXXXXX", tag);

	if (n < 0 || (size_t)n >= dirsz || !mkdtemp(dir)) {
		if (dirsz)
			dir[0] = '\0';
		return -1;
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int unit_rmtree(const char *dir)
{
	if (!dir || strncmp(dir, "/tmp/prosum-", 12) != 0)
		return -1;
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int unit_dir_setup(void **state)
{
	unit_dir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	if (unit_tmpdir(d->dir, sizeof(d->dir), "unit") < 0) {
		free(d);
		return -1;
	}
	*state = d;
	return 0;
}

int unit_dir_teardown(void **state)
{
	unit_dir *d = *state;

	unit_rmtree(d->dir);
	free(d);
	return 0;
}

int unit_sh(const char *dir, char *out, size_t outsz, const char *fmt, ...)
{
	char cmd[8192], sink[256];
	int n = snprintf(cmd, sizeof(cmd), "cd '%s' && ", dir);
	va_list ap;
	FILE *p;
	size_t len;

	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	if (out && outsz)
		out[0] = '\0';
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out && outsz && fgets(out, (int)outsz, p)) {
		len = strlen(out);
		if (len > 0 && out[len - 1] == '\n')
			out[len - 1] = '\0';
	}
	while (fread(sink, 1, sizeof(sink), p) > 0)
		;
	return pclose(p) == 0 ? 0 : -1;
}
