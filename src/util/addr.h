/* Small address helpers every layer may use: an IPv4 address held in host byte order as
 * text, and IP version (4 or 6, as `enum cfg_af` and OCC spell it) to socket family. */
#ifndef BURROW_UTIL_ADDR_H
#define BURROW_UTIL_ADDR_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

/* Dotted-quad text of a host-order IPv4 address into buf (INET_ADDRSTRLEN is enough);
 * "?" if buf is too small. Returns buf. */
static inline const char *addr_v4_str(uint32_t host, char *buf, size_t n)
{
	struct in_addr a = { .s_addr = htonl(host) };

	if (!inet_ntop(AF_INET, &a, buf, (socklen_t)n) && n)
		snprintf(buf, n, "?");
	return buf;
}

/* 4 -> AF_INET, 6 -> AF_INET6, anything else (0: either) -> AF_UNSPEC. */
static inline int addr_family_of(int version)
{
	return version == 4 ? AF_INET : version == 6 ? AF_INET6 : AF_UNSPEC;
}

#endif
