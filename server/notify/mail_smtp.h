/* mail_smtp.h - sending one message through the operator's SMTP relay with libcurl. */
#ifndef PROSUM_MAIL_SMTP_H
#define PROSUM_MAIL_SMTP_H

#include <stddef.h>

/* The relay; every string borrowed. */
typedef struct mail_smtp {
	const char *url;      /* smtp://host:port (STARTTLS when the relay offers it) or smtps:// */
	const char *from;     /* the envelope sender: a bare address */
	const char *user;     /* NULL: no authentication */
	const char *password; /* with user */
} mail_smtp;

/* Send msg (len bytes, CRLF lines) to one recipient. 0, or -1 with the reason in err. */
int mail_smtp_send(const mail_smtp *s, const char *to, const char *msg, size_t len, char *err,
		   size_t errlen);

#endif
