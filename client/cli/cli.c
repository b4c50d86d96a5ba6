/* cli.c - the prosum command: its options, their environment fallbacks, and the table of commands.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/rfc3339.h"
#include "lib/prosum_tool.h"
#include "prosum.h"

/* Which commands accept an option (a bit per command). */
#define C_REPORT 0x0001u
#define C_FLUSH 0x0002u
#define C_SUGGEST 0x0004u
#define C_VOTE 0x0008u
#define C_MINE 0x0010u
#define C_REPORTS 0x0020u
#define C_GROUPS 0x0040u
#define C_SUGGESTIONS 0x0080u
#define C_SHOW 0x0100u
#define C_SET 0x0200u
#define C_RELEASE 0x0400u
#define C_SYNC 0x0800u
#define C_QUEUE 0x1000u
#define C_ATTACHMENT 0x2000u
#define C_REPLY 0x4000u
#define C_BOARD 0x8000u
#define C_RATE 0x10000u
#define C_COHORT 0x20000u
#define C_NEWS 0x40000u
#define C_HEALTH 0x80000u
/* Commands with the DSN's ingest key, and commands with a token. */
#define C_TESTER (C_REPORT | C_FLUSH | C_SUGGEST | C_VOTE | C_MINE | C_REPLY | C_BOARD | C_RATE | \
		  C_NEWS)
#define C_TRIAGE                                                                                   \
	(C_REPORTS | C_GROUPS | C_SUGGESTIONS | C_SHOW | C_SET | C_RELEASE | C_SYNC | C_ATTACHMENT | \
	 C_COHORT | C_HEALTH)
#define C_LISTS (C_REPORTS | C_GROUPS | C_SUGGESTIONS)
/* Commands whose first argument is an item id (taken in any case). */
#define C_ID_ARG (C_VOTE | C_SHOW | C_SET | C_ATTACHMENT | C_REPLY)

/* OPT_ID: a value that is an item id, upper-cased ("g-3" is G-3). */
enum { OPT_VALUE, OPT_FLAG, OPT_ATTACH, OPT_TAG, OPT_ID, OPT_GATE, OPT_GATE_MIN };

typedef struct option_spec {
	const char *name;
	int type;
	size_t offset;
	unsigned int commands;
	const char *env; /* fallback environment variable */
} option_spec;

