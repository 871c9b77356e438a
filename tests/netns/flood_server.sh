#!/usr/bin/env bash
# Floods against burrow server (UDP, tls-crypt), all inside the test's namespaces:
#  - thousands of HARD_RESET_CLIENT_V2 from many source ports, unwrapped (dropped: they fail
#    tls-crypt) and validly wrapped (answered statelessly): the server keeps no per-client
#    state (no new connection, RSS flat) and a real client connects during the flood;
#  - random garbage to the server's port from many ports, and spoofed from the connected
#    client's own address; random garbage spoofed from the server to the client's port:
#    dropped and counted, nothing crashes, the tunnel keeps working;
#  - the server logs a summary of what it dropped, by reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

FLOOD=${FLOOD:-$(dirname "$BURROW")/../tests/netns/flood}
ovpn_need
t_need_built "$FLOOD" "flood helper"
ovpn_setup
ovpn_pki
# Under ASan freed memory waits in a quarantine, so RSS says nothing there; LeakSanitizer
# checks at exit instead (the server must exit 0).
rss_flat() {	# DESC BEFORE AFTER MAX_KB
	if ! "$BURROW" version | grep -q "sanitizers: none"; then
		echo "ok - $1 (${2} kB -> ${3} kB; not judged in a sanitizer build)"; return
	fi
	t_check "$1 (${2} kB -> ${3} kB)" test $(($3 - $2)) -le "$4"
}
{ ovpn_server_conf; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/s.conf"
{ ovpn_client_conf; echo "tls-crypt $PKI/tc.key"; echo "status $T_TMP/c.status 1"; } > "$T_TMP/c.conf"
ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server || { t_bad "burrow server starts"; t_done; }
spid=$(cat "$T_TMP/server.pid")
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$spid/status"; }
flood() { ip netns exec "$NS_C" "$FLOOD" -t "$OVPN_S_ADDR:1194" "$@"; }
conns() { grep -c "new connection" "$T_TMP/server.log"; }

# Warm up (allocator, OpenSSL tables), then measure.
flood -m reset -n 2000 -p 50 -k "$PKI/tc.key" -S 1 >/dev/null
rss0=$(rss)
flood -m reset -n 20000 -p 500 -r 20000 -S 2 > "$T_TMP/f1.out"
t_check "20000 unwrapped resets from 500 ports: none answered ($(cat "$T_TMP/f1.out"))" \
	grep -q "sent 20000 replies 0$" "$T_TMP/f1.out"
flood -m reset -n 20000 -p 500 -r 20000 -k "$PKI/tc.key" -S 3 > "$T_TMP/f2.out"
got=$(sed -nE 's/.*replies ([0-9]+)/\1/p' "$T_TMP/f2.out")
t_check "20000 tls-crypt resets from 500 ports: answered statelessly ($got replies)" \
	test "${got:-0}" -ge 15000
rss1=$(rss)
t_check "no per-client state: no connection was created ($(conns))" test "$(conns)" = 0
rss_flat "server RSS flat across 40000 resets" "$rss0" "$rss1" 1024

# A real client connects while wrapped resets keep coming.
flood -m reset -n 25000 -p 500 -r 5000 -T 12 -k "$PKI/tc.key" -S 4 > "$T_TMP/f3.out" &
fpid=$!
if ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client; then
	t_ok "a real client connects during the reset flood"
else
	t_bad "a real client connects during the reset flood"
fi
t_check "ping through the tunnel during the flood" ovpn_ping "$NS_C" 10.8.0.1
wait $fpid
t_check "the flood was answered without creating state (1 connection)" test "$(conns)" = 1

# Garbage: from many ports, spoofed from the client's own address, and to the client.
flood -m garbage -n 20000 -p 200 -S 5 > "$T_TMP/g1.out"
t_check "20000 garbage datagrams from 200 ports: none answered" \
	grep -q "sent 20000 replies 0$" "$T_TMP/g1.out"
cport=$(sed -nE "s/.*client 'client1' connected from [0-9.]+:([0-9]+).*/\1/p" "$T_TMP/server.log" | head -1)
flood -m garbage -n 10000 -s "$OVPN_C_ADDR:${cport:-1}" -S 6 > "$T_TMP/g2.out"
t_check "10000 garbage datagrams spoofed from the client's address sent" \
	grep -q "sent 10000" "$T_TMP/g2.out"
ip netns exec "$NS_S" "$FLOOD" -m garbage -n 10000 -t "$OVPN_C_ADDR:${cport:-1}" \
	-s "$OVPN_S_ADDR:1194" -S 7 > "$T_TMP/g3.out"
t_check "10000 garbage datagrams spoofed from the server to the client's port sent" \
	grep -q "sent 10000" "$T_TMP/g3.out"
cdrops() { sed -nE 's/^dropped_packets=([0-9]+)/\1/p' "$T_TMP/c.status"; }
cdrops_ge() { local n; n=$(cdrops); [ "${n:-0}" -ge "$1" ]; }
t_wait_for 3 cdrops_ge 10000
t_check "client counts the garbage as dropped (status file: dropped_packets=$(cdrops))" cdrops_ge 10000
t_check "server still running" kill -0 "$spid"
t_check "client still running" kill -0 "$(cat "$T_TMP/client.pid")"
t_check "ping through the tunnel after the garbage" ovpn_ping "$NS_C" 10.8.0.1
t_check "TCP 1 MB after the floods, checksums match" \
	ovpn_xfer "$NS_C" "$NS_S" 10.8.0.1 5001 1048576
t_check "client never restarted" sh -c "! grep -q reconnecting $T_TMP/client.log"
t_check "server's drop summary counts the failed handshake checks" \
	ovpn_wait_log "$T_TMP/server.log" "dropped in the last [0-9]+ s:.* [1-9][0-9]* failed the handshake check" 12
t_check "server's drop summary counts the drops in the client's session" \
	ovpn_wait_log "$T_TMP/server.log" "dropped in the last [0-9]+ s:.* [1-9][0-9]* in client sessions" 12
grep "dropped in the last" "$T_TMP/server.log" | tail -1 | sed 's/^/    /'
rss2=$(rss)
rss_flat "server RSS flat after all floods" "$rss0" "$rss2" 2048
t_check "client exits 0 on SIGTERM" ovpn_stop client
t_check "server exits 0 on SIGTERM" ovpn_stop server
t_done
