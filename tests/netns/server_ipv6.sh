#!/usr/bin/env bash
# IPv6 inside the tunnel with the real openvpn 2.6 client: server-ipv6 pool, ping6 and a TCP
# transfer over IPv6 in both directions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_server_case "tls-crypt $PKI/tc.key
server-ipv6 fd00:77::/64" "tls-crypt $PKI/tc.key"; then
	t_check "openvpn client got fd00:77::1000" \
		t_wait_for 5 sh -c "ip -n $NS_C -6 addr | grep -q 'fd00:77::1000/64'"
	t_check "ping6 client -> server" ovpn_ping "$NS_C" fd00:77::1
	t_check "ping6 server -> client" ovpn_ping "$NS_S" fd00:77::1000
	t_check "TCP over IPv6 client -> server, checksums match" \
		ovpn_xfer "$NS_C" "$NS_S" fd00:77::1 5004 262144
fi
t_done
