/* tls_write.c - key and certificate files written whole: created exclusively, synced. */
#include "net/tls_cert_int.h"
#include "net/tls_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tls_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* fsync the directory holding path so that the new name survives a crash; best effort. */
void tls_sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t len;
	int fd;

	if (!slash) {
		dir[0] = '.';
		dir[1] = '\0';
	} else {
		len = slash == path ? 1 : (size_t)(slash - path);
		if (len >= sizeof(dir))
			return;
		memcpy(dir, path, len);
		dir[len] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

/* Creates path (never replacing anything), writes data and syncs it. Removes it on failure. */
int tls_write_new_file(const char *path, const unsigned char *data, size_t len, mode_t mode,
		       char *err, size_t errlen)
{
	size_t off = 0;
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		if (errno == EEXIST)
			tls_set_err(err, errlen, "tls: %s already exists; not overwriting it", path);
		else
			tls_set_err(err, errlen, "tls: cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto io_fail;
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto io_fail;
	rc = 0;
	goto out;

io_fail:
	tls_set_err(err, errlen, "tls: cannot write %s: %s", path, strerror(errno));
out:
	if (close(fd) != 0 && rc == 0) {
		tls_set_err(err, errlen, "tls: cannot write %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(path);
	else
		tls_sync_parent(path);
	return rc;
}
