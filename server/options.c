/* options.c - prosumd's usage text and the command line's options, parsed and checked. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "api/auth.h"
#include "config.h"
#include "datacmd.h"
#include "conffile.h"
#include "cmd_int.h"
#include "git/repo.h"
#include "model/adminrules.h"
#include "net/server.h"
#include "oplog.h"
#include "store/store.h"
#include "net/tls.h"
#include "net/tls_cert.h"
#include "projcmd.h"
#include "webhookcmd.h"
#include "usercmd.h"

const char prosumd_usage[] =
	"usage: prosumd init        [--data DIR] [--hostname NAME|IP]...\n"
	"       prosumd serve       [--data DIR] [--listen HOST:PORT] [--cert F --key F] [--threads N]\n"
	"                           [--idle-timeout MS] [--handshake-timeout MS] [--request-timeout MS]\n"
	"                           [--rate-ip N] [--rate-key N] [--conns-per-ip N] [--max-connections N]\n"
	"                           [--write-queue N]   (rates in requests/s; 0 turns a limit off)\n"
	"                           [--log-format text|json] [--log-level error|warn|info|debug]\n"
	"                           [--log-file PATH] [--metrics-token TOKEN]\n"
	"                           [--webhook-allow-private]   (webhooks may reach private addresses)\n"
	"                           [--smtp-url smtp://HOST:PORT --smtp-from ADDRESS --public-url URL\n"
	"                            [--smtp-user USER --smtp-password-file F] [--mail-interval S]]\n"
	"                           [--config FILE]   (key = value lines: a flag's name without --)\n"
	"       prosumd check-config [--config FILE] [serve flags]\n"
	"       prosumd cert renew  [--data DIR] [--hostname NAME|IP]...\n"
	"       prosumd project add NAME [--repo PATH] [--public-url URL | --listen HOST:PORT]\n"
	"                           [--commit-url 'https://example.org/commit/{id}']\n"
	"                           [--version-tag 'v{version}'] [--public] [--data DIR]\n"
	"       prosumd project list | project show NAME   [--data DIR]\n"
	"       prosumd project set NAME [--repo PATH] [--remote URL] [--commit-url URL]\n"
	"                           [--version-tag PATTERN] [--public | --private] [--data DIR]\n"
	"       prosumd project remove NAME [--yes] [--data DIR]\n"
	"       prosumd backup DEST [--data DIR]\n"
	"       prosumd restore SRC [--force] [--data DIR]\n"
	"       prosumd check [--repair] [--data DIR]\n"
	"       prosumd token add   --role developer|release|admin --name LABEL [--project NAME]\n"
	"                           [--data DIR]\n"
	"       prosumd token list  [--data DIR]\n"
	"       prosumd token revoke ID [--data DIR]\n"
	"       prosumd key add --project NAME | key list | key revoke KEY   [--data DIR]\n"
	"       prosumd user add NAME --role developer|release|admin [--project NAME]\n"
	"                           [--public-url URL | --listen HOST:PORT] [--data DIR]\n"
	"       prosumd user list | user link NAME | user disable NAME   [--data DIR]\n"
	"       prosumd webhook add PROJECT URL [--events TYPE,...] [--format standard|slack|discord]\n"
	"                           [--secret whsec_...] [--data DIR]\n"
	"       prosumd webhook list PROJECT | webhook remove|test PROJECT ID   [--data DIR]\n"
	"       prosumd webhook deliveries PROJECT ID [--limit N] | webhook redeliver PROJECT ID D\n"
	"       prosumd user email NAME [ADDRESS]   (no ADDRESS: clears it) [--data DIR]\n"
	"       prosumd --version\n"
	"\n"
	"--data defaults to $PROSUM_DATA, else ./prosum-data. --listen :PORT listens on every\n"
	"interface (0.0.0.0:PORT; [::]:PORT for IPv6); PORT 0 picks a free one. project add\n"
	"prints the DSN testers' builds send to: its host is --public-url's, else --listen's.\n"
	"Every command takes --help. Exit status: 0 done, 1 failed, 2 a usage mistake.\n";


static int parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/* A numeric option's value, or a message naming the option and its valid range. */
static int int_opt(const char *opt, const char *s, int min, int max, int *out)
{
	if (parse_int(s, min, max, out) == 0)
		return 0;
	fprintf(stderr, "prosumd: %s wants a whole number from %d to %d, not '%s'\n", opt, min, max,
		s);
	return -2;
}

