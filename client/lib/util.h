/* util.h - small helpers of libprosum: randomness, UUIDs, time, files and paths. */
#ifndef PROSUM_CLIENT_UTIL_H
#define PROSUM_CLIENT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Fill `buf` from the kernel's random source (getrandom, else /dev/urandom). 0 or PROSUM_EIO. */
int util_random(void *buf, size_t len);

/* A fresh version 4 UUID, lower-case "8-4-4-4-12". 0 or PROSUM_EIO. */
int util_uuid4(char out[37]);

/* 1 when `s` is a lower- or upper-case hex "8-4-4-4-12" UUID, else 0. */
int util_uuid_valid(const char *s);

/* Milliseconds on the monotonic clock. */
uint64_t util_now_ms(void);

/* Nanoseconds since the epoch (wall clock). */
uint64_t util_wall_ns(void);

/* "a/b" (no doubled '/'). Caller frees; NULL when out of memory. */
char *util_path_join(const char *a, const char *b);

/* mkdir -p with `mode` for the directories it makes. 0 or PROSUM_EIO (error set). */
int util_mkdirs(const char *path, mode_t mode);

/* Write all `len` bytes to `fd`, retrying on EINTR and short writes. 0 or -1 (errno). */
int util_write_all(int fd, const void *data, size_t len);

/* fsync a directory so a rename in it is durable. 0 or -1 (errno). */
int util_fsync_dir(const char *dir);

/* Size of the regular file at `path`, which must be readable. 0 or PROSUM_EIO (error set). */
int util_file_size(const char *path, uint64_t *out);

/*
 * Read a whole regular file of at most `max` bytes. *out is NUL-terminated
 * and owned by the caller (free()). 0, PROSUM_EIO, PROSUM_ETOOBIG or
 * PROSUM_ENOMEM, with the reason set.
 */
int util_read_file(char **out, size_t *len, const char *path, size_t max);

/*
 * Write `len` bytes as `dir`/`name` atomically and durably: a temporary file
 * in `dir` (mode 0600), fsync, rename, fsync of `dir`. With `exclusive`, an
 * existing `name` is kept and PROSUM_ESTATE returned (link instead of rename).
 * 0, PROSUM_EIO or PROSUM_ESTATE.
 */
int util_write_atomic(const char *dir, const char *name, const void *data, size_t len,
		      int exclusive);

/* Replace control characters (and DEL) of `s` with spaces, in place. */
void util_sanitize(char *s);

#endif
