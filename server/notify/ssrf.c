/* ssrf.c - which addresses and URLs a webhook may reach: no private, loopback or special ones. */
#include "notify/ssrf.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

static int v4_public(uint32_t a)
{
	static const struct {
		uint32_t net, mask;
	} refused[] = {
		{0x00000000, 0xff000000}, /* 0/8: "this" network, unspecified */
		{0x0a000000, 0xff000000}, /* 10/8 */
		{0x64400000, 0xffc00000}, /* 100.64/10: CGNAT */
		{0x7f000000, 0xff000000}, /* 127/8: loopback */
		{0xa9fe0000, 0xffff0000}, /* 169.254/16: link-local (cloud metadata) */
		{0xac100000, 0xfff00000}, /* 172.16/12 */
		{0xc0000000, 0xffffff00}, /* 192.0.0/24: protocol assignments */
		{0xc0a80000, 0xffff0000}, /* 192.168/16 */
		{0xc6120000, 0xfffe0000}, /* 198.18/15: benchmarking */
		{0xe0000000, 0xf0000000}, /* 224/4: multicast */
		{0xf0000000, 0xf0000000}, /* 240/4: reserved, and broadcast */
	};
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if ((a & refused[i].mask) == refused[i].net)
			return 0;
	return 1;
}

static int v6_public(const unsigned char *b)
{
	static const unsigned char zero[16];

	if (memcmp(b, zero, 15) == 0)
		return 0; /* :: and ::1, and nothing else starts so */
	if (memcmp(b, zero, 10) == 0 && ((b[10] == 0xff && b[11] == 0xff) ||
					 (b[10] == 0 && b[11] == 0)))
		return 0; /* ::ffff:a.b.c.d mapped, ::a.b.c.d compatible */
	if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
		return 0; /* 64:ff9b::/96 and /48: NAT64 reaches IPv4 */
	if ((b[0] & 0xfe) == 0xfc)
		return 0; /* fc00::/7: unique local */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return 0; /* fe80::/10: link-local */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return 0; /* fec0::/10: site-local, deprecated */
	if (b[0] == 0xff)
		return 0; /* multicast */
	if (b[0] == 0x20 && b[1] == 0x02)
		return 0; /* 2002::/16: 6to4 embeds IPv4 */
	return 1;
}

int ssrf_addr_public(const struct sockaddr *sa, size_t len)
{
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return v4_public(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		return v6_public(in6->sin6_addr.s6_addr);
	}
	return 0;
}

int ssrf_url_ok(const char *url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	size_t i, n = strlen(url);
	int ok = 0;

	if (n == 0 || n > SSRF_URL_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f)
			return 0;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return 0;
	u = curl_url();
	if (!u)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0])
		ok = strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0;
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}
