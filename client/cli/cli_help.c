/* cli_help.c - what `prosum COMMAND --help` explains: each command's options, defaults, values. */
#include <stddef.h>
#include <string.h>

#include "cli/cli.h"

/* How the tester's commands reach the server: the DSN and its ingest key. */
#define DSN_OPTIONS                                                                                \
	"Connection:\n"                                                                            \
	"  --dsn DSN           https://KEY@HOST:PORT/PROJECT, as `prosumd project add` prints\n"   \
	"                      it (default: $PROSUM_DSN)\n" TRUST_OPTIONS

/* How the team's commands reach the server: a URL and an API token. */
#define TOKEN_OPTIONS                                                                              \
	"Connection:\n"                                                                            \
	"  --server URL        https://HOST:PORT (default: $PROSUM_SERVER, else the server of\n"   \
	"                      --dsn or $PROSUM_DSN)\n"                                            \
	"  --token T           an API token, `prosumd token add` (default: $PROSUM_TOKEN)\n"       \
	"  --project P         (default: $PROSUM_PROJECT, else the project of the DSN, else\n"     \
	"                      demo)\n"                                                            \
	"  --dsn DSN           a DSN names both (default: $PROSUM_DSN)\n" TRUST_OPTIONS

#define TRUST_OPTIONS                                                                              \
	"  --cacert FILE       trust the certificates in FILE (PEM), for a self-signed server\n"   \
	"                      such as prosum-data/tls/ca.pem (default: $PROSUM_CACERT, else\n"  \
	"                      the system's CA store)\n"                                           \
	"  --pin sha256//BASE64\n"                                                                 \
	"                      trust the server whose public key has this SHA-256; alone, it\n"    \
	"                      replaces CA checks (default: $PROSUM_PIN)\n"                        \
	"  --timeout MS        give up after MS milliseconds; 0: never (default: 30000)\n"

#define TIME_FORMS                                                                                 \
	"TIME is a date (2026-12-05: midnight UTC), an RFC 3339 time (2026-12-05T10:15:00Z,\n"     \
	"2026-12-05T11:15:00+01:00), seconds since the epoch, or an age before now: 30m, 12h,\n"   \
	"7d, 2w (also 45s).\n"

#define REPORT_STATUSES "new, triaged, in_progress, fixed, wontfix, duplicate, regressed"

typedef struct help {
	const char *command;
	const char *text;
} help;

