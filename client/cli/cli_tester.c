/* cli_tester.c - the tester's commands: report, flush, suggest, vote, mine (the DSN's ingest key).
 * prosum reply: cli_reply.c. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/rfc3339.h"
#include "cli/cli.h"
#include "cli/cli_api.h"
#include "cli/cli_print.h"
#include "prosum.h"
#include "common/buf.h"
#include "lib/prosum_tool.h"

/* ------------------------------------------------------------------------ */
/* prosum report, prosum flush                                                */

/* What the sender said about the report this command queued. */
typedef struct capture {
	const char *uuid;
	int got;
	int status;
	int duplicate;
	char *id, *group, *known_group, *known_status, *known_fixed_in;
	char *error;
	char *body;     /* the answer as it came, for --json */
	int counted;    /* a vote: PROSUM_COUNTED, PROSUM_NOT_COUNTED or 0 */
	long votes;     /* a vote: the suggestion's votes afterwards */
	int print_each; /* prosum flush: one line per delivered item */
	unsigned int sent, refused;
} capture;

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Whether a vote counted, as the vote command and flush say it. */
static const char *vote_word(int counted, int withdraw)
{
	if (withdraw == 1)
		return counted == PROSUM_COUNTED       ? "your vote withdrawn"
		       : counted == PROSUM_NOT_COUNTED ? "this install had no vote to withdraw"
						       : "withdrawal sent";
	if (withdraw == 0)
		return counted == PROSUM_COUNTED ? "your vote counted"
		       : counted == PROSUM_NOT_COUNTED
			   ? "your vote was already counted (one per install)"
			   : "vote sent";
	/* flush: a vote or a withdrawal, it does not know which */
	return counted == PROSUM_COUNTED       ? "counted"
	       : counted == PROSUM_NOT_COUNTED ? "not counted (no change: one vote per install)"
					       : "sent";
}

/*
 * One line for an item a flush delivered: "R-12 (uuid ...)", "S-4 (uuid
 * ...)", "vote S-4: counted", or its refusal on stderr.
 */
static void print_delivered(const prosum_result *res)
{
	char line[1024];
	const char *kind = res->kind ? res->kind : "report";

	if (res->status < 200 || res->status > 299) {
		snprintf(line, sizeof(line), "refused %s (uuid %s): %d %s%s%s", kind,
			 res->uuid ? res->uuid : "?", res->status,
			 res->error_code ? res->error_code : "", res->error_message ? ": " : "",
			 res->error_message ? res->error_message : "");
		util_sanitize(line);
		fflush(stdout); /* in order with the delivered ids when both go to one file */
		fprintf(stderr, "prosum: %s\n", line);
		return;
	}
	if (strcmp(kind, "vote") == 0)
		snprintf(line, sizeof(line), "vote %s: %s", res->id ? res->id : "?",
			 vote_word(res->counted, -1));
	else if (strcmp(kind, "session") == 0 || strcmp(kind, "rating") == 0)
		snprintf(line, sizeof(line), "%s (uuid %s)", kind, res->uuid ? res->uuid : "?");
	else
		snprintf(line, sizeof(line), "%s (uuid %s)%s", res->id ? res->id : "?",
			 res->uuid ? res->uuid : "?", res->duplicate ? " already there" : "");
	util_sanitize(line);
	printf("%s\n", line);
}

static void on_delivery(const prosum_result *res, void *payload)
{
	capture *cap = payload;
	buf line = BUF_INIT(2048);

	if (res->status >= 200 && res->status <= 299)
		cap->sent++;
	else
		cap->refused++;
	if (cap->print_each)
		print_delivered(res);
	if (!cap->uuid || !res->uuid || strcmp(cap->uuid, res->uuid) != 0)
		return;
	cap->body = dup_or_null(res->body);
	cap->counted = res->counted;
	cap->votes = res->votes;
	cap->got = 1;
	cap->status = res->status;
	cap->duplicate = res->duplicate;
	cap->id = dup_or_null(res->id);
	cap->group = dup_or_null(res->group);
	cap->known_group = dup_or_null(res->known_group);
	cap->known_status = dup_or_null(res->known_status);
	cap->known_fixed_in = dup_or_null(res->known_fixed_in);
	if (res->status >= 300) {
		buf_printf(&line, "%d", res->status);
		if (res->error_code)
			buf_printf(&line, " %s", res->error_code);
		if (res->error_message)
			buf_printf(&line, "%s %s", res->error_code ? ":" : "", res->error_message);
		if (res->error_field && res->error_field[0])
			buf_printf(&line, " (field %s)", res->error_field);
		cap->error = buf_detach_str(&line);
	}
	buf_free(&line);
}

