#!/usr/bin/env bash
# burrow server over TCP against 2000 connections of junk (framed records with real opcodes,
# zero and oversized lengths, raw bytes; closed with FIN or RST): nothing crashes, the tunnel
# of a connected client keeps working, no handshake slot leaks (a new client still connects
# afterwards), memory stays flat. Then silent connections held open (80 from one address, 16
# from each of 9 more, reopened as the server closes them) with junk from the same address:
# the per-source limit, the first-packet deadline and eviction let a real openvpn TCP client
# connect within seconds (from an address of its own: one shared with the flood is at its
# per-source limit).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

FLOOD=${FLOOD:-$(dirname "$BURROW")/../tests/netns/flood}
ovpn_need
t_need_built "$FLOOD" "flood helper"
ovpn_setup
ovpn_pki
export OVPN_PROTO=tcp
{ ovpn_server_conf; echo "tls-crypt $PKI/tc.key"; echo "duplicate-cn"; } > "$T_TMP/s.conf"
{ ovpn_client_conf; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/c.conf"
ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server || { t_bad "burrow server starts"; t_done; }
spid=$(cat "$T_TMP/server.pid")
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$spid/status"; }
t_check "a client connects over TCP" ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client
flood() { ip netns exec "$NS_C" "$FLOOD" -t "$OVPN_S_ADDR:1194" -m tcp "$@"; }
flood -n 300 -S 1 >/dev/null	# warm-up
rss0=$(rss)
flood -n 2000 -r 20000 -S 2 > "$T_TMP/f.out"
sed 's/^/    /' "$T_TMP/f.out"
t_check "server still running after 2000 junk connections" kill -0 "$spid"
t_check "ping through the tunnel after the junk" ovpn_ping "$NS_C" 10.8.0.1
t_check "TCP 1 MB through the tunnel, checksums match" \
	ovpn_xfer "$NS_C" "$NS_S" 10.8.0.1 5001 1048576
t_check "the junk connections were dropped during the handshake" \
	grep -q "dropped during the handshake" "$T_TMP/server.log"
t_check "no handshake slot leaked: a second client connects" \
	ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client2 --dev tun7
rss1=$(rss)
if "$BURROW" version | grep -q "sanitizers: none"; then
	t_check "server RSS flat across the junk (${rss0} kB -> ${rss1} kB)" test $((rss1 - rss0)) -le 2048
fi
ovpn_stop client2
t_check "client exits 0 on SIGTERM" ovpn_stop client

# ---- silent connections holding the handshake slots ----
idle() {	# ADDR COUNT HOLD NAME
	ip netns exec "$NS_C" "$FLOOD" -t "$OVPN_S_ADDR:1194" -m tcpidle -b "$1" -n "$2" \
		-r 200 -w "$3" -T 30 > "$T_TMP/$4.out" &
	T_PIDS+=($!)
}
# Below the limits: 4 silent connections are closed 5 s after they connected.
idle "$OVPN_C_ADDR" 4 8 idle_first
deadline() { [ "$(grep -c "no packet within 5 s of connecting" "$T_TMP/server.log")" -ge 4 ]; }
t_check "silent connections are closed after the first-packet deadline (5 s)" t_wait_for 9 deadline
wait $!
# 80 from the client's address, 16 from each of 9 more addresses (8 per address may
# handshake at once: 72 > the 64 slots), and junk connections from the client's address.
# The openvpn client connects from yet another address.
for i in $(seq 10 18) 20; do ip -n "$NS_C" addr add 10.99.0.$i/24 dev v0; done
ip -n "$NS_C" route add "$OVPN_S_ADDR/32" dev v0 src 10.99.0.20
idle "$OVPN_C_ADDR" 80 25 idle0
for i in $(seq 10 18); do idle 10.99.0.$i 16 25 idle$i; done
flood -n 100000 -r 100 -T 25 -S 3 -b "$OVPN_C_ADDR" > "$T_TMP/junk.out" &
T_PIDS+=($!)
opened() { for f in "$T_TMP"/idle[0-9]*.out; do grep -q "tcpidle open" "$f" || return 1; done; }
t_check "224 silent connections opened" t_wait_for 10 opened
sleep 2	# they now hold every slot, silent for a second or more
t0=$(date +%s%N)
t_bg ip netns exec "$NS_C" openvpn --config "$T_TMP/c.conf" --log "$T_TMP/ovpn.log" \
	--writepid "$T_TMP/ovpn.pid"
if ovpn_wait_log "$T_TMP/ovpn.log" "Initialization Sequence Completed" 20; then
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	t_check "a real openvpn TCP client connects while they are held (${ms} ms)" \
		test "$ms" -le 10000
	t_check "ping through its tunnel" ovpn_ping "$NS_C" 10.8.0.1
else
	t_bad "a real openvpn TCP client connects while they are held (not within 20 s)"
	tail -5 "$T_TMP/ovpn.log" | sed 's/^/    /'
fi
t_check "connections over the per-source limit are refused at accept" \
	grep -qE "refusing a TCP connection from $OVPN_C_ADDR:[0-9]+: [0-9]+ handshakes from its address" \
	"$T_TMP/server.log"
t_check "stalled handshakes are evicted for new connections" \
	grep -q "dropped during the handshake: evicted" "$T_TMP/server.log"
grep -E "dropped in the last|refusing a TCP|half-open limit" "$T_TMP/server.log" | tail -3 | sed 's/^/    /'
kill "$(cat "$T_TMP/ovpn.pid")" 2>/dev/null
t_check "server still running" kill -0 "$spid"
t_check "server exits 0 on SIGTERM" ovpn_stop server
t_done
