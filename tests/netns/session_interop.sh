#!/usr/bin/env bash
# The protocol session alone (no core, no device) against the real openvpn 2.6:
# tests/netns/sessdrive runs one burrow client session over UDP against an openvpn server,
# pings the server's tunnel address through it (the server's kernel answers), asks for OCC,
# renegotiates and exits; then, turned around, one burrow server session behind the
# stateless cookie answers the pings of a real openvpn client until the client's EXIT.
# Everything runs in one namespace on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

DRIVE=${SESSDRIVE:-$(dirname "$BURROW")/../tests/netns/sessdrive}
t_need_root
t_need openvpn
t_need openssl
t_need_built "$DRIVE" "sessdrive helper"
[ -c /dev/net/tun ] || t_skip "needs /dev/net/tun"
NS=$(t_netns) || t_fail "cannot create a network namespace"
ovpn_pki

# case NAME "SERVER_LINES" SESSDRIVE_ARGS...
case_run() {
	local name=$1 lines=$2
	shift 2
	{
		OVPN_S_ADDR=127.0.0.1 ovpn_server_conf
		printf '%s\n' "$lines"
	} > "$T_TMP/$name.conf"
	if ! ovpn_start_openvpn "$NS" "$T_TMP/$name.conf" "$name"; then
		t_bad "$name: openvpn server did not start"
		return
	fi
	t_status 0 "$name: handshake, ICMP echo and OCC through a burrow session" \
		ip netns exec "$NS" "$DRIVE" 127.0.0.1 1194 "$PKI" "$@"
	grep -E "^(push reply|keys ready|keys [0-9])" "$T_TMP/out" | sed 's/^/    /'
	[ "$T_FAIL" = 0 ] || sed 's/^/    server: /' "$T_TMP/$name.log" | tail -30
	t_check "$name: the server saw the client's EXIT" \
		ovpn_wait_log "$T_TMP/$name.log" "exit message received|CC-EEN" 5
	ovpn_stop "$name"
}

case_run tls-crypt "tls-crypt $PKI/tc.key" --tls-crypt "$PKI/tc.key"
case_run tls-crypt-prf "tls-crypt $PKI/tc.key" --tls-crypt "$PKI/tc.key" --no-ekm
case_run tls-auth "tls-auth $PKI/ta.key 0" --tls-auth "$PKI/ta.key"
case_run tls-crypt-v2 "tls-crypt-v2 $PKI/v2srv.key" --v2 "$PKI/v2cli.key"
case_run none "" --seconds 20
# the server renegotiates every 3 s (dynamic tls-crypt on key_id 1, 2)
case_run reneg "tls-crypt $PKI/tc.key
reneg-sec 3" --tls-crypt "$PKI/tc.key" --renegs 2 --seconds 30

# peer-to-peer TLS mode: openvpn --tls-server without `mode server` (no push, NCP from peer-info)
p2p_case() {
	cat > "$T_TMP/p2p.conf" <<-EOF
	dev tun
	proto udp
	local 127.0.0.1
	port 1196
	tls-server
	ca $PKI/ca.crt
	cert $PKI/server.crt
	key $PKI/server.key
	dh none
	ifconfig 10.9.0.1 10.9.0.2
	tls-crypt $PKI/tc.key
	reneg-sec 4
	verb 3
	EOF
	# a p2p server completes its initialisation only once the peer is there
	t_bg ip netns exec "$NS" openvpn --config "$T_TMP/p2p.conf" --log "$T_TMP/p2p.log" \
		--writepid "$T_TMP/p2p.pid"
	if ! ovpn_wait_log "$T_TMP/p2p.log" "UDPv4 link local" 15; then
		t_bad "p2p: openvpn tls-server did not start"
		return
	fi
	t_status 0 "p2p: burrow tls-client session against openvpn p2p tls-server" \
		ip netns exec "$NS" "$DRIVE" 127.0.0.1 1196 "$PKI" --p2p --tls-crypt "$PKI/tc.key" \
		--renegs 1 --seconds 30
	grep -E "^(keys ready|keys [0-9]|echo)" "$T_TMP/out" | sed 's/^/    /'
	t_check "p2p: openvpn negotiated the data channel from peer-info" \
		grep -qE "Data Channel: cipher 'AES-256-GCM'" "$T_TMP/p2p.log"
	ovpn_stop p2p
}
p2p_case

# server_case NAME "CLIENT_LINES" SESSDRIVE_ARGS...
server_case() {
	local name=$1 lines=$2 dpid rc
	shift 2
	t_bg ip netns exec "$NS" "$DRIVE" --server 127.0.0.1 1195 "$PKI" "$@" >"$T_TMP/$name.drv" 2>&1
	dpid=$!
	t_wait_for 5 grep -q listening "$T_TMP/$name.drv"
	cat > "$T_TMP/$name.conf" <<-EOF
	${CLIENT_MODE:-client}
	dev tun
	proto udp
	remote 127.0.0.1 1195
	nobind
	ca $PKI/ca.crt
	cert $PKI/client.crt
	key $PKI/client.key
	remote-cert-tls server
	explicit-exit-notify 1
	connect-retry 1
	verb 3
	$lines
	EOF
	if ovpn_start_openvpn "$NS" "$T_TMP/$name.conf" "$name-c"; then
		t_check "$name: openvpn client pings through a burrow server session" \
			ip netns exec "$NS" ping -q -c 3 -i 0.3 -W 3 "${PING_ADDR:-10.8.0.1}" >/dev/null
		if [ -n "${RENEG_WAIT:-}" ]; then
			sleep "$RENEG_WAIT"
			t_check "$name: pings after renegotiations" \
				ip netns exec "$NS" ping -q -c 3 -i 0.3 -W 3 "${PING_ADDR:-10.8.0.1}" >/dev/null
		fi
		ovpn_stop "$name-c"
	else
		t_bad "$name: openvpn client did not connect"
	fi
	t_wait_for 10 sh -c "! kill -0 $dpid"
	kill "$dpid" 2>/dev/null	# still running = failed; frees the port for the next case
	wait "$dpid"
	rc=$?
	grep -E "^(keys|client exit)" "$T_TMP/$name.drv" | sed 's/^/    /'
	if [ "$rc" = 0 ]; then t_ok "$name: server session saw the client's EXIT"
	else t_bad "$name: server session (exit $rc)"; sed 's/^/    drv: /' "$T_TMP/$name.drv" | tail -20
		sed 's/^/    client: /' "$T_TMP/$name-c.log" | tail -20; fi
}

# peer-to-peer: openvpn --tls-client without pull against a burrow p2p tls-server session
CLIENT_MODE=tls-client PING_ADDR=10.9.0.1 server_case srv-p2p "ifconfig 10.9.0.2 10.9.0.1
tls-crypt $PKI/tc.key" --p2p --tls-crypt "$PKI/tc.key"
server_case srv-tls-crypt "tls-crypt $PKI/tc.key" --tls-crypt "$PKI/tc.key"
server_case srv-tls-auth "tls-auth $PKI/ta.key 1" --tls-auth "$PKI/ta.key"
server_case srv-v2 "tls-crypt-v2 $PKI/v2cli.key" --v2 "$PKI/v2srv.key"
server_case srv-none "" --echoes 3
RENEG_WAIT=7 server_case srv-reneg "tls-crypt $PKI/tc.key" --tls-crypt "$PKI/tc.key" \
	--reneg-sec 3 --renegs 2 --echoes 6
t_done
