#!/usr/bin/env bash
# burrow client <-> burrow server through a harsh link: 15 % loss, 10 % duplication, 20 %
# reordering, 4 % of packets with a flipped bit, 10 ms delay, both ways. The handshake still
# completes (retransmits; corrupted packets fail authentication and are dropped and counted),
# some pings answer, nothing crashes, and both ends exit cleanly (under ASan: no leaks).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
. "$(dirname "$0")/impair_lib.sh"

ovpn_need
imp_need
ovpn_setup
ovpn_pki
{ ovpn_server_conf; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/s.conf"
{ imp_client_conf; echo "tls-crypt $PKI/tc.key"; echo "status $T_TMP/c.status 1"; } > "$T_TMP/c.conf"
ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server || { t_bad "burrow server starts"; t_done; }
imp_start -L 15 -D 10 -R 20 -H 4 -M 40 -C 4 -d 10 -S 21 || { t_bad "relay starts"; t_done; }
ip netns exec "$NS_C" "$BURROW" -v client "$T_TMP/c.conf" >"$T_TMP/client.log" 2>&1 &
T_PIDS+=($!)
echo $! > "$T_TMP/client.pid"
t_check "handshake completes through the harsh link" ovpn_wait_log "$T_TMP/client.log" "tunnel up" 40
imp_pings "$NS_C" 10.8.0.1 60 15 "pings through the harsh link"
kill -USR2 "$IMP_PID"
t_wait_for 2 grep -q "corrupted" "$T_TMP/impair.out"
line=$(grep corrupted "$T_TMP/impair.out" | tail -1)
echo "    $line"
t_check "the relay corrupted packets" sh -c "echo '$line' |
	awk '{ for (i = 1; i < NF; i++) if (\$i == \"corrupted\") n += \$(i + 1) } END { exit !(n > 0) }'"
drops=$(sed -nE 's/^dropped_packets=([0-9]+)/\1/p' "$T_TMP/c.status")
t_check "the client dropped and counted bad packets (dropped_packets=${drops:-0})" test "${drops:-0}" -gt 0
t_check "server still running" kill -0 "$(cat "$T_TMP/server.pid")"
t_check "client exits 0 on SIGTERM" ovpn_stop client
t_check "server exits 0 on SIGTERM" ovpn_stop server
imp_stop
t_done
