#!/usr/bin/env bash
# client-connect, client-disconnect and learn-address never block the server's loop: while a
# client-connect sleeps 5 s for client c1, client c2 (already connected, real openvpn 2.6)
# pings the server every 0.2 s without a loss or a slow reply, and c1 gets in after the 5 s;
# OpenVPN 2.6's deferred client-connect (client_connect_deferred_file: "2", then "1" or "0"
# written later by a background process) admits (with the config it wrote late) or refuses;
# a learn-address that sleeps 5 s does not hold c2's pings either, nor c1's admission; a
# client dropped while its client-connect still runs has the script killed and gets no
# learn-address add.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
PKIGEN=${PKIGEN:-$(dirname "$BURROW")/../tests/netns/pkigen}

ovpn_need
t_need_built "$PKIGEN" "pkigen helper"
NS_S=$(t_netns) || t_fail "cannot create network namespaces"
declare -A NS
for i in 1 2; do
	NS[$i]=$(t_netns) &&
	ip link add vs$i netns "$NS_S" type veth peer name vc$i netns "${NS[$i]}" &&
	ip -n "$NS_S" addr add 10.99.$i.1/24 dev vs$i && ip -n "$NS_S" link set vs$i up &&
	ip -n "${NS[$i]}" addr add 10.99.$i.2/24 dev vc$i && ip -n "${NS[$i]}" link set vc$i up ||
		t_fail "cannot create namespace $i and its veth pair"
done
"$PKIGEN" "$PKI" ec 0 c1 c2 >/dev/null && openvpn --genkey tls-crypt "$PKI/tc.key" ||
	t_fail "cannot make the test PKI"

REC=$T_TMP/rec
mkdir -p "$REC"
: > "$REC/calls"
echo none > "$T_TMP/mode"
# The hook: records "TYPE CN ARGS" and acts for c1 by the mode in $T_TMP/mode.
cat > "$T_TMP/hook.sh" <<'EOS'
#!/bin/sh
T=@T@
mode=$(cat "$T/mode")
echo "$script_type $common_name $*" >> "$T/rec/calls"
[ "$common_name" = c1 ] || exit 0
case "$script_type:$mode" in
client-connect:slow) sleep 5 ;;
client-connect:hang) echo "$1" > "$T/rec/hang.file"; echo $$ > "$T/rec/hang.pid"; sleep 60 ;;
client-connect:defer1)
	echo 2 > "$client_connect_deferred_file"
	( sleep 2
	  echo "ifconfig-push 10.8.0.50 255.255.255.0" > "$client_connect_config_file"
	  echo 1 > "$client_connect_deferred_file" ) >/dev/null 2>&1 &
	;;
client-connect:defer0)
	echo 2 > "$client_connect_deferred_file"
	( sleep 1; echo 0 > "$client_connect_deferred_file" ) >/dev/null 2>&1 &
	;;
learn-address:slowlearn) [ "$1" = add ] && sleep 5 ;;
esac
echo "$script_type-end $common_name $1" >> "$T/rec/calls"
exit 0
EOS
sed -i "s|@T@|$T_TMP|" "$T_TMP/hook.sh"
chmod 755 "$T_TMP/hook.sh"

cat > "$T_TMP/s.conf" <<EOF2
port 1194
proto udp
dev tun
topology subnet
server 10.8.0.0 255.255.255.0
ca $PKI/ca.crt
cert $PKI/server.crt
key $PKI/server.key
dh none
tls-crypt $PKI/tc.key
keepalive 2 20
hand-window 8
script-security 2
client-connect $T_TMP/hook.sh
client-disconnect $T_TMP/hook.sh
learn-address $T_TMP/hook.sh
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
explicit-exit-notify 1
verb 3
EOF2
}
for i in 1 2; do client_conf $i > "$T_TMP/c$i.conf"; done

