#!/usr/bin/env bash
# The outer transport over IPv6: UDP and then TCP to the server's IPv6 address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
ovpn_setup
ovpn_pki
[ -d /proc/sys/net/ipv6 ] || t_skip "the kernel has no IPv6 (ipv6.disable=1)"
ip -n "$NS_S" addr add fd99::1/64 dev v1 nodad && ip -n "$NS_C" addr add fd99::2/64 dev v0 nodad ||
	t_fail "cannot add IPv6 addresses to the veth"
for proto in udp tcp; do
	{ ovpn_server_conf | sed -e "s/^local .*/local fd99::1/" -e "s/^proto .*/proto ${proto}6/"
	  echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/s.conf"
	{ ovpn_client_conf | sed -e "s/^remote .*/remote fd99::1 1194/" -e "s/^proto .*/proto $proto/"
	  echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/c.conf"
	if ovpn_start_openvpn "$NS_S" "$T_TMP/s.conf" server && ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client; then
		t_ok "$proto over IPv6: tunnel up"
		t_check "$proto over IPv6: connected to [fd99::1]:1194" grep -q "connecting: $proto to \[fd99::1\]:1194" "$T_TMP/client.log"
		t_check "$proto over IPv6: ping through the tunnel" ovpn_ping "$NS_C" 10.8.0.1
		t_check "$proto over IPv6: TCP transfer" ovpn_xfer "$NS_C" "$NS_S" 10.8.0.1 5010 262144
		ovpn_client_exit
	else
		t_bad "$proto over IPv6: tunnel up"
	fi
	kill "$(cat "$T_TMP/server.pid")" 2>/dev/null
	t_wait_for 5 sh -c "! kill -0 $(cat "$T_TMP/server.pid") 2>/dev/null"
	mv "$T_TMP/server.log" "$T_TMP/server-$proto.log"
	mv "$T_TMP/client.log" "$T_TMP/client-$proto.log"
done
t_done
