/* cli_queue.c - prosum queue: list, show, retarget and drop the items waiting in the spools. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "lib/prosum_tool.h"
#include "common/buf.h"

/* One queued item of one spool. */
typedef struct qitem {
	size_t folder; /* index into queue.dirs */
	char name[SPOOL_NAME_MAX];
	char uuid[37];
	const char *kind; /* SPOOL_REPORT, ... */
	uint64_t queued_ns;
} qitem;

/* Every spool this command can see, and their items, oldest first within a spool. */
typedef struct queue {
	char **dirs;
	spool **spools;
	char **targets; /* the DSN each spool delivers to; NULL when unknown */
	size_t ndirs;
	qitem *items;
	size_t nitems;
} queue;

static void queue_free(queue *q)
{
	for (size_t i = 0; i < q->ndirs; i++) {
		free(q->dirs[i]);
		spool_free(q->spools[i]);
		free(q->targets[i]);
	}
	free(q->dirs);
	free(q->spools);
	free(q->targets);
	free(q->items);
	memset(q, 0, sizeof(*q));
}

static int add_dir(queue *q, const char *dir)
{
	char **d = realloc(q->dirs, (q->ndirs + 1) * sizeof(*d));
	spool **s;
	char **t;

	if (!d)
		return -1;
	q->dirs = d;
	s = realloc(q->spools, (q->ndirs + 1) * sizeof(*s));
	if (!s)
		return -1;
	q->spools = s;
	t = realloc(q->targets, (q->ndirs + 1) * sizeof(*t));
	if (!t)
		return -1;
	q->targets = t;
	q->dirs[q->ndirs] = strdup(dir);
	q->spools[q->ndirs] = NULL;
	q->targets[q->ndirs] = NULL;
	if (!q->dirs[q->ndirs])
		return -1;
	q->ndirs++;
	if (spool_open(&q->spools[q->ndirs - 1], dir, 0, 0) != 0)
		return -1;
	q->targets[q->ndirs - 1] = spool_target(q->spools[q->ndirs - 1]);
	return 0;
}

static int by_dir_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A failure of find_dirs(): said on stderr unless quiet. */
#define FAIL(...) (quiet ? CLI_EXIT_FAIL : cli_fail(__VA_ARGS__))

/*
 * The spool folders: $PROSUM_SPOOL alone when set, else every folder of the
 * spool root. 0 or an exit status (printed unless `quiet`).
 */
static int find_dirs(queue *q, int quiet)
{
	const char *given = getenv("PROSUM_SPOOL");
	char *root = NULL;
	char **names = NULL;
	size_t n = 0;
	DIR *d = NULL;
	struct dirent *e;
	int rc = -1;

	if (given && given[0])
		return add_dir(q, given) == 0 ? 0 : FAIL("%s: %s", given, prosum_error_last());
	if (client_spool_root(&root, 0) != 0)
		return FAIL("%s", prosum_error_last());
	d = opendir(root);
	if (!d) {
		rc = errno == ENOENT ? 0 : FAIL("cannot read %s: %s", root, strerror(errno));
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		char **nn;
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, 0) != 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn)
			goto oom;
		names = nn;
		names[n] = util_path_join(root, e->d_name);
		if (!names[n])
			goto oom;
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), by_dir_name);
	for (size_t i = 0; i < n; i++) {
		if (add_dir(q, names[i]) != 0) {
			rc = FAIL("%s: %s", names[i], prosum_error_last());
			goto out;
		}
	}
	rc = 0;
	goto out;
oom:
	rc = FAIL("out of memory");
out:
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(root);
	return rc;
}

#undef FAIL

/* "00000001733390000000000000-UUID.kind": the time and the uuid of a name. */
static int parse_name(qitem *it, const char *name)
{
	const char *dash = strchr(name, '-');
	uint64_t ns = 0;

	if (!dash || dash - name != 20 || strlen(dash + 1) < 36)
		return -1;
	for (const char *p = name; p < dash; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		ns = ns * 10 + (uint64_t)(*p - '0');
	}
	memcpy(it->uuid, dash + 1, 36);
	it->uuid[36] = '\0';
	it->queued_ns = ns;
	return 0;
}

