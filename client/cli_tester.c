/* cli_tester.c - the tester's commands: report, flush, suggest, vote, mine (the DSN's ingest key).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_api.h"
#include "cli_print.h"
#include "prosum.h"
#include "strbuf.h"
#include "util.h"

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
	unsigned int sent, refused;
} capture;

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void on_delivery(const prosum_result *res, void *payload)
{
	capture *cap = payload;
	strbuf line = STRBUF_INIT(2048);

	if (res->status >= 200 && res->status <= 299)
		cap->sent++;
	else
		cap->refused++;
	if (!cap->uuid || !res->uuid || strcmp(cap->uuid, res->uuid) != 0)
		return;
	cap->got = 1;
	cap->status = res->status;
	cap->duplicate = res->duplicate;
	cap->id = dup_or_null(res->id);
	cap->group = dup_or_null(res->group);
	cap->known_group = dup_or_null(res->known_group);
	cap->known_status = dup_or_null(res->known_status);
	cap->known_fixed_in = dup_or_null(res->known_fixed_in);
	if (res->status >= 300) {
		strbuf_printf(&line, "%d", res->status);
		if (res->error_code)
			strbuf_printf(&line, " %s", res->error_code);
		if (res->error_message)
			strbuf_printf(&line, "%s %s", res->error_code ? ":" : "",
				      res->error_message);
		if (res->error_field && res->error_field[0])
			strbuf_printf(&line, " (field %s)", res->error_field);
		cap->error = strbuf_detach(&line);
	}
	strbuf_free(&line);
}

static void capture_free(capture *cap)
{
	free(cap->id);
	free(cap->group);
	free(cap->known_group);
	free(cap->known_status);
	free(cap->known_fixed_in);
	free(cap->error);
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
	o.flags = PROSUM_NO_SENDER;
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

/* Build the report from --json and the flags (flags win). 0 or an exit status. */
static int build_report(prosum_report **out, const cli_args *a)
{
	prosum_report *r = NULL;
	prosum_kind kind = PROSUM_KIND_BUG;
	char *json = NULL, *doc = NULL;
	size_t len = 0;
	json_t *root = NULL, *build;
	int rc = 0;

	if (a->kind && kind_of(a->kind, &kind) != 0)
		return cli_usage_error("--kind must be bug, crash or feedback, not \"%s\"",
				       a->kind);
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
	if (a->revision || a->version || a->channel) {
		/* Keep what --json said for the parts not given on the command line. */
		json_t *b;
		if (prosum_report_to_json(&doc, r) != 0)
			goto bad;
		root = json_loads(doc, 0, NULL);
		b = json_object_get(root, "build");
		if (prosum_report_set_build(
			r,
			a->version ? a->version : json_string_value(json_object_get(b, "version")),
			a->revision ? a->revision
				    : json_string_value(json_object_get(b, "revision")),
			a->channel ? a->channel : json_string_value(json_object_get(b, "channel"))))
			goto bad;
		json_decref(root);
		root = NULL;
		free(doc);
		doc = NULL;
	}
	if ((a->name || a->email) && prosum_report_set_tester(r, a->name, a->email))
		goto bad;
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
	/* Refuse here what the server would refuse anyway (SPEC: required fields). */
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
	} else if (frc == PROSUM_ETLS || frc == PROSUM_EAUTH) {
		rc = cli_fail(
		    "not sent: %s; the report stays queued: fix %s and run `prosum flush`",
		    prosum_error_last(), frc == PROSUM_ETLS ? "--cacert or --pin" : "--dsn");
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

	memset(&cap, 0, sizeof(cap));
	rc = cli_timeout(a, &timeout);
	if (rc == 0)
		rc = open_client(&client, a, &cap);
	if (rc)
		goto out;
	frc = deliver(client, &cap, timeout);
	if (frc != 0) {
		char why[1024];
		snprintf(why, sizeof(why), "%s", prosum_error_last());
		prosum_client_stats(&st, client);
		rc = cli_fail("sent %u, refused %u; %llu still queued: %s", cap.sent, cap.refused,
			      (unsigned long long)st.pending, why);
		goto out;
	}
	printf("sent %u, refused %u\n", cap.sent, cap.refused);
	if (cap.refused)
		fprintf(stderr, "prosum: refusals are logged in %s/prosum.log\n",
			prosum_client_spool_dir(client));
out:
	capture_free(&cap);
	prosum_close(client);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* prosum suggest, prosum vote, prosum mine                                   */

/*
 * The API with the DSN's key, speaking for this install: the install id is
 * the one libprosum keeps for the spool (PROSUM_SPOOL or the state directory).
 */
static int open_install(cli_api *x, prosum_client **client, const cli_args *a)
{
	int rc;

	memset(x, 0, sizeof(*x));
	rc = open_client(client, a, NULL);
	if (rc == 0)
		rc = cli_api_open_dsn(x, a, prosum_client_install_id(*client));
	return rc;
}

/* Print the answer's `key` (an id or a count), or the whole answer with --json. */
static int print_answer(const cli_args *a, const transport_answer *ans, const json_t *root,
			const char *key)
{
	json_t *v = json_object_get(root, key);
	char text[256];

	if (a->json) {
		cli_api_print_raw(ans);
		return 0;
	}
	if (!json_is_string(v) && !json_is_integer(v))
		return cli_fail("the answer has no \"%s\"", key);
	cli_text(text, sizeof(text), v);
	printf("%s\n", text);
	return 0;
}

/* prosum suggest: a new suggestion from this install; prints S-n. */
int cli_suggest(const cli_args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	prosum_client *client = NULL;
	json_t *doc = NULL, *tester, *root = NULL;
	char uuid[37];
	cli_api x;
	int rc;

	memset(&x, 0, sizeof(x));
	if (!a->title || !a->title[0])
		return cli_usage_error("give --title");
	rc = open_install(&x, &client, a);
	if (rc)
		goto out;
	if (util_uuid4(uuid) != 0) {
		rc = cli_fail("%s", prosum_error_last());
		goto out;
	}
	/* A name goes along only when the tester gives one: it is how they are credited. */
	tester = json_pack("{s:s}", "install_id", prosum_client_install_id(client));
	doc = json_pack("{s:s,s:s,s:o}", "uuid", uuid, "title", a->title, "tester", tester);
	if (!doc || (a->body && json_object_set_new(doc, "body", json_string(a->body))) ||
	    (a->name && json_object_set_new(tester, "name", json_string(a->name)))) {
		rc = cli_fail("--title, --body and --name must be UTF-8 text");
		goto out;
	}
	rc = cli_api_call(&x, &ans, &root, "POST", "/suggestions", doc);
	if (rc == 0)
		rc = print_answer(a, &ans, root, "id");
out:
	json_decref(doc);
	json_decref(root);
	transport_answer_free(&ans);
	cli_api_close(&x);
	prosum_close(client);
	return rc;
}

/* prosum vote: one vote per install (or its withdrawal); prints the suggestion's votes. */
int cli_vote(const cli_args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	prosum_client *client = NULL;
	json_t *doc = NULL, *root = NULL;
	char path[64];
	cli_api x;
	int rc;

	memset(&x, 0, sizeof(x));
	if (!cli_is_id(a->pos[0], 'S'))
		return cli_usage_error("vote takes a suggestion id such as S-4, not \"%s\"",
				       a->pos[0]);
	if (a->withdraw && a->name)
		return cli_usage_error("--name goes with a vote, not with --withdraw");
	snprintf(path, sizeof(path), "/suggestions/%s/votes", a->pos[0]);
	rc = open_install(&x, &client, a);
	if (rc)
		goto out;
	doc = json_pack("{s:s}", "install_id", prosum_client_install_id(client));
	if (!doc || (a->name && json_object_set_new(doc, "name", json_string(a->name)))) {
		rc = cli_fail("--name must be UTF-8 text");
		goto out;
	}
	rc = cli_api_call(&x, &ans, &root, a->withdraw ? "DELETE" : "POST", path, doc);
	if (rc == 0)
		rc = print_answer(a, &ans, root, "votes");
out:
	json_decref(doc);
	json_decref(root);
	transport_answer_free(&ans);
	cli_api_close(&x);
	prosum_close(client);
	return rc;
}

/* prosum mine: this install's reports and suggestions, what became of them, the team's words. */
int cli_mine(const cli_args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	prosum_client *client = NULL;
	json_t *root = NULL;
	strbuf path = STRBUF_INIT(1024), query = STRBUF_INIT(512);
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
		util_rfc3339(since, (time_t)secs);
	}
	if (cli_api_param(&query, "since", a->since ? since : NULL) != 0 ||
	    strbuf_printf(&path, "/mine%s", query.ptr ? query.ptr : "") != 0) {
		rc = cli_fail("out of memory");
		goto out;
	}
	rc = open_install(&x, &client, a);
	if (rc == 0)
		rc = cli_api_call(&x, &ans, &root, "GET", path.ptr, NULL);
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
	strbuf_free(&path);
	strbuf_free(&query);
	cli_api_close(&x);
	prosum_close(client);
	return rc;
}
