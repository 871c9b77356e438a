#!/usr/bin/env bash
# burrow client against an openvpn 2.6 server that only offers a CBC cipher: AES-256-CBC with
# HMAC-SHA256 data channel, tls-crypt; the client binds its local port (lport, no nobind).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
OVPN_NOBIND=""

if ovpn_client_case "tls-crypt $PKI/tc.key
data-ciphers AES-256-CBC
auth SHA256" "tls-crypt $PKI/tc.key
data-ciphers AES-256-CBC
auth SHA256
lport 41194"; then
	t_check "client log names the cipher" grep -q "cipher AES-256-CBC" "$T_TMP/client.log"
	t_check "lport without nobind: client bound to port 41194" grep -q "$OVPN_C_ADDR:41194" "$T_TMP/server.log"
	ovpn_client_exit
fi
t_done
