#!/usr/bin/env bash
# burrow client against openvpn 2.6: UDP, TUN, tls-crypt, AES-256-GCM (spec §15.2/§15.3);
# on SIGTERM the client tells the server (explicit-exit-notify over cc-exit).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_client_case "tls-crypt $PKI/tc.key
data-ciphers AES-256-GCM" "tls-crypt $PKI/tc.key
explicit-exit-notify 1"; then
	t_check "client log names the cipher" grep -q "cipher AES-256-GCM" "$T_TMP/client.log"
	t_check "client log names the TLS peer" grep -q "TLS established: server 'server'" "$T_TMP/client.log"
	ovpn_client_exit
	t_check "server got the exit notification" ovpn_wait_log "$T_TMP/server.log" "exit message received" 3
fi
t_done