/* An option may appear twice with different meanings for different commands (--json, --tag). */
#define V(field) offsetof(cli_args, field)
static const option_spec options[] = {
    {"dsn", OPT_VALUE, V(dsn), C_TESTER | C_TRIAGE, "PROSUM_DSN"},
    {"server", OPT_VALUE, V(server), C_TRIAGE, "PROSUM_SERVER"},
    {"token", OPT_VALUE, V(token), C_TRIAGE, "PROSUM_TOKEN"},
    {"cacert", OPT_VALUE, V(cacert), C_TESTER | C_TRIAGE, "PROSUM_CACERT"},
    {"pin", OPT_VALUE, V(pin), C_TESTER | C_TRIAGE, "PROSUM_PIN"},
    {"project", OPT_VALUE, V(project), C_TRIAGE, "PROSUM_PROJECT"},
    {"timeout", OPT_VALUE, V(timeout), C_TESTER | C_TRIAGE, NULL},
    {"kind", OPT_VALUE, V(kind), C_REPORT | C_REPORTS | C_GROUPS, NULL},
    {"title", OPT_VALUE, V(title), C_REPORT | C_SUGGEST, NULL},
    {"description", OPT_VALUE, V(description), C_REPORT, NULL},
    {"body", OPT_VALUE, V(body), C_SUGGEST | C_REPLY, NULL},
    {"file", OPT_VALUE, V(file), C_REPLY, NULL},
    {"revision", OPT_VALUE, V(revision), C_REPORT | C_REPORTS | C_RATE, NULL},
    {"version", OPT_VALUE, V(version), C_REPORT | C_REPORTS | C_GROUPS | C_RATE, NULL},
    {"channel", OPT_VALUE, V(channel), C_REPORT, NULL},
    {"severity", OPT_VALUE, V(severity), C_REPORT, NULL},
    {"steps", OPT_VALUE, V(steps), C_REPORT, NULL},
    {"name", OPT_VALUE, V(name), C_REPORT | C_SUGGEST | C_VOTE | C_BOARD, NULL},
    {"open", OPT_FLAG, V(open), C_BOARD, NULL},
    {"email", OPT_VALUE, V(email), C_REPORT, NULL},
    {"notify", OPT_FLAG, V(notify), C_REPORT, NULL},
    {"attach", OPT_ATTACH, 0, C_REPORT, NULL},
    {"tag", OPT_TAG, 0, C_REPORT, NULL},
    {"tag", OPT_VALUE, V(tag), C_REPORTS, NULL},
    {"json", OPT_VALUE, V(json_file), C_REPORT, NULL},
    {"json", OPT_FLAG, V(json), C_SUGGEST | C_VOTE | C_MINE | C_REPLY | C_RATE | (C_TRIAGE & ~C_ATTACHMENT),
     NULL},
    {"withdraw", OPT_FLAG, V(withdraw), C_VOTE, NULL},
    {"status", OPT_VALUE, V(status), C_LISTS | C_SET, NULL},
    {"group", OPT_ID, V(group), C_REPORTS, NULL},
    {"platform", OPT_VALUE, V(platform), C_REPORTS | C_GROUPS, NULL},
    {"cohort", OPT_VALUE, V(cohort), C_REPORTS, NULL},
    {"since", OPT_VALUE, V(since), C_MINE | C_REPORTS | C_GROUPS, NULL},
    {"until", OPT_VALUE, V(until), C_REPORTS | C_GROUPS, NULL},
    {"sort", OPT_VALUE, V(sort), C_LISTS, NULL},
    {"q", OPT_VALUE, V(query), C_REPORTS | C_SUGGESTIONS, NULL},
    {"limit", OPT_VALUE, V(limit), C_LISTS, NULL},
    {"cursor", OPT_VALUE, V(cursor), C_LISTS, NULL},
    {"format", OPT_VALUE, V(format), C_REPORTS, NULL},
    {"assignee", OPT_VALUE, V(assignee), C_SET, NULL},
    {"fixed-by", OPT_VALUE, V(fixed_by), C_SET, NULL},
    {"comment", OPT_VALUE, V(comment), C_SET | C_RATE, NULL},
    {"merge-into", OPT_ID, V(merge_into), C_SET, NULL},
    {"duplicate-of", OPT_ID, V(duplicate_of), C_SET, NULL},
    {"shipped-in", OPT_VALUE, V(shipped_in), C_SET, NULL},
    {"ref", OPT_VALUE, V(ref), C_RELEASE, NULL},
    {"notes", OPT_FLAG, V(notes), C_RELEASE, NULL},
    {"all", OPT_FLAG, V(all), C_QUEUE, NULL},
    {"from", OPT_VALUE, V(from), C_QUEUE, NULL},
    {"to", OPT_VALUE, V(to), C_QUEUE, NULL},
    {"output", OPT_VALUE, V(output), C_ATTACHMENT, NULL},
    {"release", OPT_VALUE, V(release_name), C_HEALTH, NULL},
    {"by", OPT_VALUE, V(by), C_HEALTH, NULL},
    {"days", OPT_VALUE, V(days), C_HEALTH, NULL},
    {"check", OPT_FLAG, V(check), C_HEALTH, NULL},
    {"set", OPT_GATE, 0, C_HEALTH, NULL},
    {"min-sessions", OPT_GATE_MIN, 0, C_HEALTH, NULL},
    {"clear", OPT_FLAG, V(clear), C_HEALTH, NULL},
};
#undef V

/* One-letter spellings: -o FILE is --output FILE. */
static const struct {
	char letter;
	const char *name;
} short_options[] = {
    {'o', "output"},
};

