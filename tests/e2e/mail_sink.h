/* mail_sink.h - the e-mail tests' mailbox: a local SMTP sink (smtp_sink.py) and people to mail. */
#ifndef PROSUM_TEST_MAIL_SINK_H
#define PROSUM_TEST_MAIL_SINK_H

#include <jansson.h>
#include <sys/types.h>

#include "fixture.h"
#include "harness.h"

/* How long a test waits for a mail at most: generous, for a loaded machine; a mail is
 * normally there within a second or two (or the digest interval for a digest). */
#define MAIL_WAIT_SECONDS 120

typedef struct mail_sink {
	char dir[300]; /* where the sink writes the mails: N.json, as smtp_sink.py says */
	pid_t pid;
	char url[64];  /* smtp://127.0.0.1:PORT, for serve's --smtp-url */
} mail_sink;

/* Start the sink (the system's python3 with python3-aiosmtpd) writing under parent/mails.
 * 0 or -1 (setup style). */
int mail_sink_start(mail_sink *k, const char *parent);
/* Stop it (when started). */
void mail_sink_stop(mail_sink *k);
/* Start the sink under s's directory, then s's prosumd mailing through it: --smtp-from
 * prosum@example.com, --public-url public_url, --mail-interval interval (seconds), and a cheap
 * sign-in work factor (test-only). 0 or -1 (setup style). */
int mail_sink_serve(mail_sink *k, e2e_server *s, const char *public_url, const char *interval);

/* Mail n (1, 2, ...) as the sink decoded it (the caller owns it), or NULL when none. */
json_t *mail_sink_mail(const mail_sink *k, int n);
/* How many mails went to `to` alone (all mails: NULL); their numbers into nums (up to 16;
 * nums may be NULL). */
int mail_sink_count(const mail_sink *k, const char *to, int *nums);
/* Wait until `to` has been sent `count` mails; the last of them (the caller owns it). Fails
 * the running test after MAIL_WAIT_SECONDS. */
json_t *mail_sink_wait(const mail_sink *k, const char *to, int count);
/* Wait until prosumd's e-mail channel has read every event of the outbox, and has sent
 * everything that was due (nothing waits but what an interval holds back). */
void mail_sink_wait_routed(e2e_server *s);

/* A person `name` of role `role` added by the command line, signed in through the link it
 * printed (password set), into b. Fails the running test when it cannot. */
void mail_sink_person(e2e_server *s, const char *name, const char *role, e2e_browser *b);

#endif
