/* reload.h - SIGHUP: the settings that can change while serving, and the certificate. */
#ifndef PROSUM_RELOAD_H
#define PROSUM_RELOAD_H

#include "net/server.h"

/*
 * Read the settings again (config.h's reload: the config file and the
 * command line, checked as `prosumd check-config` checks them) and apply what
 * can change while serving: the rate limits, the connection limits, the
 * timeouts, and the certificate and key (files read again even when their
 * names did not change). All or nothing: when the settings or the certificate
 * are refused, nothing changes. Says on stderr what changed and what needs a
 * restart. Called by the signal thread only; the I/O threads go on serving:
 * connections already open keep their TLS session and their deadlines, new
 * handshakes use the new certificate, new requests the new limits.
 */
void server_reload(server *srv);

/* Free the settings replaced by reloads (after the I/O threads have stopped). */
void server_reload_free(server *srv);

/* The TLS state of a new connection, from the certificate served now. 0 or -1. */
int server_tls_conn_new(server *srv, tls_conn **out, int fd);

#endif