typedef struct command {
	const char *name;
	unsigned int bit;
	size_t min_pos, max_pos;
	int (*run)(const cli_args *a);
	const char *usage;
} command;

#define TOKEN_OPTS "--server URL --token T [--project P]"

static const command commands[] = {
    {"report", C_REPORT, 0, 0, cli_report,
     "report --dsn DSN --kind bug|crash|feedback --title T [--description D]\n"
     "               [--revision R] [--version V] [--channel C] [--severity S] [--steps S]\n"
     "               [--tag K=V]... [--name N --email E [--notify]] [--attach FILE]...\n"
     "               [--json FILE]"},
    {"flush", C_FLUSH, 0, 0, cli_flush, "flush --dsn DSN"},
    {"suggest", C_SUGGEST, 0, 0, cli_suggest,
     "suggest --dsn DSN --title T [--body B] [--name N]     # prints S-n"},
    {"vote", C_VOTE, 1, 1, cli_vote,
     "vote --dsn DSN S-n [--withdraw] [--name N]           # prints the votes"},
    {"rate", C_RATE, 1, 2, cli_rate,
     "rate --dsn DSN N [COMMENT] [--version V --revision R]  # rate the build, 1-5"},
    {"mine", C_MINE, 0, 0, cli_mine,
     "mine --dsn DSN [--since TIME]                        # my reports and suggestions"},
    {"reply", C_REPLY, 1, 2, cli_reply,
     "reply --dsn DSN R-n TEXT|--body TEXT|--file F|-      # answer the team on R-n"},
    {"board", C_BOARD, 0, 0, cli_board,
     "board --dsn DSN [--open] [--name N]                  # a sign-in link to the board"},
    {"news", C_NEWS, 0, 0, cli_news,
     "news --dsn DSN                                       # my news since the last time"},
    {"reports", C_REPORTS, 0, 0, cli_reports,
     "reports [--kind K] [--status S] [--group G-n] [--revision R] [--version V]\n"
     "               [--platform P] [--cohort C] [--tag K=V] [--since TIME]\n"
     "               [--until TIME] [--sort newest|oldest] [--q TEXT] [--limit N]\n"
     "               [--cursor C] [--format csv|jsonl] " TOKEN_OPTS "\n"
     "               (--format streams every matching report, oldest first)"},
    {"groups", C_GROUPS, 0, 0, cli_groups,
     "groups [--status S] [--kind K] [--version V] [--platform P] [--since TIME]\n"
     "               [--until TIME] [--sort newest|oldest|count|testers] [--limit N]\n"
     "               [--cursor C] " TOKEN_OPTS},
    {"suggestions", C_SUGGESTIONS, 0, 0, cli_suggestions,
     "suggestions [--status S] [--sort votes|newest] [--q TEXT] [--limit N] [--cursor C]\n"
     "               " TOKEN_OPTS},
    {"show", C_SHOW, 1, 1, cli_show, "show R-n|G-n|S-n " TOKEN_OPTS},
    {"set", C_SET, 1, 1, cli_set,
     "set R-n|G-n|S-n [--status S] [--assignee A] [--fixed-by REV] [--comment TEXT]\n"
     "               [--merge-into G-n] [--duplicate-of S-n] [--shipped-in RELEASE]\n"
     "               " TOKEN_OPTS "                 # prints the new status"},
    {"release", C_RELEASE, 1, 2, cli_release,
     "release add NAME --ref REF | release show NAME [--notes] | release list\n"
     "               " TOKEN_OPTS},
    {"sync", C_SYNC, 0, 0, cli_sync, "sync " TOKEN_OPTS},
    {"queue", C_QUEUE, 0, 2, cli_queue,
     "queue [list] | queue show ID | queue retarget ID|--all [--from DSN] --to DSN\n"
     "               | queue drop ID|--all [--from DSN]       # the spooled items"},
    {"attachment", C_ATTACHMENT, 2, 2, cli_attachment, "attachment R-n NAME [-o FILE] " TOKEN_OPTS},
    {"cohort", C_COHORT, 0, 3, cli_cohort,
     "cohort [key|channel|install NAME COHORT] " TOKEN_OPTS "  # tester cohorts (admin)"},
    {"health", C_HEALTH, 0, 1, cli_health,
     "health [--release R] [--by cohort|channel|platform] [--days N] [--check]\n"
     "               " TOKEN_OPTS "   # exit 1: a gate failed, 3: too few sessions\n"
     "  prosum health gates [--set 'METRIC>=VALUE' [--min-sessions N]]... | --clear\n"
     "               " TOKEN_OPTS "   # the release gates"},
};