static void capture_free(capture *cap)
{
	free(cap->id);
	free(cap->group);
	free(cap->known_group);
	free(cap->known_status);
	free(cap->known_fixed_in);
	free(cap->error);
	free(cap->body);
}

/*
 * A client for the tester commands: the spool and the install id of this
 * install. The command delivers in its own thread (no background sender).
 */
static int open_client(prosum_client **out, const cli_args *a, capture *cap)
{
	prosum_options o = PROSUM_OPTIONS_INIT;

	if (!a->dsn)
		return cli_usage_error("no DSN: give --dsn or set PROSUM_DSN");
	o.flags = PROSUM_NO_SENDER | PROSUM_NO_SESSIONS; /* the prosum command is no beta build */
	o.close_wait_ms = 0; /* the commands deliver themselves, within --timeout */
	o.ca_file = a->cacert;
	o.pinned_pubkey = a->pin;
	o.on_delivery = cap ? on_delivery : NULL;
	o.on_delivery_payload = cap;
	if (prosum_client_new(out, a->dsn, &o) != 0)
		return cli_fail("%s", prosum_error_last());
	return 0;
}

static int kind_of(const char *s, prosum_kind *out)
{
	if (strcmp(s, "bug") == 0)
		*out = PROSUM_KIND_BUG;
	else if (strcmp(s, "crash") == 0)
		*out = PROSUM_KIND_CRASH;
	else if (strcmp(s, "feedback") == 0)
		*out = PROSUM_KIND_FEEDBACK;
	else
		return -1;
	return 0;
}

/* A non-empty environment variable, else NULL. */
static const char *env_default(const char *name)
{
	const char *v = getenv(name);

	return v && v[0] ? v : NULL;
}

/* The severities the server knows (SPEC "The report"). */
static int severity_valid(const char *s)
{
	static const char *const known[] = {"critical", "major", "minor", "trivial"};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(s, known[i]) == 0)
			return 1;
	return 0;
}

/*
 * Build the report from --json and the flags (flags win). --version and
 * --revision fall back to $PROSUM_VERSION and $PROSUM_REVISION, before
 * what --json says. 0 or an exit status.
 */
