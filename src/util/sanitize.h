/* Peer-controlled strings (certificate name, username, password, peer-info lines) made safe
 * for status and pool files, logs and script environments, with OpenVPN 2.6's rules as
 * observed with openvpn 2.6.14 (see docs/architecture.md, "Peer-controlled names"). Pure
 * functions: no allocation, no locale. */
#ifndef BURROW_UTIL_SANITIZE_H
#define BURROW_UTIL_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/* A common name, username or password, in place: every control byte (below 0x20, and 0x7f)
 * becomes '_'; everything else stays, ',' ';' '$' '`' spaces and UTF-8 bytes included, as
 * OpenVPN 2.6 keeps them (scripts must quote). Returns how many bytes were replaced. */
size_t sanitize_name(char *s);

/* sanitize_name on a copy: src into dst (cap bytes, always terminated, cut if longer). */
char *sanitize_name_copy(char *dst, size_t cap, const char *src);

/* One peer-info line "KEY=VALUE", in place, as OpenVPN 2.6 passes them to scripts: KEY must
 * be one or more of [A-Za-z0-9_] and start with IV_ or UV_, else the line is refused (false,
 * left unchanged); in VALUE every byte that is not printable ASCII, or is white space, '$',
 * '(' or '`', becomes '_'. */
bool sanitize_peer_info_line(char *line);

/* For one field of a line-oriented file (status, ifconfig-pool-persist): copies src to dst
 * (cap bytes, always terminated, cut if longer) with sep and every control byte replaced by
 * '_', so a name can never add a column or a line. Returns dst. */
char *sanitize_field(char *dst, size_t cap, const char *src, char sep);

/* Whether s can be written as a field separated by sep unchanged (no sep, no control byte). */
bool sanitize_field_ok(const char *s, char sep);

#endif
