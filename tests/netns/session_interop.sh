#!/usr/bin/env bash
# The protocol session alone (no core, no device) against the real openvpn 2.6 server:
# tests/netns/sessdrive runs one burrow client session over UDP, pings the server's tunnel
# address through it (the server's kernel answers), asks for OCC, renegotiates and exits.
# One server namespace; the helper runs in the same namespace on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

DRIVE=${SESSDRIVE:-$(dirname "$BURROW")/../tests/netns/sessdrive}
t_need_root
t_need openvpn
t_need openssl
[ -x "$DRIVE" ] || t_skip "no sessdrive helper at $DRIVE (build first)"
[ -c /dev/net/tun ] || t_skip "needs /dev/net/tun"
NS=$(t_netns) || t_skip "cannot create a network namespace"
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
t_done
