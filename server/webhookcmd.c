/* webhookcmd.c - prosumd webhook add|list|remove|test: a project's webhooks from the server's shell. */
#include "webhookcmd.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    "add prints the webhook's id and its signing secret (made when --secret is not given): the\n"
    "secret is shown this once. test records a test event, sent by the running server.\n";

typedef struct wopts {
	const char *sub, *pos[3];
	int npos;
	const char *events, *format, *secret;
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

static int do_test(store_db *db, int64_t pid, int64_t id)
{
	char data[128];
	int found = 0, rc;

	rc = store_webhook_each(db, pid, id, seen_row, NULL);
	found = rc == STORE_OK;
	if (!found) {
		fprintf(stderr, "prosumd: webhook: no webhook %" PRId64 " in this project\n", id);
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

int webhookcmd_main(config *cfg, int argc, char **argv,
		    int (*open_db)(const config *cfg, store_db **db))
{
	wopts w;
	store_db *db = NULL;
	int64_t pid = 0, id = 0;
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
	if (!need)
		return usage_err("unknown subcommand ", w.sub);
	rc = parse(cfg, argc, argv, &w);
	if (rc)
		return rc == 1 ? 0 : 2;
	if (w.npos != need)
		return usage_err(need == 1 ? "name the project" : "name the project and ",
				 need == 1 ? NULL : strcmp(w.sub, "add") == 0 ? "the URL" : "the id");
	if (need == 2 && strcmp(w.sub, "add") != 0 && parse_id(w.pos[1], &id) < 0)
		return usage_err("not a webhook id: ", w.pos[1]);
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
