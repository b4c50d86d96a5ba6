/* strbuf.c - growable NUL-terminated buffers with a ceiling. */
#include "lib/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prosum.h"

void strbuf_init(strbuf *sb, size_t max)
{
	sb->ptr = NULL;
	sb->len = 0;
	sb->cap = 0;
	sb->max = max;
}

static int grow(strbuf *sb, size_t extra)
{
	size_t want, cap;
	char *p;

	if (extra > sb->max || sb->len > sb->max - extra)
		return PROSUM_ETOOBIG;
	want = sb->len + extra + 1;
	if (want <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 64;
	while (cap < want)
		cap = cap > ((size_t)-1) / 2 ? want : cap * 2;
	if (cap > sb->max + 1)
		cap = sb->max + 1;
	p = realloc(sb->ptr, cap);
	if (!p)
		return PROSUM_ENOMEM;
	sb->ptr = p;
	sb->cap = cap;
	return 0;
}

int strbuf_add(strbuf *sb, const void *data, size_t len)
{
	int rc = grow(sb, len);

	if (rc)
		return rc;
	if (len)
		memcpy(sb->ptr + sb->len, data, len);
	sb->len += len;
	sb->ptr[sb->len] = '\0';
	return 0;
}

int strbuf_adds(strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int strbuf_printf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return PROSUM_ERROR;
	rc = grow(sb, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(sb->ptr + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return 0;
}

char *strbuf_detach(strbuf *sb)
{
	char *p = sb->ptr;

	if (!p)
		p = calloc(1, 1);
	sb->ptr = NULL;
	sb->len = 0;
	sb->cap = 0;
	return p;
}

void strbuf_reset(strbuf *sb)
{
	sb->len = 0;
	if (sb->ptr)
		sb->ptr[0] = '\0';
}

void strbuf_free(strbuf *sb)
{
	if (!sb)
		return;
	free(sb->ptr);
	sb->ptr = NULL;
	sb->len = 0;
	sb->cap = 0;
}
