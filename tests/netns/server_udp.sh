#!/usr/bin/env bash
# The real openvpn 2.6 client against burrow server: UDP, TUN, tls-crypt, AES-256-GCM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_server_case "tls-crypt $PKI/tc.key
data-ciphers AES-256-GCM" "tls-crypt $PKI/tc.key"; then
	t_check "server log names the client and cipher" \
		grep -qE "client 'client1' connected from .*cipher AES-256-GCM" "$T_TMP/server.log"
	t_check "openvpn client got 10.8.0.2 from the pool" \
		grep -q "10.8.0.2" "$T_TMP/client.log"
fi
t_done
