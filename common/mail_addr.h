/* mail_addr.h - what prosum accepts as an e-mail address (a header alone: reports, the API, the mailer and libprosum share it). */
#ifndef PROSUM_MAIL_ADDR_H
#define PROSUM_MAIL_ADDR_H

#include <string.h>

/* Is s an address we send to: local@domain, 3-254 printable ASCII characters without
 * spaces, quotes, angle brackets, parentheses, commas or semicolons, one '@' with text on
 * both sides? Deliberately narrower than RFC 5321: nothing a header or an SMTP command could
 * be bent with. */
static inline int mail_address_ok(const char *s)
{
	size_t n = strlen(s), i;
	const char *at = strchr(s, '@');

	if (n < 3 || n > 254 || !at || at == s || at[1] == '\0' || strchr(at + 1, '@'))
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || strchr("\"<>,;()[]\\", s[i]))
			return 0;
	return 1;
}

#endif
