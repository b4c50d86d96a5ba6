/* health_gate_judge.c - a release gate judged on a build's figures: pass, fail or insufficient. */
#include "model/health_gate_judge.h"

#include <string.h>

int health_gate_metric(const char *name)
{
	int i;

	for (i = 0; i < HEALTH_M_MED; i++)
		if (strcmp(name, health_metric_names[i]) == 0)
			return i;
	return -1;
}

int health_gate_holds(double actual, const char *op, double value)
{
	if (strcmp(op, ">=") == 0)
		return actual >= value;
	if (strcmp(op, ">") == 0)
		return actual > value;
	if (strcmp(op, "<=") == 0)
		return actual <= value;
	return actual < value;
}

health_gate_status health_gate_judge(int k, const char *op, double value, int64_t min_sessions,
				     int64_t started, const double m[HEALTH_M_N])
{
	if (started < min_sessions || started == 0 || m[k] < 0)
		return HEALTH_GATE_INSUFFICIENT;
	return health_gate_holds(m[k], op, value) ? HEALTH_GATE_PASS : HEALTH_GATE_FAIL;
}

const char *health_gate_status_name(health_gate_status st)
{
	return st == HEALTH_GATE_PASS ? "pass" : st == HEALTH_GATE_FAIL ? "fail" : "insufficient";
}