static int rate_opt(const char *opt, const char *s, double *out)
{
	int v;

	if (int_opt(opt, s, 0, 10000000, &v) < 0)
		return -2;
	*out = v;
	return 0;
}

/*
 * --listen HOST:PORT, [IPV6]:PORT or :PORT (every IPv4 interface). The port
 * must be a number from 0 to 65535: getaddrinfo would otherwise take 99999
 * modulo 65536, or a service name. Stores the normalised address.
 */
static int listen_opt(char **field, const char *v)
{
	const char *colon = v[0] == '[' ? strstr(v, "]:") : strrchr(v, ':');
	const char *port;
	char addr[300];

	if (v[0] == '[' && colon)
		colon++;
	if (!colon || (v[0] != '[' && memchr(v, ':', (size_t)(colon - v))) ||
	    (v[0] == '[' && colon == v + 2)) {
		fprintf(stderr,
			"prosumd: --listen wants HOST:PORT, [IPV6]:PORT or :PORT, not '%s'\n", v);
		return -2;
	}
	port = colon + 1;
	if (!*port || strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 ||
	    strtol(port, NULL, 10) > 65535) {
		fprintf(stderr,
			"prosumd: --listen: the port must be a number from 0 to 65535, not '%s'\n",
			port);
		return -2;
	}
	if (colon == v) {
		/* ":PORT": every IPv4 interface */
		snprintf(addr, sizeof(addr), "0.0.0.0%s", colon);
		return config_set(field, addr);
	}
	return config_set(field, v);
}

/* --log-format text|json, --log-level error|warn|info|debug. */
static int log_opt(config *cfg, const char *opt, const char *v)
{
	int fmt = strcmp(opt, "--log-format") == 0;
	int n = fmt ? oplog_format_parse(v) : oplog_level_parse(v);

	if (n < 0) {
		fprintf(stderr, "prosumd: %s wants %s, not '%s'\n", opt,
			fmt ? "text or json" : "error, warn, info or debug", v);
		return -2;
	}
	if (fmt)
		cfg->log_format = n;
	else
		cfg->log_level = n;
	return 0;
}

/* --metrics-token: long enough not to be guessed, and sent as a header value as it is. */
static int metrics_token_opt(config *cfg, const char *v)
{
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] > '~')
			break;
	if (n < 16 || n > 256 || i < n) {
		fprintf(stderr, "prosumd: --metrics-token wants 16 to 256 printable characters without "
				"spaces\n");
		return -2;
	}
	return config_set(&cfg->metrics_token, v);
}

/* Is `a` one of the options parse_opts() takes (each with a value)? Only to tell
 * "unknown" from "needs a value" when it comes last. */
static int known_opt(const char *a)
{
	static const char *const names[] = {
		"--data", "--listen", "--cert", "--key", "--public-url", "--threads",
		"--rate-ip", "--rate-key", "--conns-per-ip", "--max-connections", "--write-queue",
		"--idle-timeout", "--handshake-timeout", "--request-timeout", "--commit-url",
		"--repo", "--role", "--project", "--name", "--hostname", "--version-tag",
		"--log-format", "--log-level", "--log-file", "--metrics-token",
		"--remote", "--smtp-url", "--smtp-from", "--smtp-user", "--smtp-password-file",
		"--mail-interval",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(a, names[i]) == 0)
			return 1;
	return 0;
}

static int unknown_opt(const char *a)
{
	fprintf(stderr, "prosumd: unknown option %s\n%s", a, prosumd_usage);
	return -1;
}

/* Options shared by every command; positional arguments go to o->name.
 * 0, 1 when --help was asked (usage is printed), -1 on a bad argument (said why). */
