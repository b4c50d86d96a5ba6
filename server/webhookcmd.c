/* webhookcmd.c - prosumd webhook add|list|remove|test|deliveries|redeliver: a project's webhooks from the server's shell. */
#include "webhookcmd.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/rfc3339.h"
#include "notify/sign.h"
#include "notify/ssrf.h"
#include "notify/webhook.h"
#include "store/store_outbox.h"
#include "store/store_webhooks.h"

static const char usage[] =
    "usage: prosumd webhook add PROJECT URL [--events TYPE,TYPE|*] [--format standard|slack|discord]\n"
    "                           [--secret whsec_...] [--data DIR]\n"
    "       prosumd webhook list PROJECT [--data DIR]\n"
    "       prosumd webhook remove PROJECT ID [--data DIR]\n"
    "       prosumd webhook test PROJECT ID [--data DIR]\n"
    "       prosumd webhook deliveries PROJECT ID [--limit N] [--data DIR]\n"
    "       prosumd webhook redeliver PROJECT ID DELIVERY [--data DIR]\n"
    "add prints the webhook's id and its signing secret (made when --secret is not given): the\n"
    "secret is shown this once. test records a test event, sent by the running server.\n"
    "deliveries prints the webhook's delivery log, newest first (50, --limit 1 to 500);\n"
    "redeliver sends a delivery's event again as a new delivery (the running server sends it).\n";

typedef struct wopts {
	const char *sub, *pos[3];
	int npos;
	const char *events, *format, *secret, *limit;
} wopts;

static int usage_err(const char *what, const char *arg)
{
	fprintf(stderr, "prosumd: webhook: %s%s\n%s", what, arg ? arg : "", usage);
	return 2;
}

static int parse(config *cfg, int argc, char **argv, wopts *w)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			return 1;
		}
		if (a[0] != '-') {
			if (w->npos == 3)
				return usage_err("unexpected argument ", a);
			w->pos[w->npos++] = a;
			continue;
		}
		if (!v)
			return usage_err("an option needs a value: ", a);
		i++;
		if (strcmp(a, "--data") == 0) {
			if (config_set(&cfg->data_dir, v) < 0)
				return usage_err("out of memory", NULL);
		} else if (strcmp(a, "--events") == 0 && strcmp(w->sub, "add") == 0) {
			w->events = v;
		} else if (strcmp(a, "--format") == 0 && strcmp(w->sub, "add") == 0) {
			w->format = v;
		} else if (strcmp(a, "--secret") == 0 && strcmp(w->sub, "add") == 0) {
			w->secret = v;
		} else if (strcmp(a, "--limit") == 0 && strcmp(w->sub, "deliveries") == 0) {
			w->limit = v;
		} else {
			return usage_err("unknown option ", a);
		}
	}
	return 0;
}

/* "a,b" into the JSON array text the store keeps; NULL when a type is unknown. */
static char *events_json(const char *list)
{
	json_t *arr = json_array();
	char *copy = strdup(list), *p, *next, *out = NULL;

	if (!arr || !copy)
		goto out;
	for (p = copy; p; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (json_array_append_new(arr, json_string(p)) < 0)
			goto out;
	}
	if (webhook_events_ok(arr))
		out = json_dumps(arr, JSON_COMPACT);
out:
	free(copy);
	json_decref(arr);
	return out;
}

static int list_row(void *ctx, const store_webhook_row *row)
{
	(void)ctx;
	printf("%-6" PRId64 " %-8s %-9s %-40s %s\n", row->id, row->format,
	       row->enabled ? "enabled" : "disabled", row->events, row->url);
	if (!row->enabled && row->disabled_reason)
		printf("       disabled because %s\n", row->disabled_reason);
	return 0;
}

static int project_id(store_db *db, const char *name, int64_t *id)
{
	int rc = store_project_find(db, name, id);

	if (rc == STORE_NOTFOUND)
		fprintf(stderr, "prosumd: webhook: no project named '%s'\n", name);
	else if (rc != STORE_OK)
		fprintf(stderr, "prosumd: webhook: %s\n", store_db_error(db));
	return rc;
}

static int parse_id(const char *s, int64_t *id)
{
	char *end;

	*id = strtoll(s, &end, 10);
	return *end || *id <= 0 || s[0] == '+' ? -1 : 0;
}

