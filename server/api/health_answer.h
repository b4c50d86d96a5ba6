/* health_answer.h - release health for the team: per release and build, crash-free rates, the change from the build before, gates. */
#ifndef PROSUM_HEALTH_API_H
#define PROSUM_HEALTH_API_H

#include "api/router.h"

/*
 * GET /api/v1/projects/{p}/health?release=R&by=cohort|channel&days=N (developer, release
 * manager or admin: a token or a signed-in team member; never a visitor or an ingest key,
 * public project or not). The sessions started in the last `days` days (default 30, 1..365),
 * of release R, or of the 10 releases with the newest sessions. A release is as the SDK sent
 * it without its "+build" part; a build is the session's revision, else that "+build" part
 * ("" when neither). Rates are percentages (0..100, null without sessions):
 *
 * {"days","since","by","order":"git"|"first_seen","gates":[{metric,op,value,min_sessions}],
 *  "releases":[{"release","version", METRICS, "adoption", "groups":[{"name", METRICS}],
 *               "builds":[{"build","first_seen","last_seen", METRICS, "adoption",
 *                          "groups":[...], "previous":{"release","build", METRICS}|null,
 *                          "change":{crash_free_sessions, crash_free_installs, errored_rate,
 *                                    abnormal_rate (points), median_duration_s (seconds)}|null,
 *                          "gates":[{metric,op,value,min_sessions,actual,status}]}],  newest first
 *               "crashes":[{"group","title","status","reports","installs","share"}],
 *               "series":{"step":3600|86400,"points":[{"t","sessions","crashed","errored",
 *                                                     "abnormal","crash_free_sessions"}]},
 *               "check":{"build","status":"pass"|"fail"|"insufficient"|"none",
 *                        "failed":[metric],"insufficient":[metric]}}]}
 * METRICS: sessions, exited, crashed, abnormal, errored (handled errors only), installs,
 * crashed_installs, crash_free_sessions, crash_free_installs, errored_rate, abnormal_rate,
 * median_duration_s (from the duration histogram, within about 9 %; null when none ended),
 * rating ({"mean","count","distribution":[installs rating 1..5]} of schema/0023_ratings.sql,
 * any time, split by cohort but not by channel; null when no install rated).
 * installs: distinct installs per build and group; a release's installs are the sum over its
 * builds (an install that ran two builds counts in each), adoption is a build's share of its
 * release's installs, and a release's share of all releases' installs in the window.
 * Builds are ordered by the git history (see git/buildorder.h) when the repository knows them,
 * else by their first session; "previous" is the build before in that order, in whichever
 * release. crashes: the groups of the release's crash reports (reports whose build.version is
 * the release's version, received in the window), most distinct installs first: each crash
 * report ended one session, so these cost the most sessions; share = reports / crashed
 * sessions of the release (null without crashed sessions).
 */
void health_get(request *rq);

/* GET /api/v1/projects/{p}/health/gates (team): {"gates":[{metric,op,value,min_sessions}]}.
 * PUT (admin) {"gates":[...]} replaces them all: metric crash_free_sessions,
 * crash_free_installs, errored_rate or abnormal_rate (once each), op ">=", ">", "<=" or "<",
 * value a percentage 0..100, min_sessions >= 0 (default 0). Answers as GET. */
void health_gates_get(request *rq);
void health_gates_put(request *rq);

#endif