static int load(queue *q)
{
	int rc = find_dirs(q, 0);

	for (size_t i = 0; rc == 0 && i < q->ndirs; i++) {
		spool_entry *list = NULL;
		size_t n = 0;
		qitem *ni;
		if (spool_list(q->spools[i], NULL, &list, &n) != 0)
			return cli_fail("%s", prosum_error_last());
		ni = n ? realloc(q->items, (q->nitems + n) * sizeof(*ni)) : q->items;
		if (n && !ni) {
			free(list);
			return cli_fail("out of memory");
		}
		q->items = ni;
		for (size_t j = 0; j < n; j++) {
			qitem *it = &q->items[q->nitems];
			memset(it, 0, sizeof(*it));
			if (parse_name(it, list[j].name) != 0)
				continue;
			it->folder = i;
			memcpy(it->name, list[j].name, sizeof(it->name));
			it->kind = spool_kind_of(list[j].name);
			q->nitems++;
		}
		free(list);
	}
	return rc;
}

/* What the spool at `dir` delivers to, for people: its DSN, else its folder's name. */
static const char *target_of(const queue *q, size_t folder)
{
	const char *slash;

	if (q->targets[folder])
		return q->targets[folder];
	slash = strrchr(q->dirs[folder], '/');
	return slash ? slash + 1 : q->dirs[folder];
}

/* The item's JSON document, or NULL when unreadable. */
static json_t *item_doc(queue *q, const qitem *it, envelope *env)
{
	memset(env, 0, sizeof(*env));
	if (spool_read(q->spools[it->folder], it->name, env) != 0)
		return NULL;
	return json_loadb(env->json, env->json_len, 0, NULL);
}

/* "bug", "crash", "feedback", "suggestion", "vote", "withdrawal". */
static const char *kind_label(const qitem *it, const json_t *doc)
{
	const char *k;

	if (strcmp(it->kind, SPOOL_SUGGESTION) == 0)
		return "suggestion";
	if (strcmp(it->kind, SPOOL_SESSION) == 0)
		return "session";
	if (strcmp(it->kind, SPOOL_RATING) == 0)
		return "rating";
	if (strcmp(it->kind, SPOOL_VOTE) == 0)
		return json_is_true(json_object_get(doc, "withdraw")) ? "withdrawal" : "vote";
	k = json_string_value(json_object_get(doc, "kind"));
	return k ? k : "report";
}

/* The item's title: a report's or suggestion's title, "S-4" for a vote. */
static void title_of(char *out, size_t n, const qitem *it, const json_t *doc)
{
	const char *t = json_string_value(json_object_get(doc, "title"));
	json_t *exc = json_object_get(doc, "exception");

	if (strcmp(it->kind, SPOOL_VOTE) == 0)
		t = json_string_value(json_object_get(doc, "suggestion"));
	else if (!t && json_is_object(exc))
		t = json_string_value(json_object_get(exc, "type"));
	snprintf(out, n, "%s", t ? t : "-");
	util_sanitize(out);
}

/* "45s", "12m", "3h", "5d". */
static void age_of(char *out, size_t n, uint64_t queued_ns)
{
	uint64_t now = util_wall_ns(), s = now > queued_ns ? (now - queued_ns) / 1000000000u : 0;

	if (s < 120)
		snprintf(out, n, "%" PRIu64 "s", s);
	else if (s < 7200)
		snprintf(out, n, "%" PRIu64 "m", s / 60);
	else if (s < 2 * 86400)
		snprintf(out, n, "%" PRIu64 "h", s / 3600);
	else
		snprintf(out, n, "%" PRIu64 "d", s / 86400);
}

static int queue_list(queue *q)
{
	size_t wt = strlen("TARGET"), wk = strlen("KIND");

	if (q->nitems == 0) {
		printf("no queued items\n");
		return 0;
	}
	for (size_t i = 0; i < q->nitems; i++) {
		size_t l = strlen(target_of(q, q->items[i].folder));
		if (l > wt)
			wt = l;
	}
	wk = strlen("suggestion") > wk ? strlen("suggestion") : wk;
	printf("%-8s  %-*s  %-5s  %-8s  %-*s  %s\n", "ID", (int)wk, "KIND", "AGE", "ATTEMPTS",
	       (int)wt, "TARGET", "TITLE");
	for (size_t i = 0; i < q->nitems; i++) {
		qitem *it = &q->items[i];
		envelope env;
		json_t *doc = item_doc(q, it, &env);
		spool_state st;
		char title[256], age[32];
		spool_read_state(q->spools[it->folder], it->name, &st);
		title_of(title, sizeof(title), it, doc);
		age_of(age, sizeof(age), it->queued_ns);
		printf("%.8s  %-*s  %-5s  %-8u  %-*s  %s\n", it->uuid, (int)wk, kind_label(it, doc),
		       age, st.attempts, (int)wt, target_of(q, it->folder), title);
		if (st.last_error[0])
			printf("          last error: %s\n", st.last_error);
		json_decref(doc);
		envelope_free(&env);
	}
	return 0;
}

