/* beta_app.c - a beta program embedding libprosum: the example to copy, and a test subject. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prosum.h"

#ifndef BETA_APP_VERSION
#define BETA_APP_VERSION "0.0.0"
#endif
#ifndef BETA_APP_REVISION
#define BETA_APP_REVISION ""
#endif
#ifndef BETA_APP_SOURCE_ROOT
#define BETA_APP_SOURCE_ROOT ""
#endif

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: beta-app [--dsn DSN] [--version V] [--revision R] [--channel C] [--sessions]\n"
	    "                [--timeout MS] [--email ADDRESS] [COMMAND]\n"
	    "\n"
	    "A small beta program that embeds libprosum, as an example and a test subject.\n"
	    "On start it shows the tester's news (\"news: Your bug R-12 is fixed in 1.4.0\"),\n"
	    "turns the crash records of earlier runs into reports and sends what its spool\n"
	    "holds; it prints \"sent R-n\" (or the server's refusal) per report.\n"
	    "\n"
	    "Commands:\n"
	    "  (none)        deliver what is pending (crashes of earlier runs too) and exit\n"
	    "  crash         install the crash handler and die of a null dereference\n"
	    "  abort         install the crash handler and call abort()\n"
	    "  report TITLE  queue a bug report, then deliver\n"
	    "  board         the \"Feedback board\" action: print a link that signs this\n"
	    "                install in to the project's board (once, within 10 minutes)\n"
	    "\n"
	    "Options:\n"
	    "  --dsn DSN       https://KEY@HOST:PORT/PROJECT (default: $PROSUM_DSN)\n"
	    "  --version V     build.version of the reports (default: " BETA_APP_VERSION ")\n"
	    "  --revision R    build.revision: a commit, tag or `git describe` output\n"
	    "                  (default: the commit it was built from, when known)\n"
	    "  --channel C     build.channel of its reports and sessions (default: beta); a\n"
	    "                  channel can put its testers in a cohort (docs/sessions.md)\n"
	    "  --sessions      also print \"sent session\" as each session is delivered.\n"
	    "                  Every run is a session (libprosum's default): exited when it\n"
	    "                  ends, errored when it sent a report, crashed (sent at the next\n"
	    "                  start) after crash or abort; see docs/sessions.md.\n"
	    "                  PROSUM_SESSIONS=0 in the environment records none\n"
	    "  --timeout MS    how long to wait for delivery (default: 10000)\n"
	    "  --email ADDRESS with report: the tester asks to be mailed at ADDRESS when the\n"
	    "                  bug is fixed in a release, and of the team's replies\n"
	    "                  (tester.notify; see docs/notifications.md)\n"
	    "  --help          this text\n"
	    "\n"
	    "Environment: PROSUM_DSN; PROSUM_CACERT (the server's CA file) or PROSUM_PIN\n"
	    "(sha256//BASE64 of its public key); PROSUM_SPOOL (the spool directory).\n"
	    "Exit status: 0 everything delivered, 1 not (what is left stays queued), 2 usage.\n");
}

int beta_app_crash(int *volatile p);

/*
 * The function the crash reports must name: never inlined, and kept free of
 * sanitizer checks so the fault is a real SIGSEGV on a read of address 0.
 */
__attribute__((noinline, no_sanitize("address", "undefined"))) int beta_app_crash(int *volatile p)
{
	return *p + 1;
}

__attribute__((noinline)) static int beta_app_open_document(void)
{
	int *volatile none = NULL;

	return beta_app_crash(none);
}

/* --sessions: print the delivery of sessions too (every run records one either way). */
static int print_sessions;

/* Print each report as it is delivered: "sent R-12", or the server's refusal. */
static void on_delivery(const prosum_result *res, void *payload)
{
	(void)payload;
	if (res->kind && strcmp(res->kind, "session") == 0 && !print_sessions &&
	    res->status >= 200 && res->status <= 299)
		return;
	if (res->status >= 200 && res->status <= 299) {
		/* a session or rating has no id: name its kind ("sent session") */
		printf("sent %s", res->id ? res->id : res->kind ? res->kind : "?");
		if (res->known_group && res->known_fixed_in)
			printf(" (already fixed in %s, %s)", res->known_fixed_in, res->known_group);
		printf("\n");
	} else {
		printf("refused %d %s: %s\n", res->status, res->error_code ? res->error_code : "",
		       res->error_message ? res->error_message : "");
	}
	fflush(stdout);
}

/*
 * The "Feedback board" action of the app's menu: ask the server for a one-time link that signs
 * this install in to the board, and hand it to the tester. A desktop app would open it at once
 * (xdg-open, or its toolkit's "open URL"); this example prints it. The link works once, within
 * 10 minutes: ask for a fresh one each time the action is chosen, and never log it.
 */