/* The command being run, for the hint after a usage mistake; NULL before one is known. */
static const command *running;

static void usage(FILE *f)
{
	fprintf(f, "usage: prosum COMMAND [OPTIONS]\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  prosum %s\n", commands[i].usage);
	fprintf(f, "\n%s", cli_help_common);
}

/* prosum COMMAND --help: its synopsis, then its options explained. */
static void command_help(const command *cmd)
{
	const char *text = cli_help_text(cmd->name);

	printf("usage: prosum %s\n", cmd->usage);
	if (text)
		printf("\n%s", text);
	printf("\nSee `prosum --help` for what every command shares.\n");
}

/* Said first on the line of a failure that comes from an untrusted server certificate. */
#define CLI_UNTRUSTED_HINT                                                                         \
	"the server's certificate is not trusted: pass --cacert FILE (e.g. "                       \
	"prosum-data/tls/ca.pem) or --pin sha256//... (printed by prosumd init); "

static void print_line(const char *suffix, const char *fmt, va_list ap)
{
	char line[2048];
	const char *hint = "", *untrusted = error_untrusted();

	vsnprintf(line, sizeof(line), fmt, ap);
	util_sanitize(line);
	if (untrusted && strstr(line, untrusted))
		hint = CLI_UNTRUSTED_HINT;
	fprintf(stderr, "prosum: %s%s%s\n", hint, line, suffix);
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_line("", fmt, ap);
	va_end(ap);
	return CLI_EXIT_FAIL;
}

/* A mistake in the command line: once a command runs, the hint names its own help. */
int cli_usage_error(const char *fmt, ...)
{
	char hint[64];
	va_list ap;

	if (running)
		snprintf(hint, sizeof(hint), " (see prosum %s --help)", running->name);
	else
		snprintf(hint, sizeof(hint), " (see prosum --help)");
	va_start(ap, fmt);
	print_line(hint, fmt, ap);
	va_end(ap);
	return CLI_EXIT_USAGE;
}

/* A failed request: its reason, and what happens to what was being sent. Certificate
 * failures get their hint from print_line(), as every failure does. */
int cli_transport_fail(const char *note)
{
	return cli_fail("%s%s%s", prosum_error_last(), note ? "; " : "", note ? note : "");
}

int cli_parse_count(const char *s, long *out)
{
	long v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 9)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int cli_timeout(const cli_args *a, long *out)
{
	*out = PROSUM_CLI_DEFAULT_TIMEOUT_MS;
	if (a->timeout && cli_parse_count(a->timeout, out) != 0)
		return cli_usage_error("--timeout takes milliseconds, not \"%s\"", a->timeout);
	return 0;
}

/* "2026-12-05": midnight UTC of a real calendar day (not 2026-02-30). 0 or -1. */
static int parse_date(const char *s, int64_t *out)
{
	char stamp[32];

	if (strlen(s) != 10)
		return -1;
	snprintf(stamp, sizeof(stamp), "%sT00:00:00Z", s);
	return rfc3339_parse(stamp, out);
}

/* RFC 3339, also with a space for the "T" ("2026-12-05 10:15:00Z", as a shell user may
 * write it). 0 or -1. */
