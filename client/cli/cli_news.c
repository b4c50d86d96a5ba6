/* cli_news.c - prosum news: this install's news since the last time it was asked (its bugs fixed
 * in a release, its suggestions shipped, the team's replies). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "prosum.h"

int cli_news(const cli_args *a)
{
	prosum_options o = PROSUM_OPTIONS_INIT;
	prosum_client *client = NULL;
	prosum_news_list *news = NULL;
	long timeout;
	size_t i;
	int rc, err;

	if (!a->dsn)
		return cli_usage_error("no DSN: give --dsn or set PROSUM_DSN");
	rc = cli_timeout(a, &timeout);
	if (rc)
		return rc;
	o.flags = PROSUM_NO_SENDER | PROSUM_NO_SESSIONS; /* the prosum command is no beta build */
	o.close_wait_ms = 0;
	o.ca_file = a->cacert;
	o.pinned_pubkey = a->pin;
	o.timeout_ms = timeout > 0 ? timeout : 0;
	if (prosum_client_new(&client, a->dsn, &o) != 0)
		return cli_fail("%s", prosum_error_last());
	err = prosum_news(&news, client);
	if (err == PROSUM_EAUTH)
		rc = cli_fail("%s: check the DSN (its key and project)", prosum_error_last());
	else if (err)
		rc = cli_transport_fail(NULL);
	if (err)
		goto out;
	for (i = 0; i < news->count; i++)
		printf("%s\n", news->items[i].text);
	if (news->count == 0)
		fprintf(stderr, "prosum: no news since the last time\n");
	else if (news->more)
		fprintf(stderr, "prosum: there is more: run `prosum news` again\n");
out:
	prosum_news_free(news);
	prosum_close(client);
	return rc;
}
