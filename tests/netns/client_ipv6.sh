#!/usr/bin/env bash
# burrow client against openvpn 2.6 with server-ipv6: pushed ifconfig-ipv6, IPv6 traffic
# inside the tunnel both ways (ping6 + TCP over IPv6).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_client_case "tls-crypt $PKI/tc.key
server-ipv6 fd00:8::/64" "tls-crypt $PKI/tc.key"; then
	a6=$(sed -nE 's/.*tunnel up: device [a-z0-9]+ [0-9./]+ ([0-9a-f:]+)\/64.*/\1/p' "$T_TMP/client.log" | head -1)
	t_check "client got an IPv6 address (${a6:-none})" test -n "$a6"
	t_check "ping6 client -> server" ovpn_ping "$NS_C" fd00:8::1
	t_check "ping6 server -> client" ovpn_ping "$NS_S" "${a6:-fd00:8::dead}"
	t_check "TCP over IPv6 client -> server" ovpn_xfer "$NS_C" "$NS_S" fd00:8::1 5003 262144
	ovpn_client_exit
fi
t_done
