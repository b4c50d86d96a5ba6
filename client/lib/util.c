/* util.c - randomness, UUIDs, clocks and durable file helpers of libprosum. */
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "prosum.h"

int util_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t got = 0;
	int fd = -1, rc = 0;

	while (got < len) {
		ssize_t n = getrandom(p + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	if (got == len)
		goto out;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = error_set_errno(PROSUM_EIO, errno, "no random source: /dev/urandom");
		goto out;
	}
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = error_set(PROSUM_EIO, "no random source: /dev/urandom read failed");
			goto out;
		}
		got += (size_t)n;
	}
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int util_uuid4(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	int rc = util_random(b, sizeof(b));
	size_t o = 0;

	if (rc)
		return rc;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
	return 0;
}

int util_uuid_valid(const char *s)
{
	if (!s || strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			     (c >= 'A' && c <= 'F'))) {
			return 0;
		}
	}
	return 1;
}

uint64_t util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t util_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

char *util_path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p;

	while (la > 1 && a[la - 1] == '/')
		la--;
	p = malloc(la + lb + 2);
	if (!p)
		return NULL;
	memcpy(p, a, la);
	if (la == 0 || a[la - 1] != '/')
		p[la++] = '/';
	memcpy(p + la, b, lb + 1);
	return p;
}

int util_mkdirs(const char *path, mode_t mode)
{
	char *copy = strdup(path);
	int rc = 0;

	if (!copy)
		return error_set(PROSUM_ENOMEM, "out of memory");
	for (char *p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, mode) != 0 && errno != EEXIST) {
			rc = error_set_errno(PROSUM_EIO, errno, "cannot create directory %s", copy);
			goto out;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		rc = error_set(PROSUM_EIO, "%s is not a directory", path);
out:
	free(copy);
	return rc;
}

int util_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int util_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int util_file_size(const char *path, uint64_t *out)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int rc = 0;

	if (fd < 0)
		return error_set_errno(PROSUM_EIO, errno, "cannot open %s", path);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		rc = error_set(PROSUM_EIO, "%s is not a regular file", path);
	else
		*out = (uint64_t)st.st_size;
	close(fd);
	return rc;
}

int util_read_file(char **out, size_t *len, const char *path, size_t max)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return error_set_errno(PROSUM_EIO, errno, "cannot open %s", path);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = error_set(PROSUM_EIO, "%s is not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		rc = error_set(PROSUM_ETOOBIG, "%s is larger than %zu bytes", path, max);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = error_set(PROSUM_ENOMEM, "out of memory reading %s", path);
		goto out;
	}
	/* The file may grow or shrink while read: trust what read() says, up to max. */
	for (;;) {
		ssize_t n;
		if (got == (size_t)st.st_size)
			break;
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = error_set_errno(PROSUM_EIO, errno, "cannot read %s", path);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

int util_write_atomic(const char *dir, const char *name, const void *data, size_t len,
		      int exclusive)
{
	char tmpname[64];
	char rnd[37];
	char *tmp = NULL, *dst = NULL;
	int fd = -1, rc = 0;

	if (util_uuid4(rnd) != 0)
		return PROSUM_EIO;
	snprintf(tmpname, sizeof(tmpname), ".tmp-%s", rnd);
	tmp = util_path_join(dir, tmpname);
	dst = util_path_join(dir, name);
	if (!tmp || !dst) {
		rc = error_set(PROSUM_ENOMEM, "out of memory");
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = error_set_errno(PROSUM_EIO, errno, "cannot create %s", tmp);
		goto out;
	}
	if (util_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		rc = error_set_errno(PROSUM_EIO, errno, "cannot write %s", tmp);
		goto out;
	}
	close(fd);
	fd = -1;
	if (exclusive) {
		if (link(tmp, dst) != 0) {
			if (errno == EEXIST)
				rc = PROSUM_ESTATE;
			else
				rc = error_set_errno(PROSUM_EIO, errno, "cannot create %s", dst);
			goto out;
		}
	} else if (rename(tmp, dst) != 0) {
		rc = error_set_errno(PROSUM_EIO, errno, "cannot rename %s to %s", tmp, dst);
		goto out;
	}
	if (util_fsync_dir(dir) != 0)
		rc = error_set_errno(PROSUM_EIO, errno, "cannot sync directory %s", dir);
out:
	if (fd >= 0)
		close(fd);
	if (tmp && (rc != 0 || exclusive))
		unlink(tmp);
	free(tmp);
	free(dst);
	return rc;
}

void util_sanitize(char *s)
{
	for (; s && *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
	}
}