static const help helps[] = {
    {"report",
     "Send a crash, a bug report or feedback, and print its id (R-n), then a note\n"
     "when the server knows the problem (\"already fixed in 1.4.0 (G-3)\"). The\n"
     "report is queued in the spool first: when the server cannot be reached it\n"
     "says so on stderr, exits 0, and `prosum flush` sends it later.\n"
     "\n"
     "Report:\n"
     "  --kind KIND         crash, bug or feedback (default: bug)\n"
     "  --title TEXT        one line; required unless --json gives an exception\n"
     "  --description TEXT  free text\n"
     "  --severity WORD     how bad it is: critical, major, minor or trivial\n"
     "  --steps TEXT        how to make it happen again\n"
     "  --version V         the build's version, such as 1.4.0-beta.2\n"
     "                      (default: $PROSUM_VERSION)\n"
     "  --revision R        the build's commit: a hash, a tag or `git describe` output;\n"
     "                      linked to the project's repository (default: $PROSUM_REVISION)\n"
     "                      One of --version and --revision is required.\n"
     "  --channel C         the build's channel, such as beta or nightly\n"
     "  --tag KEY=VALUE     a tag to filter on later (`prosum reports --tag KEY=VALUE`);\n"
     "                      repeat for more (at most 64)\n"
     "  --attach FILE       send FILE along, named by its base name; repeat for more\n"
     "                      (at most 16; 20 MiB per report in all)\n"
     "  --json FILE         start from the report document in FILE (the report format,\n"
     "                      JSON); the options above replace its fields\n"
     "  --name N            credit the report to you; sent only when given\n"
     "  --email E           how the team can reach you; sent only when given\n"
     "  --notify            mail me at --email E when my bugs are fixed, my suggestions\n"
     "                      ship or the team replies (gathered: at most one mail an hour\n"
     "                      by default; each mail has a link to stop them)\n"
     "\n" DSN_OPTIONS},
    {"flush", "Send every report the spool holds for this DSN (the spool is $PROSUM_SPOOL, else\n"
	      "~/.local/state/prosum/spool/), and print how many were sent and refused.\n"
	      "Exits 1 when some are still queued.\n"
	      "\n" DSN_OPTIONS},
    {"suggest", "Suggest a feature; prints its id (S-n). Others vote for it with `prosum vote`.\n"
		"\n"
		"  --title TEXT        required\n"
		"  --body TEXT         what and why\n"
		"  --name N            credit the suggestion to you; sent only when given\n"
		"  --json              print the server's answer as it is\n"
		"\n" DSN_OPTIONS},
    {"vote", "Vote for a suggestion (one vote per install) and print its votes.\n"
	     "\n"
	     "  S-n                 the suggestion (s-4 works too)\n"
	     "  --withdraw          take the vote back\n"
	     "  --name N            credit the vote to you; sent only when given\n"
	     "  --json              print the server's answer as it is\n"
	     "\n" DSN_OPTIONS},
    {"rate", "Rate the build you run, from 1 (bad) to 5 (great), with an optional comment.\n"
	     "One rating per install and build: rating again changes it. Queued first like a\n"
	     "vote; prints \"rated RELEASE (REVISION): N of 5\".\n"
	     "\n"
	     "  N                   the rating, 1 to 5\n"
	     "  COMMENT             what you think of it (or --comment TEXT); at most 2000 bytes\n"
	     "  --version V         the build's version; without it (and --revision), the build\n"
	     "                      of this install's latest session, as the server knows it\n"
	     "  --revision R        the build's revision\n"
	     "  --json              print the server's answer as it is\n"
	     "\n" DSN_OPTIONS},
    {"cohort", "The tester cohorts of the project (admin token): with no argument, the list;\n"
	       "else set the cohort of an ingest key, a channel or an install (\"\" clears it).\n"
	       "A session takes its cohort when it starts: the install's, else its ingest\n"
	       "key's, else its channel's.\n"
	       "\n"
	       "  key|channel|install what the cohort is set on\n"
	       "  NAME                the ingest key, the channel (\"beta\") or the install id\n"
	       "  COHORT              the cohort, e.g. \"insiders\"; '' clears it\n"
	       "  --json              print the server's answer as it is\n"},
    {"mine", "This install's reports and suggestions: their status, where they were fixed or\n"
	     "shipped, and under each the conversation, oldest first: what the team said\n"
	     "(team) and your replies (you), with how long ago. Long lines are wrapped to\n"
	     "the terminal (see `prosum --help`); answer with `prosum reply R-n TEXT`.\n"
	     "\n"
	     "  --since TIME        only what changed since TIME\n"
	     "  --json              print the server's answer as it is\n"
	     "\n" TIME_FORMS "\n" DSN_OPTIONS},
    {"reply", "Answer the team under one of your reports (sent from this install); the team\n"
	      "reads it with the report, you see it with `prosum mine`. Sent at once, never\n"
	      "queued; prints \"replied to R-n\".\n"
	      "\n"
	      "  R-n                 the report (r-12 works too)\n"
	      "  TEXT                the reply: 1 to 16384 bytes of UTF-8 text\n"
	      "  -                   read the reply from stdin\n"
	      "  --body TEXT         the reply, instead of TEXT\n"
	      "  --file F            read the reply from F (-: stdin)\n"
	      "                      Trailing newlines are dropped.\n"
	      "  --json              print the server's answer as it is\n"
	      "\n" DSN_OPTIONS},
    {"board", "Print a link that signs this install in to the project's feedback board in a\n"
	      "browser: vote, suggest, comment, answer the team and follow your reports and\n"
	      "suggestions there. The link works once, within 10 minutes; run the command\n"
	      "again for a new one. Keep it to yourself until used: it signs in as you.\n"
	      "\n"
	      "  --open              open the link with xdg-open (else say to open it)\n"
	      "  --name N            the name the board credits your votes and suggestions\n"
	      "                      with; sent only when given\n"
	      "\n" DSN_OPTIONS},
    {"news", "This install's news since the last time you asked, one line each: your bugs\n"
	     "fixed in a release (\"Your bug R-12 is fixed in 1.4.0\"), suggestions you sent\n"
	     "or voted for that shipped, the team's replies on your reports. Asking marks\n"
	     "them seen: the next time brings only newer news. Nothing new: a note on stderr.\n"
	     "\n" DSN_OPTIONS},
    {"queue", "What waits in the spools to be sent (reports, suggestions, votes): the spool of\n"
	      "every DSN under ~/.local/state/prosum/spool/, or $PROSUM_SPOOL alone.\n"
	      "\n"
	      "  list                every item: its ID (the start of its uuid), kind, age,\n"
	      "                      delivery attempts, target DSN, title, last error (default)\n"
	      "  show ID             one item in full: the document and its attachments\n"
	      "  retarget ID|--all   move items to the spool of another DSN (--to), such as\n"
	      "                      after a mistyped DSN; `prosum flush` then sends them\n"
	      "  drop ID|--all       delete items for good\n"
	      "  --from DSN          with --all: only the items queued for this DSN\n"
	      "  --to DSN            where retarget moves them\n"},
    {"reports",
     "A table of reports, newest first: ID, GROUP, KIND, STATUS, VERSION, AGE, TITLE.\n"
     "Titles are cut with \"…\" to fit the terminal (see `prosum --help`).\n"
     "\n"
     "Filters:\n"
     "  --kind KIND         crash, bug or feedback\n"
     "  --status S          " REPORT_STATUSES "\n"
     "  --group G-n         the reports of one group\n"
     "  --version V         the build's version\n"
     "  --revision R        the build's revision, as it was sent\n"
     "  --platform P        the operating system, such as Linux\n"
     "  --cohort C          reports whose sender was in cohort C when they arrived\n"
     "                      ('' lists the reports of no cohort)\n"
     "  --tag KEY=VALUE     reports sent with this tag (KEY:VALUE is taken too)\n"
     "  --since TIME        received at or after TIME\n"
     "  --until TIME        received before TIME\n"
     "  --q TEXT            full-text search of titles, descriptions, exceptions, frames\n"
     "Output:\n"
     "  --sort S            newest or oldest (default: newest)\n"
     "  --limit N           1 to 500 a page (default: the server's, 50)\n"
     "  --cursor C          the next page, as the last one said on stderr (more: ...)\n"
     "  --format F          csv or jsonl: every matching report, oldest first, streamed;\n"
     "                      without --limit, --cursor and --json\n"
     "  --json              print the server's answer as it is\n"
     "\n" TIME_FORMS "\n" TOKEN_OPTIONS},
    {"groups", "A table of duplicate groups, the most recently seen first: ID, STATUS, KIND,\n"
	       "COUNT (reports), TESTERS, LAST SEEN, FIXED IN, ASSIGNEE, TITLE.\n"
	       "\n"
	       "Filters:\n"
	       "  --status S          " REPORT_STATUSES "\n"
	       "  --kind KIND         crash, bug or feedback\n"
	       "  --version V         groups with a report from this version\n"
	       "  --platform P        groups with a report from this operating system\n"
	       "  --since TIME        last seen at or after TIME\n"
	       "  --until TIME        first seen before TIME\n"
	       "Output:\n"
	       "  --sort S            newest, oldest, count or testers (default: newest)\n"
	       "  --limit N, --cursor C, --json   as for `prosum reports`\n"
	       "\n" TIME_FORMS "\n" TOKEN_OPTIONS},
    {"suggestions",
     "A table of the community's suggestions, the most votes first.\n"
     "\n"
     "  --status S          new, under_review, planned, in_progress, shipped, declined,\n"
     "                      duplicate\n"
     "  --q TEXT            search titles and bodies\n"
     "  --sort S            votes or newest (default: votes)\n"
     "  --limit N, --cursor C, --json   as for `prosum reports`\n"
     "\n" TOKEN_OPTIONS},
    {"show", "One item, readable. A report: its build, revision, platform, tags, frames,\n"
	     "suspect commits, attachments, comments (a tester's replies marked so:\n"
	     "\"Ada (tester, 5m ago): ...\") and history. A group: its counts, first and last\n"
	     "seen build, versions, platforms, suspects, the frames of its latest report and\n"
	     "its latest reports. A suggestion: its votes, body and history.\n"
	     "\n"
	     "  R-n|G-n|S-n         the item, in any case (r-12 works too)\n"
	     "  EVENT_ID            the report of a Sentry event: 32 hex digits, dashes allowed\n"
	     "  --json              print the server's answer as it is\n"
	     "\n" TOKEN_OPTIONS},
    {"set", "Change a report, a group or a suggestion; prints its status afterwards.\n"
	    "\n"
	    "  R-n|G-n|S-n         the item, in any case\n"
	    "  --status S          reports and groups: " REPORT_STATUSES "\n"
	    "                      (regressed is prosum's to set); suggestions: new,\n"
	    "                      under_review, planned, in_progress, shipped, declined,\n"
	    "                      duplicate\n"
	    "  --assignee A        who works on it; \"\" clears it (reports, groups)\n"
	    "  --fixed-by REV      the commit that fixes it: a hash, tag, branch or HEAD~N, which\n"
	    "                      the server resolves to a full commit; \"\" clears it\n"
	    "  --merge-into G-n    move a group's reports into another group (groups)\n"
	    "  --duplicate-of S-n  merge a suggestion into another (suggestions)\n"
	    "  --shipped-in NAME   the release that shipped it (suggestions)\n"
	    "  --comment TEXT      a comment the tester sees with `prosum mine`\n"
	    "  --json              print the server's answer as it is\n"
	    "\n" TOKEN_OPTIONS},
    {"release", "Releases: `add` registers NAME at a git ref of the project's repository;\n"
		"`show` tells what it shipped and fixed, and whom to credit (--notes: the\n"
		"release notes, Markdown); `list` lists them.\n"
		"\n"
		"  --ref REF           a tag, branch or commit (release add)\n"
		"  --notes             the release notes (release show)\n"
		"  --json              print the server's answer as it is\n"
		"\n" TOKEN_OPTIONS},
    {"sync", "Read the project's repository again (fetching its remote when it has one), link\n"
	     "new commits to reports and suggestions, and resolve revisions not found before.\n"
	     "\n"
	     "  --json              print the server's answer as it is\n"
	     "\n" TOKEN_OPTIONS},
    {"attachment", "Download a file sent with a report, byte for byte, to stdout or to FILE.\n"
		   "`prosum show R-n` lists a report's attachments.\n"
		   "\n"
		   "  R-n NAME            the report (in any case) and the attachment's name\n"
		   "  -o, --output FILE   write FILE, replaced only once the download is complete\n"
		   "                      (default, or -: stdout)\n"
		   "\n" TOKEN_OPTIONS},
    {"health", "Release health: per build of a release, its sessions, installs and their share\n"
	       "(adoption), crash-free sessions and installs, errored and abnormal rates, the\n"
	       "median session, and the change in crash-free sessions against the build before\n"
	       "it in the git history; then the crash groups costing the most sessions (with\n"
	       "--by cohort, of each cohort's reports too).\n"
	       "\n"
	       "  --release R         this release (as the SDK names it, without \"+build\");\n"
	       "                      default: the releases with the newest sessions\n"
	       "  --by cohort|channel|platform\n"
	       "                      each build split by tester cohort, channel or platform\n"
	       "                      (the OS; \"unknown\" when a session did not say)\n"
	       "  --days N            sessions of the last N days (default 30)\n"
	       "  --check             judge the newest build against the project's gates:\n"
	       "                      exit 0 when it meets them (or none are set), 1 naming\n"
	       "                      the gates it fails, 3 when it has too few sessions\n"
	       "  --json              print the server's answer as it is\n"
	       "\n"
	       "prosum health gates: the project's release gates, one a line\n"
	       "(\"crash_free_sessions >= 99.5 over >= 500 sessions\").\n"
	       "  --set 'METRIC OP VALUE'  replace the gates with these (an admin's token);\n"
	       "                      METRIC crash_free_sessions, crash_free_installs,\n"
	       "                      errored_rate or abnormal_rate (one gate each); OP >=, >,\n"
	       "                      <= or <; VALUE a percentage, 0 to 100\n"
	       "  --min-sessions N    after a --set: the sessions a build needs before that\n"
	       "                      gate judges it (default 0)\n"
	       "  --clear             remove every gate\n"
	       "\n" TOKEN_OPTIONS},
};

