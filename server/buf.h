/* buf.h - growable byte buffers that carry their own ceiling. */
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
/* Hand the memory to the caller (who frees it with free()); the buffer is empty after. */
char *buf_detach(buf *b, size_t *len);

#endif
