/* cli.c - the prosum command: testers send reports, developers list and read them. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsn.h"
#include "error.h"
#include "limits.h"
#include "prosum.h"
#include "strbuf.h"
#include "transport.h"
#include "util.h"

#define EXIT_USAGE 2

/* Which commands accept an option (bit per command). */
#define C_REPORT 0x01u
#define C_FLUSH 0x02u
#define C_REPORTS 0x04u
#define C_SHOW 0x08u
#define C_TESTER (C_REPORT | C_FLUSH)
#define C_TRIAGE (C_REPORTS | C_SHOW)

#define MAX_ATTACH PROSUM_MAX_ATTACHMENTS
#define MAX_TAGS PROSUM_MAX_TAGS
#define MAX_POS 4

/* Everything a command line can say; NULL/0 when not given. */
typedef struct args {
	const char *dsn, *server, *token, *cacert, *project, *timeout;
	const char *kind, *title, *description, *revision, *version, *channel, *json_file;
	const char *severity, *steps, *name, *email;
	const char *status, *group, *limit, *cursor, *query;
	int json;
	const char *attach[MAX_ATTACH];
	size_t nattach;
	const char *tags[MAX_TAGS];
	size_t ntags;
	const char *pos[MAX_POS];
	size_t npos;
} args;

enum { OPT_VALUE, OPT_FLAG, OPT_ATTACH, OPT_TAG };

typedef struct option_spec {
	const char *name;
	int type;
	size_t offset;
	unsigned int commands;
	const char *env; /* fallback environment variable */
} option_spec;

#define V(field) offsetof(args, field)
static const option_spec options[] = {
    {"dsn", OPT_VALUE, V(dsn), C_TESTER, "PROSUM_DSN"},
    {"server", OPT_VALUE, V(server), C_TRIAGE, "PROSUM_SERVER"},
    {"token", OPT_VALUE, V(token), C_TRIAGE, "PROSUM_TOKEN"},
    {"cacert", OPT_VALUE, V(cacert), C_TESTER | C_TRIAGE, "PROSUM_CACERT"},
    {"project", OPT_VALUE, V(project), C_TRIAGE, "PROSUM_PROJECT"},
    {"timeout", OPT_VALUE, V(timeout), C_TESTER | C_TRIAGE, NULL},
    {"kind", OPT_VALUE, V(kind), C_REPORT | C_REPORTS, NULL},
    {"title", OPT_VALUE, V(title), C_REPORT, NULL},
    {"description", OPT_VALUE, V(description), C_REPORT, NULL},
    {"revision", OPT_VALUE, V(revision), C_REPORT, NULL},
    {"version", OPT_VALUE, V(version), C_REPORT, NULL},
    {"channel", OPT_VALUE, V(channel), C_REPORT, NULL},
    {"severity", OPT_VALUE, V(severity), C_REPORT, NULL},
    {"steps", OPT_VALUE, V(steps), C_REPORT, NULL},
    {"name", OPT_VALUE, V(name), C_REPORT, NULL},
    {"email", OPT_VALUE, V(email), C_REPORT, NULL},
    {"attach", OPT_ATTACH, 0, C_REPORT, NULL},
    {"tag", OPT_TAG, 0, C_REPORT, NULL},
    {"json", OPT_VALUE, V(json_file), C_REPORT, NULL},
    {"json", OPT_FLAG, V(json), C_TRIAGE, NULL},
    {"status", OPT_VALUE, V(status), C_REPORTS, NULL},
    {"group", OPT_VALUE, V(group), C_REPORTS, NULL},
    {"limit", OPT_VALUE, V(limit), C_REPORTS, NULL},
    {"cursor", OPT_VALUE, V(cursor), C_REPORTS, NULL},
    {"q", OPT_VALUE, V(query), C_REPORTS, NULL},
};
#undef V

typedef struct command {
	const char *name;
	unsigned int bit;
	size_t min_pos, max_pos;
	int (*run)(const args *a);
	const char *usage;
} command;

static int cmd_report(const args *a);
static int cmd_flush(const args *a);
static int cmd_reports(const args *a);
static int cmd_show(const args *a);

/*
 * The subcommands. suggest, vote, mine, groups, suggestions, set, release
 * and sync join this table (and the option table above) as the server
 * grows the endpoints they need.
 */
