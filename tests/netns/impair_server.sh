#!/usr/bin/env bash
# The real openvpn 2.6 client <-> burrow server through the impairing relay (7 % loss, 5 %
# duplication, 10 % reordering, both ways): handshake, pings, a TCP transfer's checksum and a
# client-driven renegotiation (reneg-sec 4) under loss; then a silent link: the openvpn
# client's ping-restart (pushed by burrow) fires and it reconnects once the link is back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
. "$(dirname "$0")/impair_lib.sh"

ovpn_need
imp_need
ovpn_setup
ovpn_pki
{ ovpn_server_conf | sed 's/^keepalive .*/keepalive 1 4/'; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/s.conf"
{ imp_client_conf; echo "tls-crypt $PKI/tc.key"; echo "reneg-sec 4"; } > "$T_TMP/c.conf"
ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server || { t_bad "burrow server starts"; t_done; }
imp_start -L 7 -D 5 -R 10 -H 3 -M 30 -S 13 || { t_bad "relay starts"; t_done; }
if ! ovpn_start_openvpn "$NS_C" "$T_TMP/c.conf" client; then
	t_bad "openvpn client connects through the lossy relay"
	sed 's/^/    server: /' "$T_TMP/server.log" | tail -20
	imp_stop
	t_done
fi
t_ok "openvpn client connects through the lossy relay"
imp_pings "$NS_C" 10.8.0.1 30 20 "pings client -> server under loss"
t_check "TCP 256 KB client -> server under loss, checksums match" \
	ovpn_xfer "$NS_C" "$NS_S" 10.8.0.1 5001 262144
t_check "renegotiation completes under loss" \
	ovpn_wait_log "$T_TMP/server.log" "renegotiated, key id" 15
imp_pings "$NS_S" 10.8.0.2 20 12 "pings server -> client after the renegotiation"
t_check "the relay lost, duplicated and reordered packets" imp_did_impair

kill -USR1 "$IMP_PID"
t_check "silent link: the openvpn client's ping-restart fires" \
	ovpn_wait_log "$T_TMP/client.log" "Inactivity timeout \(--ping-restart\)" 10
kill -USR1 "$IMP_PID"
t_check "openvpn client reconnects to burrow when the link is back" \
	t_wait_for 25 sh -c "[ \$(grep -c 'Initialization Sequence Completed' $T_TMP/client.log) -ge 2 ]"
imp_pings "$NS_C" 10.8.0.1 20 12 "pings after the reconnect"
t_check "server exits 0 on SIGTERM" ovpn_stop server
imp_stop
t_done