static int parse_stamp(const char *s, int64_t *out)
{
	char stamp[64];

	if (strlen(s) >= sizeof(stamp) || strlen(s) < 11 || s[10] != ' ')
		return rfc3339_parse(s, out);
	memcpy(stamp, s, strlen(s) + 1);
	stamp[10] = 'T';
	return rfc3339_parse(stamp, out);
}

int cli_parse_time(const char *s, char *out, size_t outsz)
{
	size_t n = strlen(s), digits = strspn(s, "0123456789");
	int64_t t;
	long v;

	if (n > 0 && digits == n) {
		/* Seconds since the epoch. */
		if (n > 12)
			return -1;
		t = 0;
		for (size_t i = 0; i < n; i++)
			t = t * 10 + (s[i] - '0');
	} else if (digits > 0 && digits == n - 1 && digits <= 6 && strchr("smhdw", s[n - 1])) {
		static const long unit[] = {['s' - 'a'] = 1,
					    ['m' - 'a'] = 60,
					    ['h' - 'a'] = 3600,
					    ['d' - 'a'] = 86400,
					    ['w' - 'a'] = 7 * 86400};
		char age[8];
		memcpy(age, s, digits);
		age[digits] = '\0';
		if (cli_parse_count(age, &v) != 0)
			return -1;
		t = (int64_t)time(NULL) - (int64_t)v * unit[s[n - 1] - 'a'];
	} else if (parse_date(s, &t) != 0 && parse_stamp(s, &t) != 0) {
		return -1;
	}
	if (outsz < RFC3339_MAX)
		return -1;
	rfc3339_format(out, t);
	return 0;
}

int cli_time_option(const char *name, const char *value, char out[64])
{
	if (cli_parse_time(value, out, 64) == 0)
		return 0;
	return cli_usage_error("--%s takes a date (2026-12-05), an RFC 3339 time "
			       "(2026-12-05T10:15:00Z) or an age (30m, 12h, 7d), not \"%s\"",
			       name, value);
}

int cli_is_id(const char *s, char prefix)
{
	size_t n = strlen(s);

	return n >= 3 && n <= 21 && s[0] == prefix && s[1] == '-' && s[2] >= '1' && s[2] <= '9' &&
	       strspn(s + 2, "0123456789") == n - 2;
}

/* "r-12" becomes "R-12" in place; anything that is no item id is left as it is. */
static void upcase_id(char *s)
{
	size_t n = strlen(s);

	if (n >= 3 && strchr("rgs", s[0]) && s[1] == '-' && strspn(s + 2, "0123456789") == n - 2)
		s[0] = (char)(s[0] - 'a' + 'A');
}

static const option_spec *find_option(const char *name, size_t len, unsigned int bit)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if ((options[i].commands & bit) && strlen(options[i].name) == len &&
		    strncmp(options[i].name, name, len) == 0)
			return &options[i];
	}
	return NULL;
}

/* The long name of a one-letter option ("-o"), or NULL. */
static const char *long_name(const char *arg)
{
	if (arg[0] != '-' || arg[1] == '-' || arg[1] == '\0' || arg[2] != '\0')
		return NULL;
	for (size_t i = 0; i < sizeof(short_options) / sizeof(short_options[0]); i++)
		if (short_options[i].letter == arg[1])
			return short_options[i].name;
	return NULL;
}