/* The one item whose uuid starts with `id` (4 characters at least). */
static int find_item(queue *q, const char *id, qitem **out)
{
	size_t n = strlen(id), found = 0;

	if (n < 4 || n > 36)
		return cli_usage_error("an item id is 4 to 36 characters of its uuid, not \"%s\"",
				       id);
	for (size_t i = 0; i < q->nitems; i++) {
		if (strncasecmp(q->items[i].uuid, id, n) == 0) {
			*out = &q->items[i];
			found++;
		}
	}
	if (found == 0)
		return cli_fail("no queued item %s: see prosum queue list", id);
	if (found > 1)
		return cli_fail("%s names %zu queued items: give more of its uuid", id, found);
	return 0;
}

static int queue_show(queue *q, const char *id)
{
	qitem *it = NULL;
	envelope env;
	json_t *doc;
	spool_state st;
	char age[32], *text;
	int rc = find_item(q, id, &it);

	if (rc)
		return rc;
	doc = item_doc(q, it, &env);
	spool_read_state(q->spools[it->folder], it->name, &st);
	age_of(age, sizeof(age), it->queued_ns);
	printf("id:          %s\n", it->uuid);
	printf("kind:        %s\n", kind_label(it, doc));
	printf("target:      %s\n", target_of(q, it->folder));
	printf("spool:       %s/%s\n", q->dirs[it->folder], it->name);
	printf("age:         %s\n", age);
	printf("attempts:    %u\n", st.attempts);
	if (st.last_error[0])
		printf("last error:  %s\n", st.last_error);
	for (size_t i = 0; i < env.nparts; i++)
		printf("attachment:  %s (%zu bytes)\n", env.parts[i].name, env.parts[i].len);
	text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (text)
		printf("%s\n", text);
	else
		rc = cli_fail("%s: unreadable: it will be discarded when delivery is tried",
			      it->name);
	free(text);
	json_decref(doc);
	envelope_free(&env);
	return rc;
}

/* 1 when item `it` belongs to the selection: ID, or --all (with --from, only from that DSN). */
static int selected(const queue *q, const qitem *it, const qitem *one, const char *from_dir,
		    const char *from)
{
	if (one)
		return it == one;
	if (!from)
		return 1;
	return (from_dir && strcmp(q->dirs[it->folder], from_dir) == 0) ||
	       (q->targets[it->folder] && strcmp(q->targets[it->folder], from) == 0);
}

