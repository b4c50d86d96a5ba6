/* webhookcmd.h - prosumd webhook add|list|remove|test: a project's webhooks from the server's shell. */
#ifndef PROSUM_WEBHOOKCMD_H
#define PROSUM_WEBHOOKCMD_H

#include "config.h"
#include "store/store.h"

/*
 * argv[0] is the subcommand. Options: --data DIR, and for add --events LIST (comma-separated,
 * default "*"), --format standard|slack|discord, --secret whsec_...; --help. open_db opens the
 * data directory's database for writing (0, or an exit status having said why). Returns the
 * exit status: 0 done, 1 failed, 2 a usage mistake.
 */
int webhookcmd_main(config *cfg, int argc, char **argv,
		    int (*open_db)(const config *cfg, store_db **db));

#endif