/* Parse argv (after the command name) into *a. 0 or CLI_EXIT_USAGE (message printed). */
static int parse_args(cli_args *a, const command *cmd, int argc, char **argv)
{
	int only_pos = 0;

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		char *arg = argv[i], *eq, *value = NULL;
		const char *name;
		const option_spec *o;
		size_t len;

		if (only_pos || arg[0] != '-' || arg[1] == '\0') {
			if (a->npos >= cmd->max_pos)
				return cli_usage_error("%s: unexpected argument \"%s\"", cmd->name,
						       arg);
			/* An item id in any case: "r-12" is R-12. */
			if (a->npos == 0 && (cmd->bit & C_ID_ARG))
				upcase_id(arg);
			a->pos[a->npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_pos = 1;
			continue;
		}
		name = long_name(arg);
		if (!name && arg[1] != '-')
			return cli_usage_error("%s: unknown option \"%s\"", cmd->name, arg);
		if (name) {
			eq = NULL;
			len = strlen(name);
		} else {
			name = arg + 2;
			eq = strchr(name, '=');
			len = eq ? (size_t)(eq - name) : strlen(name);
		}
		o = find_option(name, len, cmd->bit);
		if (!o && name == arg + 2)
			return cli_usage_error("%s: unknown option \"--%.*s\"", cmd->name, (int)len,
					       name);
		if (!o)
			return cli_usage_error("%s: unknown option \"%s\"", cmd->name, arg);
		if (o->type == OPT_FLAG) {
			if (eq)
				return cli_usage_error("--%s takes no value", o->name);
			*(int *)((char *)a + o->offset) = 1;
			continue;
		}
		if (eq) {
			value = eq + 1;
		} else {
			if (i + 1 >= argc)
				return cli_usage_error("--%s needs a value", o->name);
			value = argv[++i];
		}
		if (o->type == OPT_ATTACH) {
			if (a->nattach >= CLI_MAX_ATTACH)
				return cli_usage_error("more than %d --attach", CLI_MAX_ATTACH);
			a->attach[a->nattach++] = value;
		} else if (o->type == OPT_TAG) {
			if (a->ntags >= CLI_MAX_TAGS)
				return cli_usage_error("more than %d --tag", CLI_MAX_TAGS);
			a->tags[a->ntags++] = value;
		} else if (o->type == OPT_GATE) {
			if (a->ngates >= CLI_MAX_GATES)
				return cli_usage_error("more than %d --set", CLI_MAX_GATES);
			a->gates[a->ngates++] = value;
		} else if (o->type == OPT_GATE_MIN) {
			/* for the --set before it */
			a->min_sessions = 1;
			if (a->ngates == 0 || a->gate_min[a->ngates - 1])
				return cli_usage_error("--min-sessions N follows the --set it is for");
			a->gate_min[a->ngates - 1] = value;
		} else {
			if (o->type == OPT_ID)
				upcase_id(value);
			*(const char **)((char *)a + o->offset) = value;
		}
	}
	if (a->npos < cmd->min_pos)
		return cli_usage_error("%s: missing argument", cmd->name);
	/* Environment fallbacks for options not given. */
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		const option_spec *o = &options[i];
		const char **slot;
		const char *v;
		if (!o->env || !(o->commands & cmd->bit))
			continue;
		slot = (const char **)((char *)a + o->offset);
		v = getenv(o->env);
		if (!*slot && v && v[0])
			*slot = v;
	}
	return 0;
}

/* -h or --help among the arguments (before "--"). */
static int wants_help(int argc, char **argv)
{
	for (int j = 0; j < argc; j++) {
		if (strcmp(argv[j], "--") == 0)
			break;
		if (strcmp(argv[j], "--help") == 0 || strcmp(argv[j], "-h") == 0)
			return 1;
	}
	return 0;
}

static const command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const command *cmd;
	cli_args a;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		/* prosum help COMMAND is prosum COMMAND --help. */
		if (strcmp(argv[1], "help") == 0 && argc > 2) {
			cmd = find_command(argv[2]);
			if (!cmd)
				return cli_usage_error("no command \"%s\"", argv[2]);
			command_help(cmd);
			return 0;
		}
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("prosum %s\n", PROSUM_VERSION);
		return 0;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return cli_usage_error("unknown command \"%s\"", argv[1]);
	if (wants_help(argc - 2, argv + 2)) {
		command_help(cmd);
		return 0;
	}
	running = cmd;
	rc = parse_args(&a, cmd, argc - 2, argv + 2);
	if (rc)
		return rc;
	rc = cmd->run(&a);
	if (fflush(stdout) != 0 && rc == 0)
		rc = cli_fail("cannot write the output");
	return rc;
}