static int build_report(prosum_report **out, const cli_args *a)
{
	prosum_report *r = NULL;
	prosum_kind kind = PROSUM_KIND_BUG;
	char *json = NULL, *doc = NULL;
	size_t len = 0;
	json_t *root = NULL, *build;
	int rc = 0;

	const char *version = a->version ? a->version : env_default("PROSUM_VERSION");
	const char *revision = a->revision ? a->revision : env_default("PROSUM_REVISION");

	if (a->kind && kind_of(a->kind, &kind) != 0)
		return cli_usage_error("--kind must be bug, crash or feedback, not \"%s\"",
				       a->kind);
	if (a->severity && !severity_valid(a->severity))
		return cli_usage_error("--severity must be one of: critical, major, minor, trivial "
				       "(not \"%s\")",
				       a->severity);
	if (a->json_file) {
		if (util_read_file(&json, &len, a->json_file, PROSUM_MAX_REPORT_JSON) != 0 ||
		    prosum_report_from_json(&r, json, len) != 0) {
			rc = cli_fail("%s: %s", a->json_file, prosum_error_last());
			goto out;
		}
		if (a->kind && prosum_report_set_kind(r, kind) != 0)
			goto bad;
	} else if (prosum_report_new(&r, kind) != 0) {
		goto bad;
	}
	if ((a->title && prosum_report_set_title(r, a->title)) ||
	    (a->description && prosum_report_set_description(r, a->description)) ||
	    (a->severity && prosum_report_set_severity(r, a->severity)) ||
	    (a->steps && prosum_report_set_steps(r, a->steps)))
		goto bad;
	if (revision || version || a->channel) {
		/* Keep what --json said for the parts not given on the command line. */
		json_t *b;
		if (prosum_report_to_json(&doc, r) != 0)
			goto bad;
		root = json_loads(doc, 0, NULL);
		b = json_object_get(root, "build");
		if (prosum_report_set_build(
			r, version ? version : json_string_value(json_object_get(b, "version")),
			revision ? revision : json_string_value(json_object_get(b, "revision")),
			a->channel ? a->channel : json_string_value(json_object_get(b, "channel"))))
			goto bad;
		json_decref(root);
		root = NULL;
		free(doc);
		doc = NULL;
	}
	if ((a->name || a->email) && prosum_report_set_tester(r, a->name, a->email))
		goto bad;
	if (a->notify && prosum_report_set_tester_notify(r, 1) != 0) {
		rc = a->email || a->json_file
			 ? cli_usage_error("--notify: %s", prosum_error_last())
			 : cli_usage_error("--notify needs --email ADDRESS: where to mail you");
		goto out;
	}
	for (size_t i = 0; i < a->ntags; i++) {
		const char *eq = strchr(a->tags[i], '=');
		char key[256];
		if (!eq || eq == a->tags[i] || (size_t)(eq - a->tags[i]) >= sizeof(key)) {
			rc = cli_usage_error("--tag takes KEY=VALUE, not \"%s\"", a->tags[i]);
			goto out;
		}
		memcpy(key, a->tags[i], (size_t)(eq - a->tags[i]));
		key[eq - a->tags[i]] = '\0';
		if (prosum_report_set_tag(r, key, eq + 1))
			goto bad;
	}
	for (size_t i = 0; i < a->nattach; i++) {
		if (prosum_report_attach_file(r, a->attach[i], NULL)) {
			rc = cli_fail("--attach %s: %s", a->attach[i], prosum_error_last());
			goto out;
		}
	}
	/* Refuse here what the server would refuse anyway (docs/report-format.md). */
	if (prosum_report_to_json(&doc, r) != 0)
		goto bad;
	root = json_loads(doc, 0, NULL);
	build = json_object_get(root, "build");
	if (!json_string_value(json_object_get(build, "revision")) &&
	    !json_string_value(json_object_get(build, "version"))) {
		rc = cli_usage_error("give --revision or --version: the build the report is about");
		goto out;
	}
	if (!json_object_get(root, "title") && !json_object_get(root, "exception")) {
		rc = cli_usage_error("give --title");
		goto out;
	}
	*out = r;
	r = NULL;
	goto out;
bad:
	rc = cli_fail("%s", prosum_error_last());
out:
	json_decref(root);
	free(doc);
	free(json);
	prosum_report_free(r);
	return rc;
}

/* "already fixed in 1.4.0-beta.3 (G-3)" and its variants. */
static void print_known(const capture *cap)
{
	char line[512];

	if (!cap->known_group && !cap->known_status)
		return;
	if (cap->known_status && strcmp(cap->known_status, "fixed") == 0) {
		if (cap->known_fixed_in)
			snprintf(line, sizeof(line), "already fixed in %s (%s)",
				 cap->known_fixed_in, cap->known_group ? cap->known_group : "?");
		else
			snprintf(line, sizeof(line), "already fixed (%s)",
				 cap->known_group ? cap->known_group : "?");
	} else {
		snprintf(line, sizeof(line), "known issue %s (%s)",
			 cap->known_group ? cap->known_group : "?",
			 cap->known_status ? cap->known_status : "open");
	}
	util_sanitize(line);
	printf("%s\n", line);
}

/*
 * Deliver the spool within `timeout` ms. When the server paces us (429 or
 * 503 with Retry-After) the flush is tried again, after the wait it asked
 * for, while the time allows and deliveries go on: a rate-limited server
 * still gets everything, only slower. Returns what the last flush returned.
 */
static int deliver(prosum_client *client, const capture *cap, long timeout)
{
	uint64_t deadline = util_now_ms() + (uint64_t)timeout;
	unsigned int stalls = 0;
	int frc;

	for (;;) {
		unsigned int before = cap->sent + cap->refused;
		uint64_t now = util_now_ms();
		frc = prosum_flush(client, timeout == 0 ? -1 : (long)(deadline - now));
		if (frc != PROSUM_EBUSY)
			break;
		now = util_now_ms();
		stalls = cap->sent + cap->refused == before ? stalls + 1 : 0;
		if ((timeout > 0 && now >= deadline) || stalls >= 2)
			break;
	}
	return frc;
}

/* The server refused the DSN's key or project: say how to move what waits. */
static int auth_hint(prosum_client *client, const cli_args *a)
{
	prosum_stats st = PROSUM_STATS_INIT;
	char why[1024];

	snprintf(why, sizeof(why), "%s", prosum_error_last());
	prosum_client_stats(&st, client);
	return cli_queue_hint(a->dsn, why, (unsigned long long)st.pending);
}

