/* health_metrics.c - the arithmetic of release health: sums, rates, the median duration, the
 * rating, the change between builds. */
#include "model/health_metrics.h"

#include <stddef.h>

const char *const health_metric_names[HEALTH_M_N] = {"crash_free_sessions", "crash_free_installs",
						     "errored_rate", "abnormal_rate",
						     "median_duration_s"};

double health_pct(int64_t part, int64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : -1.0;
}

double health_round3(double v)
{
	return (double)(int64_t)(v * 1000.0 + (v < 0 ? -0.5 : 0.5)) / 1000.0;
}

double health_median_s(const health_sum *s)
{
	int64_t n = 0, seen = 0;
	double mid;
	int b;

	for (b = 0; b < HEALTH_BUCKETS; b++)
		n += s->buckets[b];
	if (n == 0)
		return -1.0;
	for (b = 0; b < HEALTH_BUCKETS; b++) {
		seen += s->buckets[b];
		if (2 * seen >= n)
			break;
	}
	/* bucket 0: under a second; b: [2^((b-1)/4), 2^(b/4)) s, its geometric middle
	 * 2^((b-1)/4 + 1/8). */
	if (b == 0)
		return 0.5;
	mid = 1.090507732665258; /* 2^(1/8) */
	while (--b > 0)
		mid *= 1.189207115002721; /* 2^(1/4) */
	return mid;
}

int64_t health_handled(const health_sum *s)
{
	int64_t handled = s->errored - s->crashed - s->abnormal;

	return handled > 0 ? handled : 0;
}

void health_metrics_of(const health_sum *s, double m[HEALTH_M_N])
{
	double cfs = health_pct(s->crashed, s->started);
	double cfi = health_pct(s->crashed_installs, s->installs);

	m[HEALTH_M_CFS] = cfs < 0 ? -1 : 100.0 - cfs;
	m[HEALTH_M_CFI] = cfi < 0 ? -1 : 100.0 - cfi;
	m[HEALTH_M_ERR] = health_pct(health_handled(s), s->started);
	m[HEALTH_M_ABN] = health_pct(s->abnormal, s->started);
	m[HEALTH_M_MED] = health_median_s(s);
}

void health_change(const double mb[HEALTH_M_N], const double mp[HEALTH_M_N],
		   double delta[HEALTH_M_N], int has[HEALTH_M_N])
{
	int i;

	for (i = 0; i < HEALTH_M_N; i++) {
		has[i] = mb[i] >= 0 && mp[i] >= 0;
		delta[i] = has[i] ? health_round3(mb[i] - mp[i]) : -1;
	}
}

int64_t health_rating(const health_sum *s, double *mean, int64_t *count)
{
	int64_t n = 0, sum = 0;
	int r;

	for (r = 1; r <= 5; r++) {
		n += s->ratings[r];
		sum += r * s->ratings[r];
	}
	*count = n;
	*mean = n > 0 ? health_round3((double)sum / (double)n) : 0;
	return n;
}