static int feedback_board(prosum_client *client)
{
	char *url = NULL;

	if (prosum_board_link(&url, client, NULL) != 0) {
		fprintf(stderr, "beta-app: no link to the feedback board: %s\n", prosum_error_last());
		return 1;
	}
	printf("feedback board: %s\n", url);
	free(url);
	return 0;
}

/*
 * What a beta app says on start: the tester's news since the last start (their bugs fixed in
 * a release, their suggestions shipped, the team's replies), one line each. A desktop app
 * would show it in a banner; news that cannot be fetched now waits for the next start.
 */
static void show_news(prosum_client *client)
{
	prosum_news_list *news = NULL;
	size_t i;

	if (prosum_news(&news, client) != 0) {
		fprintf(stderr, "beta-app: no news now: %s\n", prosum_error_last());
		return;
	}
	for (i = 0; i < news->count; i++)
		printf("news: %s\n", news->items[i].text);
	fflush(stdout);
	prosum_news_free(news);
}

int main(int argc, char **argv)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *client = NULL;
	prosum_report *r = NULL;
	const char *dsn = getenv("PROSUM_DSN"), *cmd = NULL, *title = NULL, *email = NULL;
	long timeout = 10000;
	int rc = 1;

	o.app_version = BETA_APP_VERSION;
	o.app_revision = BETA_APP_REVISION[0] ? BETA_APP_REVISION : NULL;
	o.app_channel = "beta";
	o.source_root = BETA_APP_SOURCE_ROOT[0] ? BETA_APP_SOURCE_ROOT : NULL;
	o.on_delivery = on_delivery;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (i + 1 < argc && strcmp(a, "--dsn") == 0)
			dsn = argv[++i];
		else if (i + 1 < argc && strcmp(a, "--version") == 0)
			o.app_version = argv[++i];
		else if (i + 1 < argc && strcmp(a, "--revision") == 0)
			o.app_revision = argv[++i];
		else if (i + 1 < argc && strcmp(a, "--channel") == 0)
			o.app_channel = argv[++i];
		else if (strcmp(a, "--sessions") == 0)
			print_sessions = 1; /* sessions are libprosum's default */
		else if (i + 1 < argc && strcmp(a, "--timeout") == 0)
			timeout = strtol(argv[++i], NULL, 10);
		else if (i + 1 < argc && strcmp(a, "--email") == 0)
			email = argv[++i];
		else if (!cmd && a[0] != '-')
			cmd = a;
		else if (cmd && strcmp(cmd, "report") == 0 && !title)
			title = a;
		else {
			usage(stderr);
			return 2;
		}
	}
	if (!dsn || (cmd && strcmp(cmd, "crash") != 0 && strcmp(cmd, "abort") != 0 &&
		     strcmp(cmd, "board") != 0 && (strcmp(cmd, "report") != 0 || !title)) ||
	    (email && (!cmd || strcmp(cmd, "report") != 0))) {
		usage(stderr);
		return 2;
	}
	/* Starting the client queues the crash of the previous run and starts sending. */
	if (prosum_client_new(&client, dsn, &o) != 0) {
		fprintf(stderr, "beta-app: %s\n", prosum_error_last());
		return 1;
	}
	if (cmd && (strcmp(cmd, "crash") == 0 || strcmp(cmd, "abort") == 0)) {
		if (prosum_install_crash_handler(client) != 0) {
			fprintf(stderr, "beta-app: %s\n", prosum_error_last());
			goto out;
		}
		if (strcmp(cmd, "abort") == 0)
			abort();
		rc = beta_app_open_document();
		fprintf(stderr, "beta-app: survived a null dereference (%d)\n", rc);
		rc = 1;
		goto out;
	}
	show_news(client);
	if (cmd && strcmp(cmd, "board") == 0) {
		rc = feedback_board(client);
		goto out;
	}
	if (cmd) {
		/* The tester typed an address in the app's "mail me when it is fixed" box: the
		 * address and the consent travel with the report. */
		if (prosum_report_new(&r, PROSUM_KIND_BUG) != 0 ||
		    prosum_report_set_title(r, title) != 0 ||
		    (email && (prosum_report_set_tester(r, NULL, email) != 0 ||
			       prosum_report_set_tester_notify(r, 1) != 0)) ||
		    prosum_submit(client, r) != 0) {
			fprintf(stderr, "beta-app: %s\n", prosum_error_last());
			goto out;
		}
	}
	/* The run is over: its session ends now (exited), so this flush delivers it too. */
	if (prosum_session_end(client) != 0)
		fprintf(stderr, "beta-app: the session could not be ended: %s\n",
			prosum_error_last());
	if (prosum_flush(client, timeout) != 0) {
		fprintf(stderr, "beta-app: not everything was delivered: %s\n",
			prosum_error_last());
		goto out;
	}
	rc = 0;
out:
	prosum_report_free(r);
	prosum_close(client);
	return rc;
}
