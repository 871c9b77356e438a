#!/usr/bin/env bash
# burrow client against openvpn 2.6: UDP, TUN, tls-crypt-v2 (client key wraps Kc for the
# server), default data-ciphers (AES-256-GCM picked).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_client_case "tls-crypt-v2 $PKI/v2srv.key" "tls-crypt-v2 $PKI/v2cli.key"; then
	t_check "client log names the cipher" grep -q "cipher AES-256-GCM" "$T_TMP/client.log"
	ovpn_client_exit
fi
t_done