static int do_add(store_db *db, int64_t pid, const wopts *w)
{
	char secret[SIGN_SECRET_MAX + 1];
	char *events = events_json(w->events ? w->events : "*");
	const char *format = w->format ? w->format : "standard";
	int64_t id = 0;
	int rc = 2;

	if (!events) {
		fprintf(stderr, "prosumd: webhook: --events: %s\n", WEBHOOK_EVENTS_RULE);
		goto out;
	}
	if (!ssrf_url_ok(w->pos[1])) {
		fprintf(stderr, "prosumd: webhook: URL: %s\n", SSRF_URL_RULE);
		goto out;
	}
	if (!webhook_format_ok(format)) {
		fprintf(stderr, "prosumd: webhook: --format: %s\n", WEBHOOK_FORMAT_RULE);
		goto out;
	}
	if (w->secret && !sign_secret_ok(w->secret)) {
		fprintf(stderr, "prosumd: webhook: --secret: %s\n", SIGN_SECRET_RULE);
		goto out;
	}
	rc = 1;
	if (w->secret)
		snprintf(secret, sizeof(secret), "%s", w->secret);
	else if (sign_secret_new(secret) < 0)
		goto out;
	if (store_webhook_add(db, pid, w->pos[1], events, secret, format, (int64_t)time(NULL),
			      &id) != STORE_OK) {
		fprintf(stderr, "prosumd: webhook: %s\n", store_db_error(db));
		goto out;
	}
	printf("webhook: %" PRId64 "\nsecret: %s\n", id, secret);
	rc = 0;
out:
	free(events);
	return rc;
}

static int seen_row(void *ctx, const store_webhook_row *row)
{
	(void)ctx, (void)row;
	return 0;
}

/* Whether the webhook is enabled (ctx: an int). */
static int enabled_row(void *ctx, const store_webhook_row *row)
{
	*(int *)ctx = row->enabled;
	return 0;
}

static int do_test(store_db *db, int64_t pid, int64_t id)
{
	char data[128];
	int found = 0, enabled = 0, rc;

	rc = store_webhook_each(db, pid, id, enabled_row, &enabled);
	found = rc == STORE_OK;
	if (!found) {
		fprintf(stderr, "prosumd: webhook: no webhook %" PRId64 " in this project\n", id);
		return 1;
	}
	/* A disabled webhook gets no delivery of it, then or later: refused, as the API does. */
	if (!enabled) {
		fprintf(stderr,
			"prosumd: webhook: webhook %" PRId64 " is disabled: enable it first (PATCH "
			".../webhooks/%" PRId64 " with {\"enabled\": true}, or the web app)\n",
			id, id);
		return 1;
	}
	snprintf(data, sizeof(data),
		 "{\"message\":\"a test event: this webhook works\",\"webhook_id\":%" PRId64 "}", id);
	if (store_begin(db) != STORE_OK)
		goto fail;
	if (store_outbox_add(db, pid, "test", data, (int64_t)time(NULL), NULL) != STORE_OK) {
		store_rollback(db);
		goto fail;
	}
	if (store_commit(db) != STORE_OK)
		goto fail;
	printf("a test event is recorded: the running server sends it\n");
	return 0;
fail:
	fprintf(stderr, "prosumd: webhook: %s\n", store_db_error(db));
	return 1;
}

/* A time of the log (unix ms) as RFC 3339, "-" when there is none. */
static const char *log_time(char out[RFC3339_MAX], int64_t ms)
{
	if (ms <= 0)
		return "-";
	rfc3339_format(out, ms / 1000);
	return out;
}

static int delivery_row(void *ctx, const store_delivery_row *row)
{
	char last[RFC3339_MAX], next[RFC3339_MAX], status[16], took[24];

	(void)ctx;
	snprintf(status, sizeof(status), "%" PRId64, row->last_status);
	snprintf(took, sizeof(took), "%" PRId64, row->last_duration_ms);
	printf("%-6" PRId64 " evt_%-6" PRId64 " %-26s %-9s %-8" PRId64 " %-6s %-7s %-20s %-20s %s\n",
	       row->id, row->event_id, row->type ? row->type : "", row->state, row->attempts,
	       row->last_status >= 0 ? status : "-", row->last_duration_ms >= 0 ? took : "-",
	       log_time(last, row->last_at),
	       strcmp(row->state, "pending") == 0 ? log_time(next, row->next_at) : "-",
	       row->last_error ? row->last_error : "");
	return 0;
}

/* The webhook's delivery log, as GET .../webhooks/{id}/deliveries answers it. */
static int do_deliveries(store_db *db, int64_t pid, int64_t id, const char *limit)
{
	int64_t n = 50;

	if (limit && (parse_id(limit, &n) < 0 || n > 500))
		return usage_err("--limit takes 1 to 500, not ", limit);
	if (store_webhook_each(db, pid, id, seen_row, NULL) != STORE_OK) {
		fprintf(stderr, "prosumd: webhook: no webhook %" PRId64 " in this project\n", id);
		return 1;
	}
	printf("%-6s %-10s %-26s %-9s %-8s %-6s %-7s %-20s %-20s %s\n", "ID", "EVENT", "TYPE",
	       "STATE", "ATTEMPTS", "STATUS", "MS", "LAST TRY", "NEXT TRY", "ERROR");
	if (store_webhook_deliveries_each(db, id, (int)n, delivery_row, NULL) != STORE_OK) {
		fprintf(stderr, "prosumd: webhook: %s\n", store_db_error(db));
		return 1;
	}
	return 0;
}

