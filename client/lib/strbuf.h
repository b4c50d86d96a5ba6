/* strbuf.h - a growable byte buffer that carries its own ceiling and says "too big" past it. */
#ifndef PROSUM_CLIENT_STRBUF_H
#define PROSUM_CLIENT_STRBUF_H

#include <stddef.h>

/*
 * The bytes are always NUL-terminated (ptr is NULL until something is
 * added). `max` counts content bytes, the terminator excluded. Owned by
 * whoever holds the struct; release with strbuf_free().
 */
typedef struct strbuf {
	char *ptr;
	size_t len;
	size_t cap;
	size_t max;
} strbuf;

#define STRBUF_INIT(ceiling)                                                                       \
	{                                                                                          \
		.ptr = NULL, .len = 0, .cap = 0, .max = (ceiling)                                  \
	}

void strbuf_init(strbuf *sb, size_t max);
/* Append `len` bytes: 0, PROSUM_ETOOBIG (past max; nothing appended) or PROSUM_ENOMEM. */
int strbuf_add(strbuf *sb, const void *data, size_t len);
int strbuf_adds(strbuf *sb, const char *s);
int strbuf_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the bytes (caller frees; never NULL on success: "" for an empty buffer). The buffer is
 * emptied. */
char *strbuf_detach(strbuf *sb);
void strbuf_reset(strbuf *sb);
void strbuf_free(strbuf *sb);

#endif
