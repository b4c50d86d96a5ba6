/* workflow.c - the statuses of reports, groups and suggestions, and which changes between them are allowed. */
#include "model/workflow.h"

#include <stddef.h>
#include <string.h>

typedef struct transition {
	const char *from;
	const char *to; /* space-separated statuses reachable from `from` */
} transition;

/* A report's life: triage, work, an outcome; a fixed one may be reopened. */
static const transition report_moves[] = {
	{"new", "triaged in_progress fixed wontfix duplicate"},
	{"triaged", "new in_progress fixed wontfix duplicate"},
	{"in_progress", "triaged fixed wontfix duplicate"},
	{"fixed", "new triaged in_progress"},
	{"wontfix", "new triaged"},
	{"duplicate", "new triaged"},
	{"regressed", "triaged in_progress fixed wontfix duplicate"},
	{NULL, NULL},
};

static const transition suggestion_moves[] = {
	{"new", "under_review planned in_progress shipped declined duplicate"},
	{"under_review", "new planned in_progress shipped declined duplicate"},
	{"planned", "under_review in_progress shipped declined duplicate"},
	{"in_progress", "planned shipped declined duplicate"},
	{"shipped", "in_progress"},
	{"declined", "new under_review"},
	{"duplicate", "new under_review"},
	{NULL, NULL},
};

static const transition *find(const transition *t, const char *s)
{
	for (; s && t->from; t++)
		if (strcmp(t->from, s) == 0)
			return t;
	return NULL;
}

/* Is `word` one of the space-separated words of `list`? */
static int in_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static int move_ok(const transition *t, const char *from, const char *to)
{
	const transition *f = find(t, from);

	if (!f || !find(t, to))
		return 0;
	return strcmp(from, to) == 0 || in_list(f->to, to);
}

int workflow_report_valid(const char *s)
{
	return find(report_moves, s) != NULL;
}

int workflow_suggestion_valid(const char *s)
{
	return find(suggestion_moves, s) != NULL;
}

int workflow_report_transition_ok(const char *from, const char *to)
{
	return move_ok(report_moves, from, to);
}

int workflow_suggestion_transition_ok(const char *from, const char *to)
{
	return move_ok(suggestion_moves, from, to);
}

const char *workflow_report_list(void)
{
	return "new, triaged, in_progress, fixed, wontfix, duplicate, regressed";
}

const char *workflow_suggestion_list(void)
{
	return "new, under_review, planned, in_progress, shipped, declined, duplicate";
}
