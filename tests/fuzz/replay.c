/* replay.c - runs a fuzz harness over the files of the directories given, without libFuzzer. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/*
 * Each input is read into a heap block of exactly its size, as libFuzzer
 * does, so that AddressSanitizer sees a read one byte past the end. A file
 * that cannot be read is a failure: a corpus that silently shrinks to
 * nothing would make the test pass while checking nothing.
 */
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *data = NULL;
	size_t size;
	int rc = -1;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) < 0 || st.st_size < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		goto out;
	}
	size = (size_t)st.st_size;
	data = malloc(size ? size : 1);
	if (!data) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto out;
	}
	if (size && fread(data, 1, size, f) != size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		goto out;
	}
	/* The harness gets no pointer past the data: a zero-size input is an empty block. */
	LLVMFuzzerTestOneInput(data, size);
	rc = 0;
out:
	free(data);
	fclose(f);
	return rc;
}

/* Replay every regular file of `dir`, in name order; returns how many, or -1. */
static long run_dir(const char *dir)
{
	struct dirent **names = NULL;
	long count = 0;
	int n, i;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		int len;

		if (count >= 0 && names[i]->d_name[0] != '.') {
			len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			if (len < 0 || (size_t)len >= sizeof(path)) {
				fprintf(stderr, "replay: %s/%s: path too long\n", dir,
					names[i]->d_name);
				count = -1;
			} else if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				if (run_file(path) < 0)
					count = -1;
				else
					count++;
			}
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char **argv)
{
	long total = 0, n;
	struct stat st;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			n = run_dir(argv[i]);
		} else {
			n = run_file(argv[i]) < 0 ? -1 : 1;
		}
		if (n < 0)
			return 1;
		if (n == 0) {
			fprintf(stderr, "replay: %s: no inputs\n", argv[i]);
			return 1;
		}
		total += n;
	}
	printf("replay: %ld inputs, no broken promise\n", total);
	return 0;
}
