/* ssrf.h - which addresses and URLs a webhook may reach: no private, loopback or special ones. */
#ifndef PROSUM_SSRF_H
#define PROSUM_SSRF_H

#include <stddef.h>
#include <sys/socket.h>

#define SSRF_URL_MAX 2048
#define SSRF_URL_RULE "an http:// or https:// URL with a host name (at most 2048 characters)"

/*
 * Is the address one a webhook may connect to? 0 for unspecified, loopback, private (RFC 1918),
 * CGNAT (100.64/10), link-local, multicast, reserved and broadcast IPv4 addresses, and for
 * IPv6 ::, ::1, ULA (fc00::/7), link-local, multicast, IPv4-mapped, -compatible and NAT64
 * forms; 1 for the rest. Only AF_INET and AF_INET6 are ever allowed.
 */
int ssrf_addr_public(const struct sockaddr *sa, size_t len);
/* Is url of SSRF_URL_RULE's form (checked before it is stored; the address is checked when
 * connecting, after DNS resolution)? */
int ssrf_url_ok(const char *url);

#endif
