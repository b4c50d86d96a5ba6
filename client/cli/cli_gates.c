/* cli_gates.c - prosum health gates: list, set and clear the release gates of a project (PUT .../health/gates). */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_api.h"

/* As the API takes them (server/api/health_gates.c). */
static const char *const metrics[] = {"crash_free_sessions", "crash_free_installs",
				      "errored_rate", "abnormal_rate"};
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))
#define METRIC_NAMES "crash_free_sessions, crash_free_installs, errored_rate or abnormal_rate"

/*
 * One --set expression, "METRIC OP VALUE" ("crash_free_sessions>=99.5", spaces allowed, a
 * trailing % too), into a gate object {metric, op, value, min_sessions}. 0, or a usage error
 * printed naming what is wrong.
 */
static int gate_parse(const char *expr, long min_sessions, json_t **out)
{
	static const char *const ops[] = {">=", "<=", ">", "<"}; /* the two-letter ones first */
	const char *p = expr, *m, *op = NULL;
	char metric[64], *end;
	size_t mlen, i;
	double value;

	*out = NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	m = p;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '_')
		p++;
	mlen = (size_t)(p - m);
	while (*p == ' ' || *p == '\t')
		p++;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strncmp(p, ops[i], strlen(ops[i])) == 0) {
			op = ops[i];
			break;
		}
	if (mlen == 0 || !op)
		return cli_usage_error("--set \"%s\": expected METRIC OP VALUE, such as "
				       "crash_free_sessions>=99.5 (OP: >=, >, <= or <)",
				       expr);
	snprintf(metric, sizeof(metric), "%.*s", (int)(mlen < 63 ? mlen : 63), m);
	for (i = 0; i < NMETRICS; i++)
		if (mlen == strlen(metrics[i]) && strncmp(m, metrics[i], mlen) == 0)
			break;
	if (i == NMETRICS || mlen >= sizeof(metric))
		return cli_usage_error("--set \"%s\": no metric \"%s\": the metrics are " METRIC_NAMES,
				       expr, metric);
	p += strlen(op);
	while (*p == ' ' || *p == '\t')
		p++;
	errno = 0;
	value = strtod(p, &end);
	if (end == p || errno != 0 || isnan(value)) {
		return cli_usage_error("--set \"%s\": the value must be a percentage from 0 to 100",
				       expr);
	}
	p = end;
	while (*p == ' ' || *p == '\t' || *p == '%')
		p++;
	if (*p != '\0' || value < 0 || value > 100)
		return cli_usage_error("--set \"%s\": the value must be a percentage from 0 to 100",
				       expr);
	*out = json_pack("{s:s,s:s,s:f,s:I}", "metric", metrics[i], "op", op, "value", value,
			 "min_sessions", (json_int_t)min_sessions);
	return *out ? 0 : cli_fail("out of memory");
}

/* "crash_free_sessions >= 99.5 over >= 500 sessions" lines, or that there are none. */
static void print_gates(const json_t *root)
{
	const json_t *g;
	size_t i;

	if (json_array_size(json_object_get(root, "gates")) == 0) {
		printf("no gates are set\n");
		return;
	}
	json_array_foreach(json_object_get(root, "gates"), i, g)
	{
		const char *metric = json_string_value(json_object_get(g, "metric"));
		const char *op = json_string_value(json_object_get(g, "op"));

		printf("%s %s %g over >= %" JSON_INTEGER_FORMAT " sessions\n", metric ? metric : "?",
		       op ? op : "?", json_number_value(json_object_get(g, "value")),
		       json_integer_value(json_object_get(g, "min_sessions")));
	}
}

/* The body of --set ... or --clear, in *doc. 0 or a usage error printed. */
static int gates_body(const cli_args *a, json_t **doc)
{
	json_t *list = json_array(), *g;
	size_t i, k;

	*doc = NULL;
	if (!list)
		return cli_fail("out of memory");
	for (i = 0; i < a->ngates; i++) {
		long min = 0;
		int rc;

		if (a->gate_min[i] && cli_parse_count(a->gate_min[i], &min) != 0) {
			json_decref(list);
			return cli_usage_error("--min-sessions takes a whole number of sessions, "
					       "not \"%s\"",
					       a->gate_min[i]);
		}
		rc = gate_parse(a->gates[i], min, &g);

		if (rc) {
			json_decref(list);
			return rc;
		}
		for (k = 0; k < i; k++)
			if (json_equal(json_object_get(json_array_get(list, k), "metric"),
				       json_object_get(g, "metric"))) {
				rc = cli_usage_error("--set: a second gate on %s (one per metric)",
						     json_string_value(json_object_get(g, "metric")));
				json_decref(g);
				json_decref(list);
				return rc;
			}
		json_array_append_new(list, g);
	}
	*doc = json_pack("{s:o}", "gates", list);
	return *doc ? 0 : cli_fail("out of memory");
}

int cli_health_gates(const cli_args *a)
{
	transport_answer ans = TRANSPORT_ANSWER_INIT;
	json_t *root = NULL, *doc = NULL;
	cli_api x;
	int rc;

	memset(&x, 0, sizeof(x));
	if (a->release_name || a->by || a->days || a->check)
		return cli_usage_error("health gates goes without --release, --by, --days and "
				       "--check");
	if (a->clear && a->ngates)
		return cli_usage_error("--clear removes every gate: it goes without --set");
	if (a->clear || a->ngates) {
		rc = gates_body(a, &doc);
		if (rc)
			return rc;
	}
	rc = cli_api_open_token(&x, a);
	if (rc)
		goto out;
	rc = cli_api_call(&x, &ans, &root, doc ? "PUT" : "GET", "/health/gates", doc);
	if (rc)
		goto out;
	if (a->json)
		cli_api_print_raw(&ans);
	else
		print_gates(root);
out:
	json_decref(doc);
	json_decref(root);
	transport_answer_free(&ans);
	cli_api_close(&x);
	return rc;
}