int parse_opts(opts *o, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = 0;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(prosumd_usage, stdout);
			return 1;
		}
		if (a[0] != '-' || a[1] == '\0') {
			if (o->name) {
				die("unexpected argument '%s'", a);
				return -1;
			}
			o->name = a;
			continue;
		}
		if (strcmp(a, "--public") == 0) {
			o->is_public = 1; /* the options without a value */
			continue;
		}
		if (strcmp(a, "--webhook-allow-private") == 0) {
			o->cfg.webhook_allow_private = 1;
			continue;
		}
		if (strcmp(a, "--private") == 0 || strcmp(a, "--yes") == 0 ||
		    strcmp(a, "--force") == 0 || strcmp(a, "--repair") == 0) {
			*(a[2] == 'p' ? &o->is_private : a[2] == 'y' ? &o->yes
						      : a[2] == 'f' ? &o->force
								    : &o->repair) = 1;
			continue;
		}
		if (!v) {
			if (!known_opt(a))
				return unknown_opt(a);
			die("%s needs a value", a);
			return -1;
		}
		i++;
		if (strcmp(a, "--data") == 0)
			rc = config_set(&o->cfg.data_dir, v);
		else if (strcmp(a, "--listen") == 0)
			rc = listen_opt(&o->cfg.listen, v);
		else if (strcmp(a, "--cert") == 0)
			rc = config_set(&o->cfg.cert_file, v);
		else if (strcmp(a, "--key") == 0)
			rc = config_set(&o->cfg.key_file, v);
		else if (strcmp(a, "--public-url") == 0)
			rc = config_set(&o->cfg.public_url, v);
		else if (strcmp(a, "--threads") == 0)
			rc = int_opt(a, v, 1, 256, &o->cfg.threads);
		else if (strcmp(a, "--rate-ip") == 0)
			rc = rate_opt(a, v, &o->cfg.rate_ip);
		else if (strcmp(a, "--rate-key") == 0)
			rc = rate_opt(a, v, &o->cfg.rate_key);
		else if (strcmp(a, "--conns-per-ip") == 0)
			rc = int_opt(a, v, 0, 1000000, &o->cfg.conns_per_ip);
		else if (strcmp(a, "--max-connections") == 0)
			rc = int_opt(a, v, 1, 10000000, &o->cfg.max_connections);
		else if (strcmp(a, "--write-queue") == 0)
			rc = int_opt(a, v, 1, 1000000, &o->cfg.write_queue);
		else if (strcmp(a, "--idle-timeout") == 0)
			rc = int_opt(a, v, 100, 3600000, &o->cfg.idle_timeout_ms);
		else if (strcmp(a, "--handshake-timeout") == 0)
			rc = int_opt(a, v, 100, 600000, &o->cfg.handshake_timeout_ms);
		else if (strcmp(a, "--request-timeout") == 0) {
			rc = int_opt(a, v, 100, 600000, &o->cfg.head_timeout_ms);
			o->cfg.body_timeout_ms = o->cfg.head_timeout_ms;
		} else if (strcmp(a, "--log-format") == 0 || strcmp(a, "--log-level") == 0)
			rc = log_opt(&o->cfg, a, v);
		else if (strcmp(a, "--log-file") == 0)
			rc = config_set(&o->cfg.log_file, v);
		else if (strcmp(a, "--metrics-token") == 0)
			rc = metrics_token_opt(&o->cfg, v);
		else if (strcmp(a, "--commit-url") == 0)
			o->commit_url = v;
		else if (strcmp(a, "--smtp-url") == 0)
			rc = config_set(&o->cfg.smtp_url, v);
		else if (strcmp(a, "--smtp-from") == 0)
			rc = config_set(&o->cfg.smtp_from, v);
		else if (strcmp(a, "--smtp-user") == 0)
			rc = config_set(&o->cfg.smtp_user, v);
		else if (strcmp(a, "--smtp-password-file") == 0)
			rc = config_set(&o->cfg.smtp_password_file, v);
		else if (strcmp(a, "--mail-interval") == 0)
			rc = int_opt(a, v, 1, 7 * 24 * 3600, &o->cfg.mail_interval);
		else if (strcmp(a, "--version-tag") == 0)
			o->version_tag = v;
		else if (strcmp(a, "--repo") == 0)
			o->repo = v;
		else if (strcmp(a, "--remote") == 0)
			o->remote = v;
		else if (strcmp(a, "--role") == 0)
			o->role = v;
		else if (strcmp(a, "--project") == 0)
			o->project = v;
		else if (strcmp(a, "--name") == 0)
			o->label = v;
		else if (strcmp(a, "--hostname") == 0) {
			if (o->nhosts == TLS_MAX_HOSTS) {
				die("at most %s --hostname", TLS_MAX_HOSTS_TEXT);
				return -1;
			}
			o->hosts[o->nhosts++] = v;
		} else
			return unknown_opt(a);
		if (rc == -2)
			return -1; /* the option said why */
		if (rc < 0) {
			die("%s", "out of memory");
			return -1;
		}
	}
	return 0;
}

