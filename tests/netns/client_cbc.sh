#!/usr/bin/env bash
# burrow client against an openvpn 2.6 server that only offers a CBC cipher: AES-256-CBC with
# HMAC-SHA256 data channel, tls-crypt.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_client_case "tls-crypt $PKI/tc.key
data-ciphers AES-256-CBC
auth SHA256" "tls-crypt $PKI/tc.key
data-ciphers AES-256-CBC
auth SHA256"; then
	t_check "client log names the cipher" grep -q "cipher AES-256-CBC" "$T_TMP/client.log"
	ovpn_client_exit
fi
t_done
