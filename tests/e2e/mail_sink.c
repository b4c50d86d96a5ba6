/* mail_sink.c - the e-mail tests' mailbox: a local SMTP sink (smtp_sink.py) and people to mail. */
#include "mail_sink.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PROSUM_SOURCE_DIR
#error "PROSUM_SOURCE_DIR must name the source tree (for tests/e2e/smtp_sink.py)"
#endif

int mail_sink_start(mail_sink *k, const char *parent)
{
	char path[400], port[16];
	int i;

	snprintf(k->dir, sizeof(k->dir), "%s/mails", parent);
	if (e2e_sh(NULL, 0, "mkdir -p '%s'", k->dir) != 0)
		return -1;
	k->pid = fork();
	if (k->pid < 0)
		return -1;
	if (k->pid == 0) {
		/* The system's python3, where python3-aiosmtpd is installed (scripts/bootstrap). */
		execl("/usr/bin/python3", "python3", PROSUM_SOURCE_DIR "/tests/e2e/smtp_sink.py",
		      k->dir, (char *)NULL);
		_exit(127);
	}
	snprintf(path, sizeof(path), "%s/port", k->dir);
	for (i = 0; i < 300; i++) { /* up to 30 s for python to start */
		if (access(path, F_OK) == 0)
			break;
		usleep(100 * 1000);
	}
	if (i == 300 || e2e_sh(port, sizeof(port), "cat '%s'", path) != 0)
		return -1;
	snprintf(k->url, sizeof(k->url), "smtp://127.0.0.1:%d", (int)strtol(port, NULL, 10));
	return 0;
}

int mail_sink_serve(mail_sink *k, e2e_server *s, const char *public_url, const char *interval)
{
	const char *args[] = {"--smtp-url",   NULL,       "--smtp-from",     "prosum <prosum@example.com>",
			      "--public-url", public_url, "--mail-interval", interval,
			      NULL};

	setenv("PROSUM_TEST_PBKDF2_ITERATIONS", "1000", 1);
	if (mail_sink_start(k, s->dir) < 0)
		return -1;
	args[1] = k->url;
	return e2e_start(s, args);
}

void mail_sink_stop(mail_sink *k)
{
	if (k->pid > 0) {
		kill(k->pid, SIGTERM);
		waitpid(k->pid, NULL, 0);
		k->pid = 0;
	}
}

json_t *mail_sink_mail(const mail_sink *k, int n)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%d.json", k->dir, n);
	return json_load_file(path, 0, NULL);
}

int mail_sink_count(const mail_sink *k, const char *to, int *nums)
{
	int n, c = 0;
	json_t *m;

	for (n = 1; (m = mail_sink_mail(k, n)); n++) {
		json_t *rcpt = json_object_get(m, "rcpt_to");

		if (!to || (json_array_size(rcpt) == 1 &&
			    strcmp(json_string_value(json_array_get(rcpt, 0)), to) == 0)) {
			if (nums && c < 16)
				nums[c] = n;
			c++;
		}
		json_decref(m);
	}
	return c;
}

json_t *mail_sink_wait(const mail_sink *k, const char *to, int count)
{
	time_t end = time(NULL) + MAIL_WAIT_SECONDS;
	int nums[16];

	while (time(NULL) < end) {
		if (mail_sink_count(k, to, nums) >= count)
			return mail_sink_mail(k, nums[count - 1]);
		usleep(200 * 1000);
	}
	fail_msg("no mail %d to %s within %d s", count, to, MAIL_WAIT_SECONDS);
	return NULL;
}

void mail_sink_wait_routed(e2e_server *s)
{
	time_t end = time(NULL) + MAIL_WAIT_SECONDS;

	while (time(NULL) < end) {
		/* Read to the end, and no one waiting whose mail is due (never mailed, or long
		 * enough ago: the channel sends those in the round that queued them). */
		if (e2e_sql_int(s, "SELECT (SELECT coalesce(max(id), 0) FROM outbox) <= "
				   "(SELECT last_id FROM outbox_cursors WHERE channel = 'email') "
				   "AND NOT EXISTS (SELECT 1 FROM mail_pending p LEFT JOIN mail_sent m "
				   "ON m.person = p.person WHERE m.last_sent_at IS NULL)") == 1)
			return;
		usleep(200 * 1000);
	}
	fail_msg("the e-mail channel did not read the outbox within %d s", MAIL_WAIT_SECONDS);
}

void mail_sink_person(e2e_server *s, const char *name, const char *role, e2e_browser *b)
{
	char out[1024], body[256];
	const char *hash, *h[] = {"Content-Type: application/json", NULL};
	e2e_response r;
	json_t *v;

	assert_int_equal(e2e_sh(out, sizeof(out), "'%s' user add %s --role %s --data '%s'",
				PROSUMD_PATH, name, role, s->data),
			 0);
	hash = strstr(out, "/welcome#");
	assert_non_null(hash);
	snprintf(body, sizeof(body), "{\"token\":\"%.43s\",\"password\":\"correct horse battery\"}",
		 hash + 9);
	assert_int_equal(e2e_request(s, "POST", "/api/v1/password", h, body, strlen(body), &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(strncmp(r.set_cookie, "prosum_session=", 15), 0);
	snprintf(b->cookie, sizeof(b->cookie), "%.*s", (int)strcspn(r.set_cookie + 15, ";"),
		 r.set_cookie + 15);
	v = e2e_json(&r);
	snprintf(b->csrf, sizeof(b->csrf), "%s", e2e_str(v, "csrf", NULL));
	json_decref(v);
	e2e_response_free(&r);
}
