#!/usr/bin/env bash
# Limits of burrow server under load, with three client namespaces on their own links:
#  - max-clients 2: a third client is refused with a clear log line; once one of the two
#    leaves (explicit exit), the third connects;
#  - half-open handshakes (clients that pass the stateless cookie exchange, then go silent)
#    are capped at 64 at once and expire after hand-window; then a real client connects;
#  - with the default hand-window (60 s), 100 such stalled handshakes do not lock a real
#    openvpn client out: at the cap, one silent for a second or more is evicted for it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

FLOOD=${FLOOD:-$(dirname "$BURROW")/../tests/netns/flood}
ovpn_need
t_need_built "$FLOOD" "flood helper"
NS_S=$(t_netns) || t_fail "cannot create network namespaces"
NS_CL=()
for i in 1 2 3; do
	ns=$(t_netns) || t_fail "cannot create network namespaces"
	NS_CL[$i]=$ns
	ip link add c$i netns "$ns" type veth peer name s$i netns "$NS_S" &&
	ip -n "$ns" addr add 10.99.$i.2/24 dev c$i && ip -n "$NS_S" addr add 10.99.$i.1/24 dev s$i &&
	ip -n "$ns" link set c$i up && ip -n "$NS_S" link set s$i up || t_fail "cannot create veth pairs"
done
ovpn_pki
# Under ASan freed memory waits in a quarantine, so RSS says nothing there; LeakSanitizer
# checks at exit instead (the server must exit 0).
rss_flat() {	# DESC BEFORE AFTER MAX_KB
	if ! "$BURROW" version | grep -q "sanitizers: none"; then
		echo "ok - $1 (${2} kB -> ${3} kB; not judged in a sanitizer build)"; return
	fi
	t_check "$1 (${2} kB -> ${3} kB)" test $(($3 - $2)) -le "$4"
}
srv_conf() { ovpn_server_conf | grep -v '^local '; echo "tls-crypt $PKI/tc.key"; printf '%s\n' "$@"; }
cli_conf() {
	ovpn_client_conf | sed "s/^remote .*/remote 10.99.$1.1 1194/"
	echo "tls-crypt $PKI/tc.key"
	echo "explicit-exit-notify 1"
}
for i in 1 2 3; do cli_conf $i > "$T_TMP/c$i.conf"; done

# ---- max-clients ----
srv_conf "max-clients 2" "duplicate-cn" > "$T_TMP/s.conf"
ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server || { t_bad "burrow server starts"; t_done; }
t_check "client 1 connects" ovpn_start_burrow "${NS_CL[1]}" client "$T_TMP/c1.conf" c1
t_check "client 2 connects" ovpn_start_burrow "${NS_CL[2]}" client "$T_TMP/c2.conf" c2
ip netns exec "${NS_CL[3]}" "$BURROW" -v client "$T_TMP/c3.conf" >"$T_TMP/c3.log" 2>&1 &
T_PIDS+=($!)
echo $! > "$T_TMP/c3.pid"
t_check "a third client is refused: max-clients 2 reached" \
	ovpn_wait_log "$T_TMP/server.log" "refusing a new client from 10\.99\.3\.2:[0-9]+: max-clients 2 reached" 8
t_check "the third client has no tunnel while two are connected" \
	sh -c "! grep -q 'tunnel up' $T_TMP/c3.log"
t_check "client 1 leaves (exit 0)" ovpn_stop c1
t_check "server frees client 1's slot" \
	ovpn_wait_log "$T_TMP/server.log" "\(10\.99\.1\.2:[0-9]+\) disconnected" 5
t_check "the third client connects once a slot is free" \
	ovpn_wait_log "$T_TMP/c3.log" "tunnel up" 25
t_check "ping from the third client" ovpn_ping "${NS_CL[3]}" 10.8.0.1
t_check "client 2 still works" ovpn_ping "${NS_CL[2]}" 10.8.0.1
ovpn_stop c2
ovpn_stop c3
t_check "server exits 0 on SIGTERM" ovpn_stop server

# ---- half-open handshakes ----
srv_conf "hand-window 4" > "$T_TMP/s2.conf"
ovpn_start_burrow_server "$NS_S" "$T_TMP/s2.conf" server2 || { t_bad "burrow server starts"; t_done; }
spid=$(cat "$T_TMP/server2.pid")
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$spid/status"; }
ip netns exec "${NS_CL[1]}" "$FLOOD" -t 10.99.1.1:1194 -m halfopen -n 100 -k "$PKI/tc.key" \
	-w 12 -T 20 > "$T_TMP/h.out" &
