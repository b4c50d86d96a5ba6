/* health_gate_judge.h - a release gate judged on a build's figures: pass, fail or insufficient. */
#ifndef PROSUM_HEALTH_GATE_JUDGE_H
#define PROSUM_HEALTH_GATE_JUDGE_H

#include <stdint.h>

#include "model/health_metrics.h"

/* Pure functions: the gate and the figures are the caller's. */

typedef enum { HEALTH_GATE_PASS, HEALTH_GATE_FAIL, HEALTH_GATE_INSUFFICIENT } health_gate_status;

/* The HEALTH_M_* index of a gated metric's name, or -1 (the median is not gated). */
int health_gate_metric(const char *name);

/* Does actual `op` value hold (op ">=", ">", "<=", else "<")? */
int health_gate_holds(double actual, const char *op, double value);

/* Gate (metric index k, op, value, min_sessions) judged on a build with `started` sessions and
 * figures m: insufficient below min_sessions, without sessions or without the figure. */
health_gate_status health_gate_judge(int k, const char *op, double value, int64_t min_sessions,
				     int64_t started, const double m[HEALTH_M_N]);

/* "pass", "fail" or "insufficient". */
const char *health_gate_status_name(health_gate_status st);

#endif
