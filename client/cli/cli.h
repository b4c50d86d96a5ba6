/* cli.h - the prosum command: its parsed command line and the commands it runs. */
#ifndef PROSUM_CLIENT_CLI_H
#define PROSUM_CLIENT_CLI_H

#include <stddef.h>

#include "lib/prosum_tool.h"

/* Exit statuses: 0 success, 1 failure (one line on stderr), 2 a usage mistake. */
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2
/* prosum health --check: the newest build has too few sessions for a gate to decide. */
#define CLI_EXIT_HEALTH_UNDECIDED 3

#define CLI_MAX_ATTACH PROSUM_MAX_ATTACHMENTS
#define CLI_MAX_TAGS PROSUM_MAX_TAGS
#define CLI_MAX_POS 4
#define CLI_MAX_GATES 8 /* --set of prosum health gates (the server takes one per metric) */

/* Everything a command line can say; NULL/0 when not given. Strings borrow argv or environ. */
typedef struct cli_args {
	/* Where and who. */
	const char *dsn, *server, *token, *cacert, *pin, *project, *timeout;
	/* prosum report, prosum suggest. */
	const char *kind, *title, *description, *revision, *version, *channel, *json_file;
	const char *severity, *steps, *name, *email, *body;
	/* Filters of the lists. */
	const char *status, *group, *platform, *tag, *since, *until, *sort, *query;
	const char *limit, *cursor, *format;
	const char *cohort; /* prosum reports --cohort C */
	/* prosum set, prosum release. */
	const char *assignee, *fixed_by, *comment, *merge_into, *duplicate_of, *shipped_in, *ref;
	/* prosum attachment -o FILE. */
	const char *output;
	/* prosum reply --file F. */
	const char *file;
	int json, withdraw, notes;
	/* prosum board --open. */
	int open;
	/* prosum report --notify. */
	int notify;
	/* prosum queue. */
	int all;
	const char *from, *to;
	/* prosum health [--release R] [--by cohort|channel] [--days N] [--check]. */
	const char *release_name, *by, *days;
	int check;
	/* prosum health gates [--set EXPR [--min-sessions N]]... | --clear: gate_min[i] is the
	 * --min-sessions given after gates[i], or NULL. */
	const char *gates[CLI_MAX_GATES], *gate_min[CLI_MAX_GATES];
	size_t ngates;
	int clear;
	int min_sessions; /* a --min-sessions was given */
	const char *attach[CLI_MAX_ATTACH];
	size_t nattach;
	const char *tags[CLI_MAX_TAGS]; /* prosum report --tag K=V */
	size_t ntags;
	const char *pos[CLI_MAX_POS];
	size_t npos;
} cli_args;

/* One line "prosum: ..." on stderr, control characters removed. Returns CLI_EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line "prosum: ... (see prosum COMMAND --help)" on stderr, naming the running command
 * (prosum --help before one runs). Returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * One line "prosum: REASON[; note]" on stderr for a request that got no
 * answer: REASON is libprosum's last error (the URL and what failed), `note`
 * (may be NULL) what happens now. Every command prints network and TLS
 * failures through here (and so through cli_fail(), which adds the hint of
 * which certificate to trust). Returns CLI_EXIT_FAIL.
 */
int cli_transport_fail(const char *note);

/* A non-negative decimal number of at most 9 digits. 0 or -1. */
int cli_parse_count(const char *s, long *out);

/* --timeout in ms, else the default. 0 or an exit status (message printed). */
int cli_timeout(const cli_args *a, long *out);

/*
 * A time for --since and --until: a date ("2026-12-05", midnight UTC), RFC
 * 3339, seconds since the epoch, or an age such as "30m", "12h", "7d", "2w"
 * (that long before now), written into out as RFC 3339 UTC. 0 or -1.
 */
int cli_parse_time(const char *s, char *out, size_t outsz);

/*
 * cli_parse_time() for the option `name` ("since"), into out (64 bytes);
 * a bad value is refused naming the forms taken. 0 or CLI_EXIT_USAGE.
 */
int cli_time_option(const char *name, const char *value, char out[64]);

/* "R-12" with the given prefix letter ('R', 'G', 'S'); 1 when it is one, else 0. */
int cli_is_id(const char *s, char prefix);

/* Help: a command's options explained, or NULL; then what every command shares. cli_help.c */
const char *cli_help_text(const char *command);
extern const char cli_help_common[];

/* The commands. Each returns its exit status. cli_tester.c */
int cli_report(const cli_args *a);
int cli_flush(const cli_args *a);
int cli_suggest(const cli_args *a);
int cli_vote(const cli_args *a);
int cli_mine(const cli_args *a);
int cli_rate(const cli_args *a);
/* cli_reply.c */
int cli_reply(const cli_args *a);
/* cli_board.c */
int cli_board(const cli_args *a);
/* cli_news.c */
int cli_news(const cli_args *a);

/* cli_queue.c */
int cli_queue(const cli_args *a);

/*
 * The one line to print when `dsn_text`'s server refused the key or the
 * project (`why`: the reason, e.g. "404 not_found: no such project"), with
 * `pending` items waiting: how to move them to a corrected DSN. Returns
 * CLI_EXIT_FAIL.
 */
int cli_queue_hint(const char *dsn_text, const char *why, unsigned long long pending);

/* Items in the spools of DSNs other than `spool_dir`'s (0 with $PROSUM_SPOOL). */
unsigned long long cli_queue_elsewhere(const char *spool_dir);

/* cli_triage.c */
int cli_reports(const cli_args *a);
int cli_groups(const cli_args *a);
int cli_suggestions(const cli_args *a);
int cli_show(const cli_args *a);
int cli_set(const cli_args *a);
int cli_release(const cli_args *a);
int cli_sync(const cli_args *a);
int cli_attachment(const cli_args *a);
/* cli_health.c */
int cli_health(const cli_args *a);
/* cli_gates.c: prosum health gates */
int cli_health_gates(const cli_args *a);
/* cli_cohort.c */
int cli_cohort(const cli_args *a);

#endif
