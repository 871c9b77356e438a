#!/usr/bin/env bash
# burrow client against burrow server: UDP and TCP, tls-crypt, traffic both ways, clean exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
ovpn_setup
ovpn_pki
for proto in ${PROTOS:-udp tcp}; do
	{ OVPN_PROTO=$proto ovpn_server_conf; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/s.conf"
	{ OVPN_PROTO=$proto ovpn_client_conf; echo "tls-crypt $PKI/tc.key"; [ $proto = udp ] && echo "explicit-exit-notify 1"; } > "$T_TMP/c.conf"
	if ! ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server; then
		t_bad "$proto: burrow server starts"; continue
	fi
	if ! ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client; then
		t_bad "$proto: burrow client connects to burrow server"
		sed 's/^/    server: /' "$T_TMP/server.log" | tail -20
		ovpn_stop server; continue
	fi
	t_ok "$proto: burrow client connects to burrow server"
	ovpn_traffic "$NS_C" 10.8.0.1 "$NS_S" 10.8.0.2
	t_check "$proto: client exits 0 on SIGTERM" ovpn_stop client
	t_check "$proto: server saw the client leave" \
		t_wait_for 5 grep -q "client 'client1' .* disconnected" "$T_TMP/server.log"
	t_check "$proto: server exits 0 on SIGTERM" ovpn_stop server
done
t_done