/* prosum queue retarget / drop. */
static int queue_change(queue *q, const cli_args *a, int drop)
{
	const char *verb = drop ? "drop" : "retarget";
	qitem *one = NULL;
	char *from_dir = NULL, *to_dir = NULL;
	spool *to = NULL;
	dsn d;
	size_t done = 0;
	int rc = 0;

	if ((a->npos > 1) == (a->all != 0))
		return cli_usage_error("queue %s takes an item id or --all", verb);
	if (a->from && !a->all)
		return cli_usage_error("--from goes with --all");
	if (!drop && !a->to)
		return cli_usage_error("queue retarget needs --to DSN");
	if (drop && a->to)
		return cli_usage_error("--to goes with queue retarget");
	if (a->from) {
		if (dsn_parse(&d, a->from) != 0)
			return cli_usage_error("--from: %s", prosum_error_last());
		if (!getenv("PROSUM_SPOOL") && client_spool_for(&from_dir, &d, 0) != 0)
			return cli_fail("%s", prosum_error_last());
	}
	if (a->npos > 1) {
		rc = find_item(q, a->pos[1], &one);
		if (rc)
			goto out;
	}
	if (!drop) {
		const char *given = getenv("PROSUM_SPOOL");
		if (dsn_parse(&d, a->to) != 0) {
			rc = cli_usage_error("--to: %s", prosum_error_last());
			goto out;
		}
		if (given && given[0])
			to_dir = strdup(given);
		else if (client_spool_for(&to_dir, &d, 0) != 0) {
			rc = cli_fail("%s", prosum_error_last());
			goto out;
		}
		if (!to_dir || spool_open(&to, to_dir, 0, 0) != 0) {
			rc = cli_fail("%s: %s", to_dir ? to_dir : "spool", prosum_error_last());
			goto out;
		}
		spool_set_target(to, a->to);
	}
	for (size_t i = 0; i < q->nitems; i++) {
		qitem *it = &q->items[i];
		if (!selected(q, it, one, from_dir, a->from))
			continue;
		if (drop ? spool_remove(q->spools[it->folder], it->name)
			 : spool_move(q->spools[it->folder], it->name, to)) {
			rc = cli_fail("%s %.8s: %s", verb, it->uuid, prosum_error_last());
			goto out;
		}
		done++;
	}
	if (drop) {
		printf("dropped %zu %s\n", done, done == 1 ? "item" : "items");
	} else {
		char shown[1200];
		snprintf(shown, sizeof(shown), "%s", a->to);
		util_sanitize(shown);
		printf("%zu %s to %s\n", done, done == 1 ? "item now goes" : "items now go", shown);
		if (done)
			printf("send them with: prosum flush --dsn '%s'\n", shown);
	}
out:
	spool_free(to);
	free(to_dir);
	free(from_dir);
	return rc;
}

int cli_queue(const cli_args *a)
{
	const char *sub = a->npos ? a->pos[0] : "list";
	queue q;
	int rc;

	memset(&q, 0, sizeof(q));
	if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "retarget") != 0 &&
	    strcmp(sub, "drop") != 0)
		return cli_usage_error("queue takes list, show, retarget or drop, not \"%s\"", sub);
	if (strcmp(sub, "show") == 0 && a->npos != 2)
		return cli_usage_error("queue show takes an item id");
	if (strcmp(sub, "list") == 0 && (a->npos > 1 || a->all || a->from || a->to))
		return cli_usage_error("queue list takes no arguments");
	rc = load(&q);
	if (rc)
		goto out;
	if (strcmp(sub, "list") == 0)
		rc = queue_list(&q);
	else if (strcmp(sub, "show") == 0)
		rc = queue_show(&q, a->pos[1]);
	else
		rc = queue_change(&q, a, strcmp(sub, "drop") == 0);
out:
	queue_free(&q);
	return rc;
}

int cli_queue_hint(const char *dsn_text, const char *why, unsigned long long pending)
{
	const char *prefix = "server refused the DSN: ";
	char where[PROSUM_MAX_HOST + PROSUM_MAX_PROJECT + 32];
	dsn d;

	fflush(stdout);
	if (strncmp(why, prefix, strlen(prefix)) == 0)
		why += strlen(prefix);
	if (dsn_parse(&d, dsn_text) == 0)
		snprintf(where, sizeof(where), "%s/%s", d.origin, d.project);
	else
		snprintf(where, sizeof(where), "the server");
	return cli_fail("%s answered %s; %llu queued %s in the spool: fix the DSN and run: "
			"prosum queue retarget --all --from '%s' --to NEW_DSN",
			where, why, pending, pending == 1 ? "item waits" : "items wait", dsn_text);
}

unsigned long long cli_queue_elsewhere(const char *spool_dir)
{
	unsigned long long n = 0;
	queue q;

	memset(&q, 0, sizeof(q));
	if (getenv("PROSUM_SPOOL") && getenv("PROSUM_SPOOL")[0])
		return 0;
	/* Quietly: a spool that cannot be read is not this command's failure. */
	if (find_dirs(&q, 1) == 0) {
		for (size_t i = 0; i < q.ndirs; i++) {
			spool_entry *list = NULL;
			size_t k = 0;
			if (strcmp(q.dirs[i], spool_dir) != 0 &&
			    spool_list(q.spools[i], NULL, &list, &k) == 0)
				n += k;
			free(list);
		}
	}
	queue_free(&q);
	return n;
}
