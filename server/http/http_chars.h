/* http_chars.h - ASCII character classes shared by the HTTP parser and body decoders (private). */
#ifndef PROSUM_HTTP_CHARS_H
#define PROSUM_HTTP_CHARS_H

#include <string.h>

/* ASCII only, never the locale. */

static inline int is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A byte allowed in a field value: visible ASCII, SP, HTAB and obs-text. */
static inline int is_field_byte(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static inline int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
