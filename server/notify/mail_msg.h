/* mail_msg.h - an e-mail message: headers (RFC 5322, RFC 2047 subjects, RFC 8058 unsubscribe) and a plain text + HTML body. */
#ifndef PROSUM_MAIL_MSG_H
#define PROSUM_MAIL_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/mail_addr.h"

/* One piece of news in a mail; every string borrowed, detail/url/unsub_url may be NULL. */
typedef struct mail_entry {
	const char *project;   /* the project's name */
	const char *line;      /* "Your bug R-12 is fixed in 1.4.0-beta.3" */
	const char *detail;    /* the group's title, a comment's text */
	const char *url;       /* where to read more */
	const char *unsub_url; /* stops news of this kind */
} mail_entry;

/* A whole mail; every string borrowed. */
typedef struct mail_msg {
	const char *from;      /* as the operator wrote it: "prosum <noreply@example.com>" */
	const char *to;        /* one address (mail_address_ok) */
	const char *unsub_url; /* List-Unsubscribe: stops every mail to this person */
	const char *msg_id;    /* random, the part before '@' of the Message-ID */
	int64_t now;           /* unix seconds, for Date */
	const mail_entry *items;
	size_t n;
} mail_msg;

/* The bare address of "Name <addr>" or "addr" into out (size outlen): 0, or -1 when it is not one. */
int mail_address_of(const char *from, char *out, size_t outlen);

/* The subject of a mail of these items: UTF-8, control characters removed, cut near
 * 200 bytes on a character boundary). */
int mail_subject(buf *out, const mail_entry *items, size_t n);
/* A header value as RFC 2047 encoded words ("=?UTF-8?B?...?=", folded) when it holds
 * non-ASCII bytes or is long; as it is otherwise. */
int mail_header_encode(buf *out, const char *text);
/* Text as HTML text: & < > " ' escaped. */
int mail_html_escape(buf *out, const char *s);
/* The whole message (CRLF line ends) into out. 0, or -1 (out of memory or too large). */
int mail_msg_build(buf *out, const mail_msg *m);

#endif
