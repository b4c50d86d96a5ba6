/* ranking.c - the hall of fame's score and order: who contributed most to what shipped. */
#include "model/ranking.h"

#include <stdlib.h>
#include <string.h>

static int64_t nonneg(int64_t v)
{
	return v > 0 ? v : 0;
}

int64_t ranking_score(int64_t reports_fixed, int64_t suggestions_shipped, int64_t votes_shipped)
{
	return RANKING_REPORT_POINTS * nonneg(reports_fixed) +
	       RANKING_SUGGESTION_POINTS * nonneg(suggestions_shipped) +
	       RANKING_VOTE_POINTS * nonneg(votes_shipped);
}

static int cmp3(int64_t a, int64_t b)
{
	return a > b ? -1 : a < b ? 1 : 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const ranking_entry *a = pa, *b = pb;
	int c = cmp3(a->score, b->score);

	if (!c)
		c = cmp3(a->reports_fixed, b->reports_fixed);
	if (!c)
		c = cmp3(a->suggestions_shipped, b->suggestions_shipped);
	if (!c)
		c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
	return c;
}

void ranking_sort(ranking_entry *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		e[i].score = ranking_score(e[i].reports_fixed, e[i].suggestions_shipped,
					   e[i].votes_shipped);
	if (n > 1)
		qsort(e, n, sizeof(*e), entry_cmp);
}