const char *cli_help_text(const char *command)
{
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (strcmp(helps[i].command, command) == 0)
			return helps[i].text;
	return NULL;
}

const char cli_help_common[] =
    "Run `prosum COMMAND --help` (or `prosum help COMMAND`) for a command's options.\n"
    "\n"
    "The tester's commands (report, flush, suggest, vote, mine, reply, board) take --dsn\n"
    "DSN; the team's take --server URL --token T [--project P]. Every command takes --cacert\n"
    "FILE, --pin sha256//BASE64 and --timeout MS (0: none). --dsn, --server, --token,\n"
    "--project, --cacert, --pin fall back to PROSUM_DSN, PROSUM_SERVER, PROSUM_TOKEN,\n"
    "PROSUM_PROJECT, PROSUM_CACERT, PROSUM_PIN.\n"
    "Ids (R-n, G-n, S-n) are taken in any case. Tags are KEY=VALUE everywhere.\n" TIME_FORMS
    "Tables fit the width in COLUMNS, else the terminal's; into a pipe or a file without\n"
    "COLUMNS, nothing is cut. --json prints the server's answer as it is.\n"
    "The spool of queued reports is PROSUM_SPOOL, else ~/.local/state/prosum/spool/.\n"
    "Exit status: 0 done, 1 failed (the reason on stderr), 2 a usage mistake.\n";
