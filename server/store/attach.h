/* attach.h - attachment files stored by SHA-256 under DATA/attachments, and attachment names. */
#ifndef PROSUM_ATTACH_H
#define PROSUM_ATTACH_H

#include <stddef.h>

#include "perror.h"

/*
 * Layout: the file of bytes whose SHA-256 is "abcdef..." (64 lower-case hex
 * digits) is DIR/ab/cdef... (the first two digits name a subdirectory, mode
 * 0700; the file is mode 0600). The same bytes are stored once, whatever
 * their names. Only the hash ever goes into a path: attachment names are
 * checked by attach_name_ok() and kept in the database.
 *
 * A crash while storing may leave a temporary file ".tmp-*" in a
 * subdirectory; it is never mistaken for an attachment (its name is not hex)
 * and can be removed at any time by a sweep.
 *
 * These functions do blocking file I/O (attach_store() fsyncs): call them
 * off the event loop. They hold no state and are safe from several threads
 * at once, on the same bytes too.
 */

#define ATTACH_NAME_MAX 128 /* bytes of an attachment name */
#define ATTACH_HEX_LEN 64   /* hex digits of a SHA-256 */
#define ATTACH_TYPE_MAX 128 /* a recorded content type with its NUL */

/* The attachment store's names of the server's PE_* codes (perror.h). */
#define ATTACH_OK PE_OK
#define ATTACH_EINVAL PE_INVAL       /* a bad argument: hex not 64 lower-case digits, path too long */
#define ATTACH_ENOTFOUND PE_NOTFOUND /* attach_open(): no such attachment */
#define ATTACH_EIO PE_IO             /* a system call failed: errno says which way */

/*
 * Is name[0..len) a safe attachment name, as given (nothing is rewritten)?
 * 1..ATTACH_NAME_MAX bytes of [A-Za-z0-9._ -], not starting with '.' or a
 * space, not ending with a space, and without "..". So no '/', '\\', NUL,
 * control byte, quote or non-ASCII byte: a name can be shown to developers
 * and put in a URL path segment without escaping. Returns 1 or 0.
 */
int attach_name_ok(const char *name, size_t len);

/* Is hex[0..len) exactly ATTACH_HEX_LEN lower-case hex digits? Returns 1 or 0. */
int attach_hex_ok(const char *hex, size_t len);

/*
 * Store data[0..len) (data may be NULL when len is 0) under `dir` (a C
 * string, the attachments directory; it must exist). On success returns 0,
 * sha256_hex holds the 64 hex digits and a NUL, and *created is 1 when this
 * call wrote the file, 0 when the same bytes were stored already (nothing is
 * written then).
 * A new file is written to a temporary file in its subdirectory (O_EXCL,
 * 0600), fsynced, renamed into place without replacing a file that appeared
 * meanwhile, then the subdirectory is fsynced, and the top directory too when
 * this call created the subdirectory: when 0 is returned the file survives
 * power loss, so the report referring to it may be committed. An existing
 * file whose size is not `len` (damaged) is replaced.
 * Returns ATTACH_EIO (errno set; no temporary file is left behind) or
 * ATTACH_EINVAL (the path would be too long); sha256_hex and *created are
 * then unspecified.
 */
int attach_store(const char *dir, const void *data, size_t len, char sha256_hex[65], int *created);

/*
 * Open the attachment `sha256_hex` (a C string) under `dir` for reading.
 * Returns 0 with *fd (the caller owns it: close() it) and *size (bytes),
 * ATTACH_EINVAL when sha256_hex is not exactly 64 lower-case hex digits
 * (checked before anything touches the file system), ATTACH_ENOTFOUND, or
 * ATTACH_EIO (errno set; also when the path is not a regular file). *fd is
 * -1 on failure.
 */
int attach_open(const char *dir, const char *sha256_hex, int *fd, size_t *size);

/*
 * Remove the attachment file `sha256_hex` under `dir` (when no row refers to it any more).
 * 0 (also when there was none), ATTACH_EINVAL, or ATTACH_EIO with errno.
 */
int attach_remove(const char *dir, const char *sha256_hex);

/*
 * The content type to record for an attachment whose part declared
 * declared[0..len) (may be NULL/0 when it declared none): the declared media
 * type, lower-cased and without parameters, when it is a well-formed
 * token "/" token shorter than ATTACH_TYPE_MAX; else
 * "application/octet-stream". Writes a C string to out. Returns 1 when the
 * declared type was kept, 0 when the fallback was used.
 * The type is what the tester's build claimed; the content is not examined.
 * Whoever serves attachments must still send them as downloads
 * (Content-Disposition: attachment, X-Content-Type-Options: nosniff).
 */
int attach_sniff_type(char out[ATTACH_TYPE_MAX], const char *declared, size_t len);

/*
 * The Content-Type an attachment named `name` is served with, from its
 * extension (case-insensitive) whatever the tester's build declared: text/plain;
 * charset=utf-8 for .txt and .log, application/json, image/png, image/jpeg
 * (.jpg, .jpeg), image/gif, image/webp, application/pdf; anything else,
 * HTML and SVG included, "application/octet-stream". A static string.
 * Served still as a download (Content-Disposition: attachment, nosniff).
 */
const char *attach_served_type(const char *name);

/*
 * The picture type data[0, len) really is, by its magic number: "image/png" (the 8-byte PNG
 * signature), "image/jpeg" (FF D8 FF), "image/gif" ("GIF87a", "GIF89a") or "image/webp"
 * ("RIFF", 4 bytes, "WEBP"); NULL for anything else. A static string.
 */
const char *attach_image_type(const void *data, size_t len);

/*
 * The Content-Type an attachment is served with: attach_served_type(name), except that a
 * name saying it is a picture gets a picture type only when the bytes are one
 * (attach_image_type(), whichever picture they are), else "application/octet-stream". So a
 * browser shows inline only real PNG, JPEG, GIF and WebP pictures, never HTML or SVG. A
 * static string.
 */
const char *attach_served_type_of(const char *name, const void *data, size_t len);

#endif
