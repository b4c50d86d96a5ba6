/* ranking.h - the hall of fame's score and order: who contributed most to what shipped. */
#ifndef PROSUM_RANKING_H
#define PROSUM_RANKING_H

#include <stddef.h>
#include <stdint.h>

/* Points: a report that led to a fix and a suggestion that shipped weigh as much as three
 * votes cast on what shipped. */
#define RANKING_REPORT_POINTS 3
#define RANKING_SUGGESTION_POINTS 3
#define RANKING_VOTE_POINTS 1

typedef struct ranking_entry {
	char *name; /* owned by the caller of ranking_sort() */
	int64_t reports_fixed;
	int64_t suggestions_shipped;
	int64_t votes_shipped;
	int64_t score; /* filled by ranking_sort() */
} ranking_entry;

/* The score of one contributor's counts (negative counts count as none). */
int64_t ranking_score(int64_t reports_fixed, int64_t suggestions_shipped, int64_t votes_shipped);
/* Score every entry and order them: highest score first, then more fixed reports, then more
 * shipped suggestions, then by name (byte order), so equal contributors keep a stable order. */
void ranking_sort(ranking_entry *e, size_t n);

#endif
