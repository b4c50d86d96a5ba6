/* attach.c - attachment files stored by SHA-256 under DATA/attachments, and attachment names. */
#include "store/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "metrics/metrics.h"

#define FALLBACK_TYPE "application/octet-stream"

/* ---- names, hashes and types ---- */

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_tchar(unsigned char c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

int attach_name_ok(const char *name, size_t len)
{
	if (!name || len == 0 || len > ATTACH_NAME_MAX)
		return 0;
	/* A leading '.' hides a file and makes "." and ".." possible; leading or
	 * trailing spaces make names that look the same but differ. */
	if (name[0] == '.' || name[0] == ' ' || name[len - 1] == ' ')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!is_alnum(c) && c != '.' && c != '_' && c != ' ' && c != '-')
			return 0;
		if (c == '.' && i + 1 < len && name[i + 1] == '.')
			return 0;
	}
	return 1;
}

int attach_hex_ok(const char *hex, size_t len)
{
	if (!hex || len != ATTACH_HEX_LEN)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return 0;
	}
	return 1;
}

int attach_sniff_type(char out[ATTACH_TYPE_MAX], const char *declared, size_t len)
{
	size_t b = 0, e, slash, i;

	if (!declared)
		goto fallback;
	/* The media type is what comes before any parameter, OWS trimmed. */
	e = 0;
	while (e < len && declared[e] != ';')
		e++;
	while (b < e && (declared[b] == ' ' || declared[b] == '\t'))
		b++;
	while (e > b && (declared[e - 1] == ' ' || declared[e - 1] == '\t'))
		e--;
	if (e - b >= ATTACH_TYPE_MAX)
		goto fallback;
	slash = b;
	while (slash < e && is_tchar((unsigned char)declared[slash]))
		slash++;
	if (slash == b || slash == e || declared[slash] != '/')
		goto fallback;
	for (i = slash + 1; i < e; i++) {
		if (!is_tchar((unsigned char)declared[i]))
			goto fallback;
	}
	if (i == slash + 1)
		goto fallback;
	for (i = b; i < e; i++)
		out[i - b] = (char)lower((unsigned char)declared[i]);
	out[e - b] = '\0';
	return 1;
fallback:
	memcpy(out, FALLBACK_TYPE, sizeof(FALLBACK_TYPE));
	return 0;
}

const char *attach_served_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} safe[] = {
	    {"txt", "text/plain; charset=utf-8"},
	    {"log", "text/plain; charset=utf-8"},
	    {"json", "application/json"},
	    {"png", "image/png"},
	    {"jpg", "image/jpeg"},
	    {"jpeg", "image/jpeg"},
	    {"gif", "image/gif"},
	    {"webp", "image/webp"},
	    {"pdf", "application/pdf"},
	};
	const char *dot = name ? strrchr(name, '.') : NULL;

	if (!dot || dot == name)
		return FALLBACK_TYPE;
	for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++) {
		size_t n = strlen(safe[i].ext), j;
		if (strlen(dot + 1) != n)
			continue;
		for (j = 0;
		     j < n && lower((unsigned char)dot[1 + j]) == (unsigned char)safe[i].ext[j];
		     j++)
			;
		if (j == n)
			return safe[i].type;
	}
	return FALLBACK_TYPE;
}

const char *attach_image_type(const void *data, size_t len)
{
	const unsigned char *p = data;

	if (!p)
		return NULL;
	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	return NULL;
}

const char *attach_served_type_of(const char *name, const void *data, size_t len)
{
	const char *type = attach_served_type(name), *real;

	if (strncmp(type, "image/", 6) != 0)
		return type;
	real = attach_image_type(data, len);
	return real ? real : FALLBACK_TYPE;
}

/* ---- files ---- */