static const command commands[] = {
    {"report", C_REPORT, 0, 0, cmd_report,
     "report --dsn DSN --kind bug|crash|feedback --title T [--description D]\n"
     "               [--revision R] [--version V] [--channel C] [--severity S] [--steps S]\n"
     "               [--tag K=V]... [--name N --email E] [--attach FILE]... [--json FILE]\n"
     "               [--timeout MS]"},
    {"flush", C_FLUSH, 0, 0, cmd_flush, "flush --dsn DSN [--timeout MS]"},
    {"reports", C_REPORTS, 0, 0, cmd_reports,
     "reports [--kind K] [--status S] [--group G-n] [--q TEXT] [--limit N] [--cursor C]\n"
     "               --server URL --token T [--project P] [--json]"},
    {"show", C_SHOW, 1, 1, cmd_show,
     "show R-n|G-n|S-n --server URL --token T [--project P] [--json]"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: prosum COMMAND [OPTIONS]\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  prosum %s\n", commands[i].usage);
	fprintf(f,
		"\n--dsn, --server, --token, --cacert fall back to PROSUM_DSN, PROSUM_SERVER,\n"
		"PROSUM_TOKEN, PROSUM_CACERT; --project to PROSUM_PROJECT, else \"demo\".\n"
		"The spool of queued reports is PROSUM_SPOOL, else ~/.local/state/prosum/spool/.\n"
		"`prosum report` queues the report before sending it: when the server cannot\n"
		"be reached it says so on stderr and still exits 0; `prosum flush` sends it.\n");
}

/* One line on stderr, control characters removed; returns 1 (the failure exit status). */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	util_sanitize(line);
	fprintf(stderr, "prosum: %s\n", line);
	return 1;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	util_sanitize(line);
	fprintf(stderr, "prosum: %s (see prosum --help)\n", line);
	return EXIT_USAGE;
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

/* Parse argv (after the command name) into *a. 0 or EXIT_USAGE (message printed). */
static int parse_args(args *a, const command *cmd, int argc, char **argv)
{
	int only_pos = 0;

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *eq, *value = NULL;
		const option_spec *o;
		size_t len;

		if (only_pos || arg[0] != '-' || arg[1] == '\0') {
			if (a->npos >= cmd->max_pos)
				return usage_error("%s: unexpected argument \"%s\"", cmd->name,
						   arg);
			a->pos[a->npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (arg[1] != '-')
			return usage_error("%s: unknown option \"%s\"", cmd->name, arg);
		arg += 2;
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg) : strlen(arg);
		o = find_option(arg, len, cmd->bit);
		if (!o)
			return usage_error("%s: unknown option \"--%.*s\"", cmd->name, (int)len,
					   arg);
		if (o->type == OPT_FLAG) {
			if (eq)
				return usage_error("--%s takes no value", o->name);
			*(int *)((char *)a + o->offset) = 1;
			continue;
		}
		if (eq) {
			value = eq + 1;
		} else {
			if (i + 1 >= argc)
				return usage_error("--%s needs a value", o->name);
			value = argv[++i];
		}
		if (o->type == OPT_ATTACH) {
			if (a->nattach >= MAX_ATTACH)
				return usage_error("more than %d --attach", MAX_ATTACH);
			a->attach[a->nattach++] = value;
		} else if (o->type == OPT_TAG) {
			if (a->ntags >= MAX_TAGS)
				return usage_error("more than %d --tag", MAX_TAGS);
			a->tags[a->ntags++] = value;
		} else {
			*(const char **)((char *)a + o->offset) = value;
		}
	}
	if (a->npos < cmd->min_pos)
		return usage_error("%s: missing argument", cmd->name);
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

/* A non-negative decimal number of at most 9 digits. */
static int parse_count(const char *s, long *out)
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

static int timeout_of(const args *a, long *out)
{
	*out = PROSUM_CLI_DEFAULT_TIMEOUT_MS;
	if (a->timeout && parse_count(a->timeout, out) != 0)
		return usage_error("--timeout takes milliseconds, not \"%s\"", a->timeout);
	return 0;
}

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

/* A client for the tester commands; the command delivers in its own thread (no background sender).
 */
static int open_client(prosum_client **out, const args *a, capture *cap)
{
	prosum_options o = PROSUM_OPTIONS_INIT;

	if (!a->dsn)
		return usage_error("no DSN: give --dsn or set PROSUM_DSN");
	o.flags = PROSUM_NO_SENDER;
	o.ca_file = a->cacert;
	o.on_delivery = on_delivery;
	o.on_delivery_payload = cap;
	if (prosum_client_new(out, a->dsn, &o) != 0)
		return fail("%s", prosum_error_last());
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
static int build_report(prosum_report **out, const args *a)
{
	prosum_report *r = NULL;
	prosum_kind kind = PROSUM_KIND_BUG;
	char *json = NULL, *doc = NULL;
	size_t len = 0;
	json_t *root = NULL, *build;
	int rc = 0;

	if (a->kind && kind_of(a->kind, &kind) != 0)
		return usage_error("--kind must be bug, crash or feedback, not \"%s\"", a->kind);
	if (a->json_file) {
		if (util_read_file(&json, &len, a->json_file, PROSUM_MAX_REPORT_JSON) != 0 ||
		    prosum_report_from_json(&r, json, len) != 0) {
			rc = fail("%s: %s", a->json_file, prosum_error_last());
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
			rc = usage_error("--tag takes KEY=VALUE, not \"%s\"", a->tags[i]);
			goto out;
		}
		memcpy(key, a->tags[i], (size_t)(eq - a->tags[i]));
		key[eq - a->tags[i]] = '\0';
		if (prosum_report_set_tag(r, key, eq + 1))
			goto bad;
	}
	for (size_t i = 0; i < a->nattach; i++) {
		if (prosum_report_attach_file(r, a->attach[i], NULL)) {
			rc = fail("--attach %s: %s", a->attach[i], prosum_error_last());
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
		rc = usage_error("give --revision or --version: the build the report is about");
		goto out;
	}
	if (!json_object_get(root, "title") && !json_object_get(root, "exception")) {
		rc = usage_error("give --title");
		goto out;
	}
	*out = r;
	r = NULL;
	goto out;
bad:
	rc = fail("%s", prosum_error_last());
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
 * prosum report: queue the report in the spool (durable first), then deliver
 * the spool. When the server cannot be reached the report stays queued, a
 * note says so on stderr and the exit status is still 0: the report is safe
 * and `prosum flush` (or any program using the same DSN) sends it later. A
 * refusal by the server, or a TLS failure, exits 1.
 */
static int cmd_report(const args *a)
{
	prosum_client *client = NULL;
	prosum_report *r = NULL;
	capture cap;
	long timeout;
	int rc, frc;

	memset(&cap, 0, sizeof(cap));
	rc = timeout_of(a, &timeout);
	if (rc == 0)
		rc = build_report(&r, a);
	if (rc == 0)
		rc = open_client(&client, a, &cap);
	if (rc)
		goto out;
	cap.uuid = prosum_report_uuid(r);
	if (prosum_submit(client, r) != 0) {
		rc = fail("cannot queue the report: %s", prosum_error_last());
		goto out;
	}
	frc = prosum_flush(client, timeout);
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
		rc = fail("the server refused the report: %s", cap.error ? cap.error : "?");
	} else if (frc == PROSUM_ETLS || frc == PROSUM_EAUTH) {
		rc = fail("not sent: %s; the report stays queued: fix %s and run `prosum flush`",
			  prosum_error_last(), frc == PROSUM_ETLS ? "--cacert" : "--dsn");
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
static int cmd_flush(const args *a)
{
	prosum_client *client = NULL;
	prosum_stats st = PROSUM_STATS_INIT;
	capture cap;
	long timeout;
	int rc, frc;

	memset(&cap, 0, sizeof(cap));
	rc = timeout_of(a, &timeout);
	if (rc == 0)
		rc = open_client(&client, a, &cap);
	if (rc)
		goto out;
	frc = prosum_flush(client, timeout);
	if (frc != 0) {
		char why[1024];
		snprintf(why, sizeof(why), "%s", prosum_error_last());
		prosum_client_stats(&st, client);
		rc = fail("sent %u, refused %u; %llu still queued: %s", cap.sent, cap.refused,
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
/* prosum reports, prosum show                                                */

typedef struct api {
	transport *t;
	strbuf base; /* https://HOST:PORT/api/v1/projects/PROJECT */
	const char *token;
} api;

static void api_free(api *x)
{
	transport_free(x->t);
	strbuf_free(&x->base);
}

static int api_open(api *x, const args *a, long timeout)
{
	transport_config cfg;
	const char *server = a->server, *project = a->project;
	char *esc = NULL;
	size_t n;
	dsn d;
	int rc;

	memset(x, 0, sizeof(*x));
	strbuf_init(&x->base, 4096);
	/* Without --server, the DSN names the server and the project. */
	if (!server && a->dsn && dsn_parse(&d, a->dsn) == 0) {
		server = d.origin;
		if (!project)
			project = d.project;
	}
	if (!server)
		return usage_error("no server: give --server or set PROSUM_SERVER");
	if (strncmp(server, "https://", 8) != 0)
		return usage_error("--server must be an https:// URL, not \"%s\"", server);
	if (!a->token)
		return usage_error("no token: give --token or set PROSUM_TOKEN");
	if (!project)
		project = "demo";
	n = strlen(server);
	while (n > 8 && server[n - 1] == '/')
		n--;
	esc = transport_escape(project);
	if (!esc)
		return fail("out of memory");
	rc = strbuf_printf(&x->base, "%.*s/api/v1/projects/%s", (int)n, server, esc);
	free(esc);
	if (rc)
		return fail("the server URL is too long");
	x->token = a->token;
	cfg.ca_file = a->cacert;
	cfg.pinned_pubkey = NULL;
	cfg.connect_timeout_ms = PROSUM_DEFAULT_CONNECT_TIMEOUT_MS;
	cfg.timeout_ms = timeout;
	cfg.cancel = NULL;
	if (transport_new(&x->t, &cfg) != 0)
		return fail("%s", prosum_error_last());
	return 0;
}

/* GET base + path; *root is the parsed answer. 0 or an exit status (message printed). */
static int api_get(api *x, transport_answer *ans, json_t **root, const char *path)
{
	strbuf url = STRBUF_INIT(8192);
	json_error_t jerr;
	char *line;
	int rc = 0;

	*root = NULL;
	if (strbuf_printf(&url, "%s%s", x->base.ptr, path) != 0) {
		rc = fail("the request URL is too long");
		goto out;
	}
	if (transport_request(x->t, ans, "GET", url.ptr, x->token, NULL, 0) != 0) {
		rc = fail("%s", prosum_error_last());
		goto out;
	}
	if (ans->status != 200) {
		line = transport_error_line(ans);
		rc = fail("GET %s: %s", url.ptr, line ? line : "error");
		free(line);
		goto out;
	}
	*root = json_loadb(ans->body.ptr, ans->body.len, 0, &jerr);
	if (!*root)
		rc = fail("GET %s: the answer is not JSON: line %d, column %d: %s", url.ptr,
			  jerr.line, jerr.column, jerr.text);
out:
	strbuf_free(&url);
	return rc;
}

/* A printable copy of a JSON value: strings as they are, numbers, "-" for null/absent. */
static void text_of(char *out, size_t n, json_t *v)
{
	if (json_is_string(v))
		snprintf(out, n, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, n, "%g", json_real_value(v));
	else if (json_is_true(v))
		snprintf(out, n, "true");
	else if (json_is_false(v))
		snprintf(out, n, "false");
	else if (!v || json_is_null(v))
		snprintf(out, n, "-");
	else {
		char *s = json_dumps(v, JSON_COMPACT);
		snprintf(out, n, "%s", s ? s : "?");
		free(s);
	}
	util_sanitize(out);
}

/* Seconds since the epoch of a timestamp given as RFC 3339 text or as a number. */
static int time_of(json_t *v, time_t *out)
{
	if (json_is_integer(v)) {
		*out = (time_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v))
		return util_parse_rfc3339(json_string_value(v), out);
	return -1;
}

/* "5m ago". */
static void age_of(char *out, size_t n, json_t *v, time_t now)
{
	time_t t;
	long long d;

	if (time_of(v, &t) != 0) {
		snprintf(out, n, "-");
		return;
	}
	d = (long long)(now - t);
	if (d < 5)
		snprintf(out, n, "just now");
	else if (d < 60)
		snprintf(out, n, "%llds ago", d);
	else if (d < 3600)
		snprintf(out, n, "%lldm ago", d / 60);
	else if (d < 86400)
		snprintf(out, n, "%lldh ago", d / 3600);
	else if (d < 86400LL * 60)
		snprintf(out, n, "%lldd ago", d / 86400);
	else if (d < 86400LL * 365 * 2)
		snprintf(out, n, "%lldmo ago", d / (86400LL * 30));
	else
		snprintf(out, n, "%lldy ago", d / (86400LL * 365));
}

static int add_param(strbuf *q, const char *name, const char *value)
{
	char *esc;
	int rc;

	if (!value)
		return 0;
	esc = transport_escape(value);
	if (!esc)
		return PROSUM_ENOMEM;
	rc = strbuf_printf(q, "%s%s=%s", q->len ? "&" : "?", name, esc);
	free(esc);
	return rc;
}

#define NCOLS 6
static const char *const column_names[NCOLS] = {"ID", "GROUP", "KIND", "STATUS", "AGE", "TITLE"};

static int cmd_reports(const args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	strbuf q = STRBUF_INIT(4096), path = STRBUF_INIT(8192);
	json_t *root = NULL, *items, *item, *next;
	char(*cells)[NCOLS][160] = NULL;
	size_t width[NCOLS], n, i;
	time_t now = time(NULL);
	long timeout, limit;
	api x;
	int rc;

	memset(&x, 0, sizeof(x));
	if (a->limit && (parse_count(a->limit, &limit) != 0 || limit == 0))
		return usage_error("--limit takes a positive number, not \"%s\"", a->limit);
	rc = timeout_of(a, &timeout);
	if (rc == 0)
		rc = api_open(&x, a, timeout);
	if (rc)
		goto out;
	if (add_param(&q, "kind", a->kind) || add_param(&q, "status", a->status) ||
	    add_param(&q, "group", a->group) || add_param(&q, "q", a->query) ||
	    add_param(&q, "limit", a->limit) || add_param(&q, "cursor", a->cursor) ||
	    strbuf_printf(&path, "/reports%s", q.ptr ? q.ptr : "")) {
		rc = fail("the filters are too long");
		goto out;
	}
	rc = api_get(&x, &ans, &root, path.ptr);
	if (rc)
		goto out;
	if (a->json) {
		fwrite(ans.body.ptr, 1, ans.body.len, stdout);
		if (ans.body.len && ans.body.ptr[ans.body.len - 1] != '\n')
			putchar('\n');
		goto out;
	}
	items = json_object_get(root, "items");
	if (!json_is_array(items)) {
		rc = fail("the answer has no \"items\" list");
		goto out;
	}
	n = json_array_size(items);
	cells = calloc(n ? n : 1, sizeof(*cells));
	if (!cells) {
		rc = fail("out of memory");
		goto out;
	}
	for (int c = 0; c < NCOLS; c++)
		width[c] = strlen(column_names[c]);
	json_array_foreach(items, i, item)
	{
		text_of(cells[i][0], sizeof(cells[i][0]), json_object_get(item, "id"));
		text_of(cells[i][1], sizeof(cells[i][1]), json_object_get(item, "group"));
		text_of(cells[i][2], sizeof(cells[i][2]), json_object_get(item, "kind"));
		text_of(cells[i][3], sizeof(cells[i][3]), json_object_get(item, "status"));
		age_of(cells[i][4], sizeof(cells[i][4]), json_object_get(item, "received_at"), now);
		text_of(cells[i][5], sizeof(cells[i][5]), json_object_get(item, "title"));
		for (int c = 0; c < NCOLS - 1; c++) {
			if (strlen(cells[i][c]) > width[c])
				width[c] = strlen(cells[i][c]);
		}
	}
	for (int c = 0; c < NCOLS - 1; c++)
		printf("%-*s  ", (int)width[c], column_names[c]);
	printf("%s\n", column_names[NCOLS - 1]);
	for (i = 0; i < n; i++) {
		for (int c = 0; c < NCOLS - 1; c++)
			printf("%-*s  ", (int)width[c], cells[i][c]);
		printf("%s\n", cells[i][NCOLS - 1]);
	}
	next = json_object_get(root, "next");
	if (json_is_string(next) && json_string_length(next) > 0) {
		char cur[512];
		text_of(cur, sizeof(cur), next);
		fprintf(stderr, "more: --cursor %s\n", cur);
	}
out:
	free(cells);
	json_decref(root);
	transport_answer_free(&ans);
	strbuf_free(&q);
	strbuf_free(&path);
	api_free(&x);
	return rc;
}

/* "label:  value" when value is there. */
static void field(const char *label, json_t *v)
{
	char text[4096];

	if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
		return;
	text_of(text, sizeof(text), v);
	printf("%-12s %s\n", label, text);
}

/* A block of free text, indented, control characters other than newlines removed. */
static void block(const char *label, json_t *v)
{
	const char *s = json_string_value(v);

	if (!s || !s[0])
		return;
	printf("%s:\n  ", label);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n')
			fputs("\n  ", stdout);
		else
			putchar(c < 0x20 || c == 0x7f ? ' ' : c);
	}
	putchar('\n');
}

static void show_report(json_t *r, time_t now)
{
	char head[4][160], age[64], when[160], text[1024];
	json_t *build = json_object_get(r, "build"), *rev = json_object_get(r, "revision");
	json_t *plat = json_object_get(r, "platform"), *tester = json_object_get(r, "tester");
	json_t *ex = json_object_get(r, "exception"), *frames = json_object_get(r, "frames");
	json_t *tags = json_object_get(r, "tags"), *att = json_object_get(r, "attachments");
	json_t *v;
	const char *key;
	size_t i;
	strbuf sb = STRBUF_INIT(8192);

	text_of(head[0], sizeof(head[0]), json_object_get(r, "id"));
	text_of(head[1], sizeof(head[1]), json_object_get(r, "kind"));
	text_of(head[2], sizeof(head[2]), json_object_get(r, "status"));
	text_of(head[3], sizeof(head[3]), json_object_get(r, "group"));
	printf("%s  %s  %s  group %s\n", head[0], head[1], head[2], head[3]);
	field("title:", json_object_get(r, "title"));
	field("severity:", json_object_get(r, "severity"));
	if (json_object_get(r, "received_at")) {
		time_t t;
		if (json_is_integer(json_object_get(r, "received_at")) &&
		    time_of(json_object_get(r, "received_at"), &t) == 0)
			util_rfc3339(when, t);
		else
			text_of(when, sizeof(when), json_object_get(r, "received_at"));
		age_of(age, sizeof(age), json_object_get(r, "received_at"), now);
		printf("%-12s %s (%s)\n", "received:", when, age);
	}
	if (json_is_object(build)) {
		strbuf_reset(&sb);
		json_object_foreach(build, key, v)
		{
			text_of(text, sizeof(text), v);
			strbuf_printf(&sb, "%s%s %s", sb.len ? ", " : "", key, text);
		}
		if (sb.len)
			printf("%-12s %s\n", "build:", sb.ptr);
	}
	if (json_is_object(rev)) {
		strbuf_reset(&sb);
		json_object_foreach(rev, key, v)
		{
			text_of(text, sizeof(text), v);
			strbuf_printf(&sb, "%s%s %s", sb.len ? ", " : "", key, text);
		}
		if (sb.len)
			printf("%-12s %s\n", "revision:", sb.ptr);
	} else {
		field("revision:", rev);
	}
	if (json_is_object(plat)) {
		strbuf_reset(&sb);
		json_object_foreach(plat, key, v)
		{
			text_of(text, sizeof(text), v);
			strbuf_printf(&sb, "%s%s", sb.len ? " " : "", text);
		}
		if (sb.len)
			printf("%-12s %s\n", "platform:", sb.ptr);
	}
	if (json_is_object(tester)) {
		strbuf_reset(&sb);
		json_object_foreach(tester, key, v)
		{
			text_of(text, sizeof(text), v);
			strbuf_printf(&sb, "%s%s %s", sb.len ? ", " : "", key, text);
		}
		if (sb.len)
			printf("%-12s %s\n", "tester:", sb.ptr);
	}
	if (json_is_object(ex)) {
		char type[256], value[1024];
		text_of(type, sizeof(type), json_object_get(ex, "type"));
		text_of(value, sizeof(value), json_object_get(ex, "value"));
		printf("%-12s %s: %s\n", "exception:", type, value);
	}
	if (json_is_object(tags) && json_object_size(tags)) {
		strbuf_reset(&sb);
		json_object_foreach(tags, key, v)
		{
			text_of(text, sizeof(text), v);
			strbuf_printf(&sb, "%s%s=%s", sb.len ? " " : "", key, text);
		}
		util_sanitize(sb.ptr);
		printf("%-12s %s\n", "tags:", sb.ptr);
	}
	block("description", json_object_get(r, "description"));
	block("steps", json_object_get(r, "steps"));
	if (json_is_array(frames) && json_array_size(frames)) {
		printf("frames:\n");
		json_array_foreach(frames, i, v)
		{
			char fn[512], file[512], mod[256], addr[64];
			json_t *line = json_object_get(v, "line");
			text_of(fn, sizeof(fn), json_object_get(v, "function"));
			text_of(file, sizeof(file), json_object_get(v, "file"));
			text_of(mod, sizeof(mod), json_object_get(v, "module"));
			text_of(addr, sizeof(addr), json_object_get(v, "address"));
			printf("  #%-3zu %s", i, strcmp(fn, "-") ? fn : "??");
			if (strcmp(file, "-") != 0) {
				printf(" at %s", file);
				if (json_is_integer(line))
					printf(":%" JSON_INTEGER_FORMAT, json_integer_value(line));
			}
			if (strcmp(mod, "-") != 0)
				printf(" in %s", mod);
			if (strcmp(addr, "-") != 0)
				printf(" [%s]", addr);
			putchar('\n');
		}
	}
	if (json_is_array(att) && json_array_size(att)) {
		printf("attachments:\n");
		json_array_foreach(att, i, v)
		{
			char name[256], size[64];
			text_of(name, sizeof(name),
				json_is_object(v) ? json_object_get(v, "name") : v);
			text_of(size, sizeof(size), json_object_get(v, "size"));
			if (strcmp(size, "-") != 0)
				printf("  %s (%s bytes)\n", name, size);
			else
				printf("  %s\n", name);
		}
	}
	strbuf_free(&sb);
}

/* Groups and suggestions: every field, one per line. */
static void show_generic(json_t *o)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v)
	{
		char label[80];
		snprintf(label, sizeof(label), "%s:", key);
		util_sanitize(label);
		field(label, v);
	}
}

static int cmd_show(const args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	strbuf path = STRBUF_INIT(1024);
	const char *id = a->pos[0], *what;
	json_t *root = NULL;
	long timeout;
	api x;
	int rc;

	memset(&x, 0, sizeof(x));
	if (id[0] == 'R')
		what = "reports";
	else if (id[0] == 'G')
		what = "groups";
	else if (id[0] == 'S')
		what = "suggestions";
	else
		return usage_error("show takes R-n, G-n or S-n, not \"%s\"", id);
	if (id[1] != '-' || id[2] == '\0' || strspn(id + 2, "0123456789") != strlen(id + 2) ||
	    strlen(id) > 24)
		return usage_error("show takes R-n, G-n or S-n, not \"%s\"", id);
	rc = timeout_of(a, &timeout);
	if (rc == 0)
		rc = api_open(&x, a, timeout);
	if (rc == 0 && strbuf_printf(&path, "/%s/%s", what, id) != 0)
		rc = fail("out of memory");
	if (rc == 0)
		rc = api_get(&x, &ans, &root, path.ptr);
	if (rc)
		goto out;
	if (a->json) {
		fwrite(ans.body.ptr, 1, ans.body.len, stdout);
		if (ans.body.len && ans.body.ptr[ans.body.len - 1] != '\n')
			putchar('\n');
	} else if (!json_is_object(root)) {
		rc = fail("the answer is not a JSON object");
	} else if (id[0] == 'R') {
		show_report(root, time(NULL));
	} else {
		show_generic(root);
	}
out:
	json_decref(root);
	transport_answer_free(&ans);
	strbuf_free(&path);
	api_free(&x);
	return rc;
}

int main(int argc, char **argv)
{
	args a;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("prosum %s\n", PROSUM_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		for (int j = 2; j < argc; j++) {
			if (strcmp(argv[j], "--help") == 0 || strcmp(argv[j], "-h") == 0) {
				printf("usage: prosum %s\n", commands[i].usage);
				return 0;
			}
		}
		rc = parse_args(&a, &commands[i], argc - 2, argv + 2);
		if (rc)
			return rc;
		rc = commands[i].run(&a);
		fflush(stdout);
		return rc;
	}
	return usage_error("unknown command \"%s\"", argv[1]);
}
