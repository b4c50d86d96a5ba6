/* cli_cohort.c - prosum cohort: the tester cohorts of a project's ingest keys, channels and installs (admin). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_api.h"
#include "lib/prosum_tool.h"

static const char *const kinds[] = {"key", "channel", "install"};
static const char *const members[] = {"keys", "channels", "installs"};

/* "KIND NAME -> COHORT" lines, by kind then name (as the server orders them). */
static void print_cohorts(const json_t *root)
{
	const char *name;
	json_t *v;
	size_t k, n = 0;

	for (k = 0; k < 3; k++) {
		json_object_foreach(json_object_get(root, members[k]), name, v)
		{
			char line[512];

			snprintf(line, sizeof(line), "%-8s %-36s %s", kinds[k], name,
				 json_string_value(v) ? json_string_value(v) : "");
			util_sanitize(line);
			printf("%s\n", line);
			n++;
		}
	}
	if (n == 0)
		printf("no cohorts: every session counts in cohort \"\"\n");
}

/*
 * prosum cohort: the list; prosum cohort key|channel|install NAME COHORT: set one ("" clears
 * it). A session takes the install's cohort, else its ingest key's, else its channel's.
 */
int cli_cohort(const cli_args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	json_t *root = NULL, *doc = NULL;
	cli_api x;
	size_t k;
	int rc;

	memset(&x, 0, sizeof(x));
	if (a->npos != 0 && a->npos != 3)
		return cli_usage_error("cohort takes nothing (the list) or KIND NAME COHORT");
	for (k = 0; a->npos == 3 && k < 3; k++)
		if (strcmp(a->pos[0], kinds[k]) == 0)
			break;
	if (a->npos == 3 && k == 3)
		return cli_usage_error("a cohort is set on a key, channel or install, not \"%s\"",
				       a->pos[0]);
	rc = cli_api_open_token(&x, a);
	if (rc)
		goto out;
	if (a->npos == 3) {
		doc = json_pack("{s:{s:s}}", members[k], a->pos[1], a->pos[2]);
		if (!doc) {
			rc = cli_fail("the name and cohort must be UTF-8 text");
			goto out;
		}
		rc = cli_api_call(&x, &ans, &root, "PATCH", "/cohorts", doc);
	} else {
		rc = cli_api_call(&x, &ans, &root, "GET", "/cohorts", NULL);
	}
	if (rc)
		goto out;
	if (a->json)
		cli_api_print_raw(&ans);
	else
		print_cohorts(root);
out:
	json_decref(doc);
	json_decref(root);
	transport_answer_free(&ans);
	cli_api_close(&x);
	return rc;
}
