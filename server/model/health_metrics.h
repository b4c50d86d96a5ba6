/* health_metrics.h - the arithmetic of release health: sums, rates, the median duration, the
 * rating, the change between builds. */
#ifndef PROSUM_HEALTH_METRICS_H
#define PROSUM_HEALTH_METRICS_H

#include <stdint.h>

/*
 * Pure functions over plain sums: no request, no store, no JSON. A rate or figure that has
 * nothing to stand on (no sessions, no installs, no ended session) is -1, which the answer
 * writes as null.
 */

#define HEALTH_BUCKETS 81 /* the duration histogram (schema: health_durations.bucket) */

/* The sums of a release, a build or one of their groups. Plain values, owned by whoever
 * holds the struct. */
typedef struct health_sum {
	int64_t started, exited, errored, abnormal, crashed, installs, crashed_installs;
	int64_t first_hour, last_hour;
	int seen; /* first_hour and last_hour are set */
	int64_t buckets[HEALTH_BUCKETS];
	int64_t ratings[6]; /* installs that rated 1..5 */
} health_sum;

/* The figures a build is judged on, in this order; the first HEALTH_M_MED can be gated. */
enum { HEALTH_M_CFS, HEALTH_M_CFI, HEALTH_M_ERR, HEALTH_M_ABN, HEALTH_M_MED, HEALTH_M_N };
extern const char *const health_metric_names[HEALTH_M_N];

/* part / whole as a percentage, or -1 without a whole. */
double health_pct(int64_t part, int64_t whole);

/* v to three decimals (no libm in the server). */
double health_round3(double v);

/* The median of s's duration histogram in seconds (the middle of its bucket), or -1 when
 * empty. Bucket 0 is under a second, bucket b [2^((b-1)/4), 2^(b/4)) seconds. */
double health_median_s(const health_sum *s);

/* The handled errors of s: errored sessions that neither crashed nor ended abnormally (0 at
 * least). */
int64_t health_handled(const health_sum *s);

/* m[HEALTH_M_*]: crash-free sessions and installs, errored and abnormal rates (percent), the
 * median duration (seconds); -1 for each that has nothing to stand on. */
void health_metrics_of(const health_sum *s, double m[HEALTH_M_N]);

/* The change from the previous build's figures mp to this build's mb (points, seconds) to
 * three decimals; -1 marks one without both (delta[i] is then meaningless): has[i] says. */
void health_change(const double mb[HEALTH_M_N], const double mp[HEALTH_M_N],
		   double delta[HEALTH_M_N], int has[HEALTH_M_N]);

/* How many installs rated s (*count), and their mean rating to three decimals (*mean, 0 when
 * none rated). Returns *count. */
int64_t health_rating(const health_sum *s, double *mean, int64_t *count);

#endif
