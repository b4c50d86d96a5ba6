/* appsession.h - the session of a run (release health): its marker file, its end through the spool, crashes. */
#ifndef PROSUM_CLIENT_APPSESSION_H
#define PROSUM_CLIENT_APPSESSION_H

#include "prosum.h"

/*
 * A run's session leaves one small file in the spool while it lasts:
 *   session-UUID.open     written at the start: {"sid","install_id","started","release",
 *                         "revision","channel"}; flock()ed by the running process
 * At a clean end (prosum_session_end(), prosum_close(), exit()) the session is queued as
 * NNN-UUID.session {"uuid","sid","install_id","started","duration","status":"exited",
 * "errors",...} and the marker deleted. The crash handler renames the marker to
 *   session-UUID.crashed
 * (rename(2) is async-signal-safe). The next client on the spool queues every .crashed
 * marker as "crashed" and every .open marker no process holds as "abnormal" (killed, power
 * lost, crashed without the crash handler), then deletes them.
 */

/* Queue the sessions earlier runs left unfinished (see above). Best effort. */
void appsession_recover(prosum_client *c);

/* A report of kind `kind` ("crash", "bug", "feedback") was queued or sent: crashes and bugs
 * count as the session's errors. */
void appsession_note_report(prosum_client *c, const char *kind);

/* End c's session, if it has one, as exited (from prosum_close()). */
void appsession_close(prosum_client *c);

/* From the crash handler, async-signal-safe: mark the open session as crashed. */
void appsession_crashed(void);

#endif
