#!/usr/bin/env bash
# The real openvpn 2.6 client against burrow server over TCP, tls-auth, CHACHA20-POLY1305.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
OVPN_PROTO=tcp

if ovpn_server_case "tls-auth $PKI/ta.key 0
data-ciphers CHACHA20-POLY1305" "tls-auth $PKI/ta.key 1
data-ciphers CHACHA20-POLY1305"; then
	t_check "server log names the cipher" grep -q "cipher CHACHA20-POLY1305" "$T_TMP/server.log"
	t_check "openvpn client uses TCP" grep -q "TCP connection established" "$T_TMP/client.log"
fi
t_done
