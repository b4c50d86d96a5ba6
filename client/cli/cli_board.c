/* cli_board.c - prosum board: a one-time link that signs this install in to the project's feedback
 * board. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/prosum_tool.h"
#include "prosum.h"

/* Is `prog` an executable file in one of $PATH's directories? */
static int on_path(const char *prog)
{
	const char *path = getenv("PATH"), *p, *end;
	char full[4096];

	for (p = path; p && *p; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end == p)
			continue;
		snprintf(full, sizeof(full), "%.*s/%s", (int)(end - p), p, prog);
		if (access(full, X_OK) == 0)
			return 1;
	}
	return 0;
}

/* Run `xdg-open url` (its output hidden) and wait for it. 0 when it said it opened the link. */
static int xdg_open(const char *url)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		FILE *null = freopen("/dev/null", "w", stdout);
		(void)null;
		execlp("xdg-open", "xdg-open", url, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int cli_board(const cli_args *a)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *client = NULL;
	char *url = NULL;
	long timeout;
	int rc, err;

	if (!a->dsn)
		return cli_usage_error("no DSN: give --dsn or set PROSUM_DSN");
	rc = cli_timeout(a, &timeout);
	if (rc)
		return rc;
	if (a->name && (!a->name[0] || strlen(a->name) > 128))
		return cli_usage_error("--name takes 1 to 128 bytes");
	o.flags = PROSUM_NO_SENDER | PROSUM_NO_SESSIONS; /* the prosum command is no beta build */
	o.close_wait_ms = 0;
	o.ca_file = a->cacert;
	o.pinned_pubkey = a->pin;
	o.timeout_ms = timeout > 0 ? timeout : 0;
	if (prosum_client_new(&client, a->dsn, &o) != 0)
		return cli_fail("%s", prosum_error_last());
	err = prosum_board_link(&url, client, a->name);
	if (err == PROSUM_EAUTH)
		rc = cli_fail("%s: check the DSN (its key and project)", prosum_error_last());
	else if (err)
		rc = cli_transport_fail(NULL);
	if (err)
		goto out;
	/* The link is a secret until used: it goes to stdout only, never to a log line. */
	printf("%s\n", url);
	if (!a->open) {
		fprintf(stderr, "prosum: open this link in your browser within 10 minutes; it "
				"works once (run `prosum board` again for a new one)\n");
	} else if (!on_path("xdg-open")) {
		fprintf(stderr, "prosum: xdg-open is not installed: open the link above in your "
				"browser within 10 minutes\n");
	} else if (xdg_open(url) != 0) {
		fprintf(stderr, "prosum: xdg-open could not open the link: open it in your browser "
				"within 10 minutes\n");
	}
out:
	free(url);
	prosum_close(client);
	return rc;
}