/*
 * prosum report: queue the report in the spool (durable first), then deliver
 * the spool. When the server cannot be reached the report stays queued, a
 * note says so on stderr and the exit status is still 0: the report is safe
 * and `prosum flush` (or any program using the same DSN) sends it later. A
 * refusal by the server, or a TLS failure, exits 1.
 */
int cli_report(const cli_args *a)
{
	prosum_client *client = NULL;
	prosum_report *r = NULL;
	capture cap;
	long timeout;
	int rc, frc;

	memset(&cap, 0, sizeof(cap));
	rc = cli_timeout(a, &timeout);
	if (rc == 0)
		rc = build_report(&r, a);
	if (rc == 0)
		rc = open_client(&client, a, &cap);
	if (rc)
		goto out;
	cap.uuid = prosum_report_uuid(r);
	if (prosum_submit(client, r) != 0) {
		rc = cli_fail("cannot queue the report: %s", prosum_error_last());
		goto out;
	}
	frc = deliver(client, &cap, timeout);
	if (cap.got && cap.status >= 200 && cap.status <= 299) {
		char id[64];
		snprintf(id, sizeof(id), "%s", cap.id ? cap.id : "?");
		util_sanitize(id);
		printf("%s\n", id);
		print_known(&cap);
		if (cap.duplicate)
			fprintf(stderr, "prosum: note: the server already had this report\n");
		rc = 0;
	} else if (cap.got) {
		rc = cli_fail("the server refused the report: %s", cap.error ? cap.error : "?");
	} else if (frc == PROSUM_EAUTH) {
		rc = auth_hint(client, a);
	} else if (frc == PROSUM_ETLS) {
		rc = cli_transport_fail(
		    "the report stays queued: fix --cacert or --pin and run `prosum flush`");
	} else {
		char why[1024];
		snprintf(why, sizeof(why), "%s", prosum_error_last());
		util_sanitize(why);
		fprintf(stderr, "prosum: queued (%s): will be sent by `prosum flush` (%s)\n",
			frc == PROSUM_EBUSY   ? "server busy"
			: frc == PROSUM_EHTTP ? "server error"
					      : "server unreachable",
			why);
		rc = 0;
	}
out:
	capture_free(&cap);
	prosum_report_free(r);
	prosum_close(client);
	return rc;
}