/* A new delivery of a delivery's event, sent by the running server within a second or so. */
static int do_redeliver(store_db *db, int64_t pid, int64_t id, int64_t delivery)
{
	struct timespec ts;
	int64_t made = 0;
	int rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (store_begin(db) != STORE_OK)
		goto fail;
	rc = store_webhook_redeliver(db, pid, id, delivery,
				     (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, &made);
	if (rc != STORE_OK || store_commit(db) != STORE_OK) {
		store_rollback(db);
		if (rc == STORE_NOTFOUND) {
			fprintf(stderr,
				"prosumd: webhook: no delivery %" PRId64 " of webhook %" PRId64
				" in this project\n",
				delivery, id);
			return 1;
		}
		goto fail;
	}
	printf("delivery %" PRId64 ": the event of delivery %" PRId64
	       " again; the running server sends it\n",
	       made, delivery);
	return 0;
fail:
	fprintf(stderr, "prosumd: webhook: %s\n", store_db_error(db));
	return 1;
}

int webhookcmd_main(config *cfg, int argc, char **argv,
		    int (*open_db)(const config *cfg, store_db **db))
{
	wopts w;
	store_db *db = NULL;
	int64_t pid = 0, id = 0, delivery = 0;
	int rc, need;

	memset(&w, 0, sizeof(w));
	w.sub = argc > 0 ? argv[0] : "";
	if (strcmp(w.sub, "--help") == 0 || strcmp(w.sub, "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	need = strcmp(w.sub, "list") == 0 ? 1 : strcmp(w.sub, "add") == 0 ||
							strcmp(w.sub, "remove") == 0 ||
							strcmp(w.sub, "test") == 0
						    ? 2
						    : 0;
	if (strcmp(w.sub, "deliveries") == 0)
		need = 2;
	else if (strcmp(w.sub, "redeliver") == 0)
		need = 3;
	if (!need)
		return usage_err("unknown subcommand ", w.sub);
	rc = parse(cfg, argc, argv, &w);
	if (rc)
		return rc == 1 ? 0 : 2;
	if (w.npos != need)
		return usage_err(need == 1 ? "name the project" : "name the project and ",
				 need == 1			   ? NULL
				 : need == 3			   ? "the webhook's and the delivery's ids"
				 : strcmp(w.sub, "add") == 0 ? "the URL"
							     : "the id");
	if (need >= 2 && strcmp(w.sub, "add") != 0 && parse_id(w.pos[1], &id) < 0)
		return usage_err("not a webhook id: ", w.pos[1]);
	if (need == 3 && parse_id(w.pos[2], &delivery) < 0)
		return usage_err("not a delivery id: ", w.pos[2]);
	rc = open_db(cfg, &db);
	if (rc)
		return rc;
	rc = 1;
	if (project_id(db, w.pos[0], &pid) != STORE_OK)
		goto out;
	if (strcmp(w.sub, "list") == 0) {
		printf("%-6s %-8s %-9s %-40s %s\n", "ID", "FORMAT", "STATE", "EVENTS", "URL");
		rc = store_webhook_each(db, pid, 0, list_row, NULL) == STORE_OK ? 0 : 1;
	} else if (strcmp(w.sub, "add") == 0) {
		rc = do_add(db, pid, &w);
	} else if (strcmp(w.sub, "test") == 0) {
		rc = do_test(db, pid, id);
	} else if (strcmp(w.sub, "deliveries") == 0) {
		rc = do_deliveries(db, pid, id, w.limit);
	} else if (strcmp(w.sub, "redeliver") == 0) {
		rc = do_redeliver(db, pid, id, delivery);
	} else {
		if (store_begin(db) != STORE_OK)
			goto out;
		rc = store_webhook_remove(db, pid, id);
		if (rc == STORE_OK && store_commit(db) == STORE_OK) {
			printf("webhook %" PRId64 " removed\n", id);
			rc = 0;
		} else {
			store_rollback(db);
			fprintf(stderr, "prosumd: webhook: %s\n",
				rc == STORE_NOTFOUND ? "no such webhook in this project"
						     : store_db_error(db));
			rc = 1;
		}
	}
out:
	store_db_close(db);
	return rc;
}
