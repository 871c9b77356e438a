#!/usr/bin/env bash
# burrow client against openvpn 2.6: UDP, TUN, tls-crypt, AES-256-GCM (spec §15.2/§15.3).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_client_case "tls-crypt $PKI/tc.key
data-ciphers AES-256-GCM" "tls-crypt $PKI/tc.key"; then
	t_check "client log names the cipher" grep -q "cipher AES-256-GCM" "$T_TMP/client.log"
	t_check "client log names the TLS peer" grep -q "TLS established: server 'server'" "$T_TMP/client.log"
	ovpn_client_exit
fi
t_done