/* prosum flush: deliver the spool of a DSN. 0 when it is empty afterwards. */
int cli_flush(const cli_args *a)
{
	prosum_client *client = NULL;
	prosum_stats st = PROSUM_STATS_INIT;
	capture cap;
	long timeout;
	int rc, frc;

	unsigned long long elsewhere;

	memset(&cap, 0, sizeof(cap));
	cap.print_each = 1;
	rc = cli_timeout(a, &timeout);
	if (rc == 0)
		rc = open_client(&client, a, &cap);
	if (rc)
		goto out;
	frc = deliver(client, &cap, timeout);
	if (frc == PROSUM_EAUTH) {
		rc = auth_hint(client, a);
		goto out;
	}
	if (frc != 0) {
		char why[1024];
		snprintf(why, sizeof(why), "%s", prosum_error_last());
		prosum_client_stats(&st, client);
		fflush(stdout);
		rc = cli_fail("sent %u, refused %u; %llu still queued: %s", cap.sent, cap.refused,
			      (unsigned long long)st.pending, why);
		goto out;
	}
	printf("sent %u, refused %u\n", cap.sent, cap.refused);
	fflush(stdout);
	if (cap.refused)
		fprintf(stderr, "prosum: refusals are logged in %s/prosum.log\n",
			prosum_client_spool_dir(client));
	/* Items queued for another DSN (a mistyped one?) are not this flush's: say they wait. */
	elsewhere = cli_queue_elsewhere(prosum_client_spool_dir(client));
	if (elsewhere)
		fprintf(stderr,
			"prosum: note: %llu queued %s for other DSNs: see `prosum queue list`\n",
			elsewhere, elsewhere == 1 ? "item waits" : "items wait");
out:
	capture_free(&cap);
	prosum_close(client);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* prosum suggest, prosum vote, prosum mine                                   */

int cli_open_install(cli_api *x, prosum_client **client, const cli_args *a)
{
	int rc;

	memset(x, 0, sizeof(*x));
	rc = open_client(client, a, NULL);
	if (rc == 0)
		rc = cli_api_open_dsn(x, a, prosum_client_install_id(*client));
	return rc;
}

/*
 * Deliver the spool after a suggestion or vote (`what`) was queued, and say
 * what became of it. 0 with *delivered set when the server answered 2xx;
 * 0 too when it could not be reached (the item waits, a note on stderr);
 * else an exit status with its line printed.
 */
static int deliver_item(prosum_client *client, capture *cap, const cli_args *a, long timeout,
			const char *what, int *delivered)
{
	int frc = deliver(client, cap, timeout);
	char why[1024];

	*delivered = 0;
	if (cap->got && cap->status >= 200 && cap->status <= 299) {
		*delivered = 1;
		return 0;
	}
	if (cap->got)
		return cli_fail("the server refused the %s: %s", what,
				cap->error ? cap->error : "?");
	if (frc == PROSUM_EAUTH)
		return auth_hint(client, a);
	if (frc == PROSUM_ETLS) {
		snprintf(why, sizeof(why),
			 "the %s stays queued: fix --cacert or --pin and run `prosum flush`", what);
		return cli_transport_fail(why);
	}
	snprintf(why, sizeof(why), "%s", prosum_error_last());
	util_sanitize(why);
	fprintf(stderr, "prosum: %s queued (%s): will be sent by `prosum flush` (%s)\n", what,
		frc == PROSUM_EBUSY   ? "server busy"
		: frc == PROSUM_EHTTP ? "server error"
				      : "server unreachable",
		why);
	return 0;
}

/*
 * prosum suggest: a new suggestion from this install, queued in the spool
 * first like a report (its uuid keeps it single however often it is sent),
 * then delivered; prints S-n.
 */
int cli_suggest(const cli_args *a)
{
	prosum_client *client = NULL;
	char uuid[37];
	capture cap;
	long timeout;
	int rc, delivered = 0;

	memset(&cap, 0, sizeof(cap));
	if (!a->title || !a->title[0])
		return cli_usage_error("give --title");
	rc = cli_timeout(a, &timeout);
	if (rc == 0)
		rc = open_client(&client, a, &cap);
	if (rc)
		goto out;
	/* A name goes along only when the tester gives one: it is how they are credited. */
	if (prosum_suggestion_submit(uuid, client, a->title, a->body, a->name) != 0) {
		rc = cli_fail("cannot queue the suggestion: %s", prosum_error_last());
		goto out;
	}
	cap.uuid = uuid;
	rc = deliver_item(client, &cap, a, timeout, "suggestion", &delivered);
	if (rc == 0 && delivered) {
		char id[64];
		if (a->json) {
			printf("%s\n", cap.body ? cap.body : "");
		} else {
			snprintf(id, sizeof(id), "%s", cap.id ? cap.id : "?");
			util_sanitize(id);
			printf("%s\n", id);
		}
	}
out:
	capture_free(&cap);
	prosum_close(client);
	return rc;
}

/*
 * prosum vote: one vote per install (or its withdrawal), queued first like
 * a report; prints the suggestion's votes and whether this vote counted.
 */
int cli_vote(const cli_args *a)
{
	prosum_client *client = NULL;
	char uuid[37], line[256];
	capture cap;
	long timeout;
	int rc, delivered = 0;

	memset(&cap, 0, sizeof(cap));
	if (!cli_is_id(a->pos[0], 'S'))
		return cli_usage_error("vote takes a suggestion id such as S-4, not \"%s\"",
				       a->pos[0]);
	if (a->withdraw && a->name)
		return cli_usage_error("--name goes with a vote, not with --withdraw");
	rc = cli_timeout(a, &timeout);
	if (rc == 0)
		rc = open_client(&client, a, &cap);
	if (rc)
		goto out;
	if (prosum_vote_submit(uuid, client, a->pos[0], a->name, a->withdraw) != 0) {
		rc = cli_fail("cannot queue the vote: %s", prosum_error_last());
		goto out;
	}
	cap.uuid = uuid;
	rc =
	    deliver_item(client, &cap, a, timeout, a->withdraw ? "withdrawal" : "vote", &delivered);
	if (rc || !delivered)
		goto out;
	if (a->json) {
		printf("%s\n", cap.body ? cap.body : "");
		goto out;
	}
	snprintf(line, sizeof(line), "%s: %ld %s; %s", a->pos[0], cap.votes,
		 cap.votes == 1 ? "vote" : "votes", vote_word(cap.counted, a->withdraw ? 1 : 0));
	printf("%s\n", line);
out:
	capture_free(&cap);
	prosum_close(client);
	return rc;
}

/* prosum mine: this install's reports and suggestions, what became of them, the team's words. */
int cli_mine(const cli_args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	prosum_client *client = NULL;
	json_t *root = NULL;
	buf path = BUF_INIT(1024), query = BUF_INIT(512);
	char since[64];
	cli_api x;
	int rc;

	memset(&x, 0, sizeof(x));
	if (a->since && cli_time_option("since", a->since, since) != 0) {
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	/* The server reads `since` here as RFC 3339 only. */
	if (a->since && strspn(since, "0123456789") == strlen(since)) {
		long long secs = 0;
		for (const char *p = since; *p; p++)
			secs = secs * 10 + (*p - '0');
		rfc3339_format(since, (int64_t)secs);
	}
	if (cli_api_param(&query, "since", a->since ? since : NULL) != 0 ||
	    buf_printf(&path, "/mine%s", query.p ? query.p : "") != 0) {
		rc = cli_fail("out of memory");
		goto out;
	}
	rc = cli_open_install(&x, &client, a);
	if (rc == 0)
		rc = cli_api_call(&x, &ans, &root, "GET", path.p, NULL);
	if (rc)
		goto out;
	if (a->json)
		cli_api_print_raw(&ans);
	else if (!json_is_object(root))
		rc = cli_fail("the answer is not a JSON object");
	else
		cli_show_mine(root, time(NULL));
out:
	json_decref(root);
	transport_answer_free(&ans);
	buf_free(&path);
	buf_free(&query);
	cli_api_close(&x);
	prosum_close(client);
	return rc;
}

/*
 * prosum rate N [COMMENT]: this install's rating of a build, 1 to 5, queued first like a
 * vote. The build is --version/--revision when given, else the build of the install's
 * latest session (the server's choice). Prints "rated RELEASE (REVISION): N of 5".
 */
int cli_rate(const cli_args *a)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *client = NULL;
	char uuid[37], line[512];
	const char *comment = a->npos > 1 ? a->pos[1] : a->comment;
	json_t *ans = NULL;
	capture cap;
	long timeout, n;
	int rc, delivered = 0;

	memset(&cap, 0, sizeof(cap));
	if (cli_parse_count(a->pos[0], &n) != 0 || n < 1 || n > 5)
		return cli_usage_error("rate takes a rating from 1 to 5, not \"%s\"", a->pos[0]);
	if (!a->dsn)
		return cli_usage_error("no DSN: give --dsn or set PROSUM_DSN");
	rc = cli_timeout(a, &timeout);
	if (rc)
		return rc;
	o.flags = PROSUM_NO_SENDER | PROSUM_NO_SESSIONS; /* the prosum command is no beta build */
	o.close_wait_ms = 0;
	o.ca_file = a->cacert;
	o.pinned_pubkey = a->pin;
	o.app_version = a->version;
	o.app_revision = a->revision;
	o.on_delivery = on_delivery;
	o.on_delivery_payload = &cap;
	if (prosum_client_new(&client, a->dsn, &o) != 0)
		return cli_fail("%s", prosum_error_last());
	if (prosum_rate(uuid, client, (int)n, comment) != 0) {
		rc = cli_fail("cannot queue the rating: %s", prosum_error_last());
		goto out;
	}
	cap.uuid = uuid;
	rc = deliver_item(client, &cap, a, timeout, "rating", &delivered);
	if (rc || !delivered)
		goto out;
	if (a->json) {
		printf("%s\n", cap.body ? cap.body : "");
		goto out;
	}
	ans = json_loads(cap.body ? cap.body : "", 0, NULL);
	snprintf(line, sizeof(line), "rated %s (%s): %ld of 5",
		 json_string_value(json_object_get(ans, "release"))
		     ? json_string_value(json_object_get(ans, "release"))
		     : "?",
		 json_string_value(json_object_get(ans, "revision")) &&
			 json_string_value(json_object_get(ans, "revision"))[0]
		     ? json_string_value(json_object_get(ans, "revision"))
		     : "revision unknown",
		 n);
	util_sanitize(line);
	printf("%s\n", line);
out:
	json_decref(ans);
	capture_free(&cap);
	prosum_close(client);
	return rc;
}
