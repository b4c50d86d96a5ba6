/* conffile.h - the config file: `key = value` lines turned into command-line flags, checked line by line. */
#ifndef PROSUM_CONFFILE_H
#define PROSUM_CONFFILE_H

#include <stdio.h>

#include "config.h"

/*
 * A key is a serve flag's name without "--"; its value is the flag's value,
 * or true/false for a flag that takes none. The file's settings become flags
 * placed before the command line's, so a flag given on the command line wins.
 * Every flag the command line parser takes works, with no table here: each
 * line is checked by that parser itself (the callback), and its message is
 * given again naming FILE:LINE:COLUMN.
 */

/*
 * The command line parser of prosumd (main.c), run on a scratch setting:
 * 0 taken, -1 refused (the reason on stderr, as the command line says it).
 * *positional: set when an argument was taken as a positional one (a flag
 * without a value was given one).
 */
typedef int (*conffile_check_fn)(int argc, char **argv, int *positional);

/* Parse `argc` flags into *cfg (which holds the defaults): main.c's parser. 0 or -1. */
typedef int (*conffile_parse_fn)(config *cfg, int argc, char **argv);

/*
 * When argv (the whole command line) names a file with --config FILE, or else
 * $PROSUM_CONFIG names one, read it and make a new command line: argv[0] and
 * the command's words (those before the first flag), the file's flags, then
 * the rest of the command line without --config FILE. *argc and *argv are
 * replaced (the new vector is kept until the process ends). 0, or 2 after a
 * message naming FILE:LINE:COLUMN (a usage mistake). Not thread-safe: it
 * captures the parser's messages by pointing stderr elsewhere for a moment,
 * so it runs before any thread is started.
 */
int conffile_expand(int *argc, char ***argv, conffile_check_fn check);

/* The file conffile_expand() read, or NULL. */
const char *conffile_path(void);

/*
 * check-config's output: the effective settings as a config file (a line per
 * setting with its value, defaults included; a setting without a value as a
 * comment), then the file's keys this table does not know, as the file gave them.
 */
void conffile_print(FILE *out, const config *cfg);

/*
 * Read the settings again, as a reload: `prosumd check-config` with the same
 * config file and command line runs as a child process (so the server's own
 * stderr is never redirected, and a refused file is said with its line
 * numbers by the child), and the flags it prints are parsed into *out with
 * `parse`. *out is made here with config_init(); free it with config_free()
 * in both cases. 0, or -1 (the child said why on stderr).
 */
int conffile_reload(config *out, conffile_parse_fn parse);

/*
 * For conffile_reload()'s child: when $PROSUM_CHECK_CONFIG_ARGS is set,
 * check-config prints the flags (each followed by a NUL) instead of the
 * settings. 1 when it is set.
 */
int conffile_args_wanted(void);
/* Print the command line's flags (argv[first..argc)) each followed by a NUL. */
void conffile_print_args(FILE *out, int argc, char **argv, int first);

#endif
