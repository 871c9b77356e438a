#!/usr/bin/env bash
# burrow client against openvpn 2.6: TCP, TUN, tls-auth (key-direction 0/1), CHACHA20-POLY1305.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
OVPN_PROTO=tcp

if ovpn_client_case "tls-auth $PKI/ta.key 0
data-ciphers CHACHA20-POLY1305" "tls-auth $PKI/ta.key 1"; then
	t_check "client connected over TCP" grep -q "connecting: tcp to" "$T_TMP/client.log"
	t_check "client log names the cipher" grep -q "cipher CHACHA20-POLY1305" "$T_TMP/client.log"
	ovpn_client_exit
fi
t_done