hpid=$!
t_wait_for 5 grep -q accepted "$T_TMP/h.out"
sed 's/^/    /' "$T_TMP/h.out"
t_check "100 clients passed the cookie exchange" grep -q "accepted 100$" "$T_TMP/h.out"
sleep 0.5
n=$(grep -c "new connection" "$T_TMP/server2.log")
ev=$(grep -c "dropped during the handshake: evicted" "$T_TMP/server2.log")
t_check "half-open handshakes capped at 64 ($n created, $ev evicted)" test $((n - ev)) = 64
t_check "the cap is logged" grep -q "half-open limit" "$T_TMP/server2.log"
expired() { [ "$(grep -c 'dropped during the handshake' "$T_TMP/server2.log")" -ge "$1" ]; }
t_check "half-open handshakes expire after hand-window" t_wait_for 8 expired 64
# A second round: memory comes back to the same level (nothing leaks per handshake).
rss1=$(rss)
ip netns exec "${NS_CL[3]}" "$FLOOD" -t 10.99.3.1:1194 -m halfopen -n 64 -k "$PKI/tc.key" \
	-S 2 > "$T_TMP/h2.out"
t_check "a second round of 64 half-open handshakes expires too" t_wait_for 8 expired 128
rss2=$(rss)
rss_flat "server RSS flat across rounds of half-open handshakes" "$rss1" "$rss2" 1024
t_check "a real client connects after they expired" \
	ovpn_start_burrow "${NS_CL[2]}" client "$T_TMP/c2.conf" c2b
t_check "ping through it" ovpn_ping "${NS_CL[2]}" 10.8.0.1
t_check "drop summary counts the refused ones" \
	ovpn_wait_log "$T_TMP/server2.log" "dropped in the last [0-9]+ s:.* [1-9][0-9]* over a limit" 12
kill "$hpid" 2>/dev/null
wait "$hpid" 2>/dev/null
ovpn_stop c2b
t_check "server exits 0 on SIGTERM" ovpn_stop server2

# ---- stalled handshakes evicted for a real client ----
srv_conf > "$T_TMP/s3.conf"	# hand-window 60: they would hold every slot for 61 s
ovpn_start_burrow_server "$NS_S" "$T_TMP/s3.conf" server3 || { t_bad "burrow server starts"; t_done; }
ip netns exec "${NS_CL[1]}" "$FLOOD" -t 10.99.1.1:1194 -m halfopen -n 100 -k "$PKI/tc.key" \
	-S 3 -w 25 -T 30 > "$T_TMP/h3.out" &
hpid=$!
t_wait_for 5 grep -q accepted "$T_TMP/h3.out"
t_check "100 clients passed the cookie exchange and stalled" grep -q "accepted 100$" "$T_TMP/h3.out"
sleep 1.5	# every slot is held by a handshake silent for a second or more
t0=$(date +%s%N)
t_bg ip netns exec "${NS_CL[2]}" openvpn --config "$T_TMP/c2.conf" --log "$T_TMP/ovpn.log" \
	--writepid "$T_TMP/ovpn.pid"
if ovpn_wait_log "$T_TMP/ovpn.log" "Initialization Sequence Completed" 20; then
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	t_check "a real openvpn client connects while they hold the slots (${ms} ms)" \
		test "$ms" -le 10000
	t_check "ping through its tunnel" ovpn_ping "${NS_CL[2]}" 10.8.0.1
else
	t_bad "a real openvpn client connects while they hold the slots (not within 20 s)"
	tail -5 "$T_TMP/ovpn.log" | sed 's/^/    /'
fi
t_check "the oldest stalled handshake was evicted for it" \
	grep -q "dropped during the handshake: evicted" "$T_TMP/server3.log"
t_check "evictions are counted in the drop summary" \
	ovpn_wait_log "$T_TMP/server3.log" "dropped in the last [0-9]+ s:.* [1-9][0-9]* stalled handshakes evicted" 12
kill "$(cat "$T_TMP/ovpn.pid")" 2>/dev/null
kill "$hpid" 2>/dev/null
wait "$hpid" 2>/dev/null
t_check "server exits 0 on SIGTERM" ovpn_stop server3
t_done