static int make_path(char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Format a path; -1 when it does not fit. */
static int make_path(char *out, size_t outsz, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, outsz, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

static void to_hex(const unsigned char digest[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < 32; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 0xf];
	}
	hex[64] = '\0';
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* An attachment's fsync, counted in the metrics with the database's. */
static int timed_fsync(int fd)
{
	uint64_t t0 = metrics_now_us();
	int rc = fsync(fd);

	metrics_fsync(metrics_now_us() - t0);
	return rc;
}

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc, saved;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/*
 * Move tmp to final unless final exists. Returns 1 when moved, 0 when final
 * existed (a concurrent store of the same bytes won), -1 on error. A file
 * system without RENAME_NOREPLACE gets a plain rename: it can only replace
 * the same bytes.
 */
static int move_into_place(const char *tmp, const char *final, int replace)
{
	if (!replace) {
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
			return 1;
		if (errno == EEXIST)
			return 0;
		if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return -1;
	}
	return rename(tmp, final) == 0 ? 1 : -1;
}

int attach_store(const char *dir, const void *data, size_t len, char sha256_hex[65], int *created)
{
	char sub[PATH_MAX], final[PATH_MAX], tmp[PATH_MAX];
	unsigned char digest[32];
	int fd = -1, have_tmp = 0, made_sub = 0, replace = 0, moved, rc, saved;
	struct stat st;

	*created = 0;
	sha256_hex[0] = '\0';
	if (mbedtls_sha256_ret(len ? data : (const void *)"", len, digest, 0) != 0) {
		errno = EINVAL;
		rc = ATTACH_EIO;
		goto out;
	}
	to_hex(digest, sha256_hex);
	if (make_path(sub, sizeof(sub), "%s/%.2s", dir, sha256_hex) ||
	    make_path(final, sizeof(final), "%s/%.2s/%s", dir, sha256_hex, sha256_hex + 2) ||
	    make_path(tmp, sizeof(tmp), "%s/%.2s/.tmp-XXXXXX", dir, sha256_hex)) {
		errno = ENAMETOOLONG;
		rc = ATTACH_EINVAL;
		goto out;
	}
	rc = ATTACH_EIO;
	if (mkdir(sub, 0700) == 0)
		made_sub = 1;
	else if (errno != EEXIST)
		goto out;

	if (lstat(final, &st) == 0) {
		if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size == (uintmax_t)len) {
			/* Stored already. Its writer may still be between its rename
			 * and its fsync of the subdirectory: fsync it here too, so the
			 * caller may commit (cheap when nothing is pending). */
			if (fsync_dir(sub) < 0)
				goto out;
			rc = 0;
			goto out;
		}
		replace = 1; /* a damaged file (or something else) under our name */
	} else if (errno != ENOENT) {
		goto out;
	}

	fd = mkostemp(tmp, O_CLOEXEC); /* O_CREAT | O_EXCL, mode 0600 */
	if (fd < 0)
		goto out;
	have_tmp = 1;
	if (write_all(fd, data, len) < 0 || timed_fsync(fd) < 0)
		goto out;
	if (close(fd) < 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	moved = move_into_place(tmp, final, replace);
	if (moved < 0)
		goto out;
	if (moved)
		have_tmp = 0;
	/* The top directory is fsynced only by the call that made the
	 * subdirectory. Trade-off: a concurrent call that found the subdirectory
	 * just made may return before that fsync; this can only happen on the
	 * first store into each of the 256 subdirectories. */
	if (fsync_dir(sub) < 0 || (made_sub && fsync_dir(dir) < 0))
		goto out;
	*created = moved;
	rc = 0;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (have_tmp)
		unlink(tmp);
	errno = saved;
	return rc;
}

int attach_open(const char *dir, const char *sha256_hex, int *fd, size_t *size)
{
	char path[PATH_MAX];
	struct stat st;
	int rc, saved;

	*fd = -1;
	*size = 0;
	if (!sha256_hex || !attach_hex_ok(sha256_hex, strnlen(sha256_hex, ATTACH_HEX_LEN + 1)))
		return ATTACH_EINVAL;
	if (make_path(path, sizeof(path), "%s/%.2s/%s", dir, sha256_hex, sha256_hex + 2)) {
		errno = ENAMETOOLONG;
		return ATTACH_EINVAL;
	}
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (*fd < 0)
		return errno == ENOENT ? ATTACH_ENOTFOUND : ATTACH_EIO;
	rc = ATTACH_EIO;
	if (fstat(*fd, &st) < 0)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto out;
	}
	if ((uintmax_t)st.st_size > SIZE_MAX) {
		errno = EFBIG;
		goto out;
	}
	*size = (size_t)st.st_size;
	rc = 0;
out:
	if (rc) {
		saved = errno;
		close(*fd);
		*fd = -1;
		errno = saved;
	}
	return rc;
}

int attach_remove(const char *dir, const char *sha256_hex)
{
	char path[PATH_MAX];

	if (!sha256_hex || !attach_hex_ok(sha256_hex, strnlen(sha256_hex, ATTACH_HEX_LEN + 1)))
		return ATTACH_EINVAL;
	if (make_path(path, sizeof(path), "%s/%.2s/%s", dir, sha256_hex, sha256_hex + 2)) {
		errno = ENAMETOOLONG;
		return ATTACH_EINVAL;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return ATTACH_EIO;
	return 0;
}
