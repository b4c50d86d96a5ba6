/* prosum_tool.h - the inside of libprosum that the prosum command uses; for that tool only. */
#ifndef PROSUM_CLIENT_TOOL_H
#define PROSUM_CLIENT_TOOL_H

/*
 * The prosum command (client/cli) is built with libprosum and is the one program that goes
 * past include/prosum.h. Its files include prosum.h, this header and common/ headers, never
 * another header of client/lib. Nothing here is a promise to programs that embed libprosum:
 * it changes with the command.
 *
 * What the command uses, and who owns what (each call's header says more):
 *
 * lib/client_limits.h  the ceilings (PROSUM_MAX_*) it checks before sending and
 *                      PROSUM_CLI_DEFAULT_TIMEOUT_MS.
 * lib/dsn.h            dsn_parse(): a dsn is plain data in the caller's storage.
 * lib/transport.h      HTTP to prosumd for its API calls (tester and team commands):
 *                      transport_new() gives the caller a transport (transport_free());
 *                      transport_config strings and transport_call strings are borrowed;
 *                      a transport_answer is the caller's (TRANSPORT_ANSWER_INIT,
 *                      transport_answer_free()); transport_error_line() and
 *                      transport_escape() return strings the caller frees.
 * lib/spool.h          `prosum queue` reads and edits spools without a client:
 *                      spool_open() gives the caller a spool (spool_free()); spool_list()
 *                      an array it frees; spool_read() an envelope it frees with
 *                      envelope_free(); spool_target() a string it frees; spool_dir()
 *                      is borrowed.
 * lib/error.h          error_untrusted(): borrowed, the calling thread's last message
 *                      about a server that did not verify, to tell how to trust it.
 * lib/util.h           util_sanitize() (in place), util_path_join() and util_read_file()
 *                      (the caller frees what they return).
 * below                where the library keeps its spools.
 */
#include "lib/client_limits.h"
#include "lib/dsn.h"
#include "lib/error.h"
#include "lib/spool.h"
#include "lib/transport.h"
#include "lib/util.h"

/*
 * The directory that holds one spool per DSN: $XDG_STATE_HOME/prosum/spool,
 * else ~/.local/state/prosum/spool ($XDG_STATE_HOME ignored with `no_env`).
 * Caller frees *out. PROSUM_EIO (no home), PROSUM_ENOMEM.
 */
int client_spool_root(char **out, int no_env);

/* The spool directory a client of `d` would use without spool_dir or $PROSUM_SPOOL. Caller frees.
 */
int client_spool_for(char **out, const dsn *d, int no_env);

#endif
