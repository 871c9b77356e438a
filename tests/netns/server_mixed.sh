#!/usr/bin/env bash
# Two real openvpn 2.6 clients and two burrow clients on one burrow server with
# client-to-client: every pair pings every other; a client killed without exit notification
# is dropped by keepalive, one that says goodbye is dropped at once, and the others never
# notice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
PKIGEN=${PKIGEN:-$(dirname "$BURROW")/../tests/netns/pkigen}

ovpn_need
t_need_built "$PKIGEN" "pkigen helper"
NS_S=$(t_netns) || t_fail "cannot create network namespaces"
declare -A NS
for i in 1 2 3 4; do
	NS[$i]=$(t_netns) &&
	ip link add vs$i netns "$NS_S" type veth peer name vc$i netns "${NS[$i]}" &&
	ip -n "$NS_S" addr add 10.99.$i.1/24 dev vs$i && ip -n "$NS_S" link set vs$i up &&
	ip -n "${NS[$i]}" addr add 10.99.$i.2/24 dev vc$i && ip -n "${NS[$i]}" link set vc$i up ||
		t_fail "cannot create namespace $i and its veth pair"
done
"$PKIGEN" "$PKI" ec 0 c1 c2 c3 c4 >/dev/null && openvpn --genkey tls-crypt "$PKI/tc.key" ||
	t_fail "cannot make the test PKI"

cat > "$T_TMP/s.conf" <<EOF2
port 1194
proto udp
dev tun
topology subnet
server 10.8.0.0 255.255.255.0
client-to-client
ca $PKI/ca.crt
cert $PKI/server.crt
key $PKI/server.key
dh none
tls-crypt $PKI/tc.key
keepalive 1 3
status $T_TMP/status.txt 1
status-version 3
EOF2
client_conf() {	# $1 = index
	cat <<EOF2
client
dev tun
proto udp
remote 10.99.$1.1 1194
nobind
ca $PKI/ca.crt
cert $PKI/client-c$1.crt
key $PKI/client-c$1.key
remote-cert-tls server
tls-crypt $PKI/tc.key
verb 3
EOF2
	[ "$1" = 2 ] || echo "explicit-exit-notify 1"
}
for i in 1 2 3 4; do client_conf $i > "$T_TMP/c$i.conf"; done

ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server || { t_bad "burrow server starts"; t_done; }
ovpn_start_openvpn "${NS[1]}" "$T_TMP/c1.conf" c1 & w1=$!
ovpn_start_openvpn "${NS[2]}" "$T_TMP/c2.conf" c2 & w2=$!
ovpn_start_burrow "${NS[3]}" client "$T_TMP/c3.conf" c3 & w3=$!
ovpn_start_burrow "${NS[4]}" client "$T_TMP/c4.conf" c4 & w4=$!
for w in $w1 $w2 $w3 $w4; do wait $w || t_bad "a client did not connect"; done
# the openvpn/burrow pids were recorded inside the subshells; read them back for cleanup
for i in 1 2 3 4; do T_PIDS+=($(cat "$T_TMP/c$i.pid" 2>/dev/null)); done

declare -A ADDR
for i in 1 2 3 4; do
	ADDR[$i]=$(ip -n "${NS[$i]}" -4 -o addr show | sed -nE 's/.* inet (10\.8\.0\.[0-9]+)\/.*/\1/p' | head -1)
	t_check "client $i has a tunnel address (${ADDR[$i]:-none})" test -n "${ADDR[$i]}"
done
ping1() { ip netns exec "$1" ping -c 2 -i 0.2 -W 2 "$2" >/dev/null 2>&1; }
for i in 1 2 3 4; do
	t_check "client $i pings the server" ping1 "${NS[$i]}" 10.8.0.1
	for j in 1 2 3 4; do
		[ $i = $j ] && continue
		t_check "client $i pings client $j (${ADDR[$j]})" ping1 "${NS[$i]}" "${ADDR[$j]}"
	done
done

t_check "burrow status lists the 4 clients" \
	t_wait_for 3 sh -c "'$BURROW' status '$T_TMP/status.txt' | grep -q '^4 clients connected'"
"$BURROW" status "$T_TMP/status.txt" --json > "$T_TMP/status.json"
t_check "burrow status --json is valid JSON with 4 clients and their ciphers" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["clients"]
assert len(c) == 4 and all(x["cipher"] == "AES-256-GCM" and x["virtual_address"] for x in c)
assert sorted(x["common_name"] for x in c) == ["c1", "c2", "c3", "c4"]
' "$T_TMP/status.json"

# client 2 (openvpn, no exit notify) dies hard: keepalive (ping-restart 6 s on the server)
kill -9 "$(cat "$T_TMP/c2.pid")"
t0=$(date +%s)
# client 4 (burrow, explicit-exit-notify) leaves politely: dropped at once
ovpn_stop c4
t_check "exit notification frees client 4 at once" \
	t_wait_for 3 grep -q "client 'c4' .*disconnected: client sent exit notification" "$T_TMP/server.log"
t_check "keepalive drops the silent client 2" \
	t_wait_for 15 grep -q "client 'c2' .*disconnected: no packets received" "$T_TMP/server.log"
t_check "client 2 was dropped no sooner than ping-restart (6 s)" test $(( $(date +%s) - t0 )) -ge 5
t_check "client 1 still pings client 3" ping1 "${NS[1]}" "${ADDR[3]}"
t_check "client 3 still pings client 1" ping1 "${NS[3]}" "${ADDR[1]}"
t_check "client 3 (burrow) never reconnected" sh -c "! grep -q reconnecting $T_TMP/c3.log"
t_check "client 1 (openvpn) never restarted" sh -c "! grep -q 'Restart pause' $T_TMP/c1.log"
t_done
