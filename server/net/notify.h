/* notify.h - readiness and state for systemd (sd_notify), a no-op elsewhere. */
#ifndef PROSUM_NOTIFY_H
#define PROSUM_NOTIFY_H

/*
 * Send a state to the service manager, as sd_notify(3) lines: "READY=1",
 * "RELOADING=1", "STOPPING=1", "STATUS=...". Nothing happens when prosumd
 * was not started by systemd with Type=notify ($NOTIFY_SOCKET unset) or was
 * built without libsystemd. Thread-safe; never fails.
 */
void notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
