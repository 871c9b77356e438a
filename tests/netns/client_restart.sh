#!/usr/bin/env bash
# The server restarts (it tells clients with explicit-exit-notify): the client reconnects on
# its own, keeps its device (persist-tun) and traffic flows again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_client_case "tls-crypt $PKI/tc.key
explicit-exit-notify 1" "tls-crypt $PKI/tc.key
persist-tun"; then
	kill -TERM "$(cat "$T_TMP/server.pid")"
	t_wait_for 10 sh -c "! kill -0 $(cat "$T_TMP/server.pid") 2>/dev/null"
	t_check "client notices the server going away" ovpn_wait_log "$T_TMP/client.log" "reconnecting" 15
	mv "$T_TMP/server.log" "$T_TMP/server1.log"
	if ovpn_start_openvpn "$NS_S" "$T_TMP/s.conf" server; then
		t_check "client brings the tunnel up again" ovpn_wait_log "$T_TMP/client.log" "tunnel up.*" 30
		t_wait_for 30 sh -c "[ \$(grep -c 'tunnel up' $T_TMP/client.log) -ge 2 ]"
		t_check "second tunnel up logged" test "$(grep -c 'tunnel up' "$T_TMP/client.log")" -ge 2
		t_check "ping after the server restart" ovpn_ping "$NS_C" 10.8.0.1
		t_check "TCP after the server restart" ovpn_xfer "$NS_C" "$NS_S" 10.8.0.1 5004 262144
	else
		t_bad "openvpn server restarts"
	fi
	ovpn_client_exit
fi
t_done
