/* buf.h - growable byte buffers that carry their own ceiling, for prosumd, libprosum and the prosum
 * command. */
#ifndef PROSUM_BUF_H
#define PROSUM_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A buffer owns `p` (heap, may be NULL while empty). Every append checks the
 * ceiling `max` fixed at buf_init(); past it the append fails with
 * BUF_TOO_LARGE and the buffer is left as it was. The content is always kept
 * NUL-terminated (the NUL is not counted in `len`) so text can be handed to
 * C APIs, but wire data must still be treated by length.
 */
typedef struct buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
} buf;

/* An empty buffer with the ceiling `ceiling`, as buf_init() makes it: buf b = BUF_INIT(1024); */
#define BUF_INIT(ceiling)                                                                          \
	{                                                                                          \
		.p = NULL, .len = 0, .cap = 0, .max = (ceiling)                                    \
	}

#define BUF_OK 0
#define BUF_NOMEM -1
#define BUF_TOO_LARGE -2

/* Set up an empty buffer that may grow to `max` bytes. Allocates nothing. */
void buf_init(buf *b, size_t max);
/* Release the memory; the buffer is empty and reusable afterwards. NULL is fine. */
void buf_free(buf *b);
/* Forget the content but keep the memory for reuse. */
void buf_reset(buf *b);
/* Make room for `extra` more bytes. */
int buf_reserve(buf *b, size_t extra);
int buf_append(buf *b, const void *data, size_t len);
int buf_puts(buf *b, const char *s);
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Drop the first `n` bytes (n <= len), moving the rest to the front. */
void buf_consume(buf *b, size_t n);
/* Hand the memory to the caller (who frees it with free()); the buffer is empty after.
 * NULL when nothing was ever appended. */
char *buf_detach(buf *b, size_t *len);
/* The same as a C string that is never NULL but out of memory: "" for an empty buffer. */
char *buf_detach_str(buf *b);

#endif