now_ms() { date +%s%3N; }
# c2 pings the server every 0.2 s, 40 times (8 s), output in $T_TMP/$1
ping_bg() { ip netns exec "${NS[2]}" ping -n -c 40 -i 0.2 -W 2 10.8.0.1 > "$T_TMP/$1" 2>&1 & PING=$!; }
# no loss, and the slowest reply under 1 s
ping_fine() {
	local max
	grep -q ' 0% packet loss' "$T_TMP/$1" || return 1
	max=$(sed -nE 's|^rtt [^=]*= [0-9.]+/[0-9.]+/([0-9.]+)/.*|\1|p' "$T_TMP/$1")
	[ -n "$max" ] && awk -v m="$max" 'BEGIN { exit !(m < 1000) }'
}
ping_say() { sed -n '/packets transmitted/,$p' "$T_TMP/$1" | tr '\n' ' '; }
c1_start() { t_bg ip netns exec "${NS[1]}" openvpn --config "$T_TMP/c1.conf" --log "$T_TMP/$1.log" --writepid "$T_TMP/$1.pid"; }
c1_up() { ovpn_wait_log "$T_TMP/$1.log" "Initialization Sequence Completed" "$2"; }
# c1 leaves (exit notification): waits for its learn-address delete
c1_stop() { ovpn_stop "$1"; t_wait_for 12 grep -q "learn-address c1 delete" "$REC/calls"; }
# the line numbers of the first lines of $REC/calls matching $1 and $2: is $1's first?
before() { local a b; a=$(grep -n -m1 -- "$1" "$REC/calls" | cut -d: -f1); b=$(grep -n -m1 -- "$2" "$REC/calls" | cut -d: -f1); [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; }

ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server || { t_bad "burrow server starts"; t_done; }
ovpn_start_openvpn "${NS[2]}" "$T_TMP/c2.conf" c2 || { t_bad "client c2 connects"; t_done; }
T_PIDS+=($(cat "$T_TMP/c2.pid"))
t_check "c2 pings the server" ovpn_ping "${NS[2]}" 10.8.0.1

# 1. client-connect sleeps 5 s for c1; c2 pings all along
echo slow > "$T_TMP/mode"
ping_bg ping1
sleep 0.5
t0=$(now_ms)
c1_start a1
if c1_up a1 15; then
	dt=$(( $(now_ms) - t0 ))
	t_check "slow client-connect: c1 admitted after the script's 5 s (${dt} ms)" test "$dt" -ge 5000
	t_check "slow client-connect: learn-address add only after the script ended" \
		t_wait_for 3 before "client-connect-end c1" "learn-address c1 add"
	t_check "slow client-connect: c1 pings the server" ovpn_ping "${NS[1]}" 10.8.0.1
else
	t_bad "slow client-connect: c1 admitted"
fi
wait "$PING"
t_check "slow client-connect: c2's pings meanwhile: no loss, max RTT < 1 s ($(ping_say ping1))" ping_fine ping1
c1_stop a1
t_check "c1 leaving: client-disconnect, then learn-address delete" \
	before "client-disconnect c1" "learn-address c1 delete"
: > "$REC/calls"

# 2. deferred: "2", then 2 s later the config file and "1" from a background process
echo defer1 > "$T_TMP/mode"
t0=$(now_ms)
c1_start a2
if c1_up a2 15; then
	dt=$(( $(now_ms) - t0 ))
	t_check "deferred client-connect (1): c1 admitted after the background answer (${dt} ms)" \
		test "$dt" -ge 2000
	t_check "deferred client-connect: the config written late applied (10.8.0.50)" \
		t_wait_for 3 sh -c "ip -n ${NS[1]} -4 addr show | grep -q 'inet 10.8.0.50/24'"
	t_check "deferred client-connect: c1 pings the server from 10.8.0.50" ovpn_ping "${NS[1]}" 10.8.0.1
	t_check "deferred client-connect: learn-address add 10.8.0.50 c1" \
		t_wait_for 3 grep -q "learn-address c1 add 10.8.0.50 c1" "$REC/calls"
	t_check "the server logged the deferral" grep -q "client 'c1': client-connect deferred" "$T_TMP/server.log"
else
	t_bad "deferred client-connect (1): c1 admitted"
fi
c1_stop a2
: > "$REC/calls"

# 3. deferred, then "0": refused
echo defer0 > "$T_TMP/mode"
c1_start a3
t_check "deferred client-connect (0): c1 refused" \
	t_wait_for 10 grep -q "client 'c1' .* refused: client-connect script refused the client" "$T_TMP/server.log"
t_check "deferred client-connect (0): openvpn got AUTH_FAILED" t_wait_for 5 grep -q AUTH_FAILED "$T_TMP/a3.log"
t_check "deferred client-connect (0): no learn-address add" sh -c "! grep -q 'learn-address c1 add' '$REC/calls'"
t_check "deferred client-connect (0): no client-disconnect (never admitted)" \
	sh -c "! grep -q 'client-disconnect c1' '$REC/calls'"
ovpn_stop a3
: > "$REC/calls"

# 4. learn-address add sleeps 5 s: c1 is admitted at once, c2 unaffected
echo slowlearn > "$T_TMP/mode"
ping_bg ping2
sleep 0.5
t0=$(now_ms)
c1_start a4
if c1_up a4 15; then
	dt=$(( $(now_ms) - t0 ))
	t_check "slow learn-address: c1 admitted without waiting for it (${dt} ms)" test "$dt" -lt 4500
	t_check "slow learn-address: c1 pings the server while it runs" ovpn_ping "${NS[1]}" 10.8.0.1
else
	t_bad "slow learn-address: c1 admitted"
fi
wait "$PING"
t_check "slow learn-address: c2's pings meanwhile: no loss, max RTT < 1 s ($(ping_say ping2))" ping_fine ping2
c1_stop a4
t_check "slow learn-address: the delete ran after the slow add had ended" \
	before "learn-address-end c1 add" "learn-address c1 delete"
: > "$REC/calls"

# 5. a client dropped while client-connect runs (hand-window 8 s): the script is killed, no add
echo hang > "$T_TMP/mode"
c1_start a5
t_check "hanging client-connect: running" t_wait_for 10 test -s "$REC/hang.pid"
hp=$(cat "$REC/hang.pid" 2>/dev/null)
t_check "hanging client-connect: c1 dropped at its handshake deadline" \
	t_wait_for 15 grep -q "dropped during the handshake: handshake did not complete" "$T_TMP/server.log"
t_check "hanging client-connect: the script was killed" t_wait_for 3 sh -c "! kill -0 $hp"
t_check "hanging client-connect: no learn-address add, no client-disconnect" \
	sh -c "! grep -qE 'learn-address c1 add|client-disconnect c1' '$REC/calls'"
hf=$(cat "$REC/hang.file" 2>/dev/null)
t_check "hanging client-connect: its files removed ($hf)" sh -c "[ -n '$hf' ] && ! [ -e '$hf' ] && ! [ -e '${hf%/*}' ]"
ovpn_stop a5
t_check "c2 still pings the server" ovpn_ping "${NS[2]}" 10.8.0.1
t_check "server exits 0 on SIGTERM" ovpn_stop server
t_done
