#!/usr/bin/env bash
# The data path's offloads end to end: TCP through burrow's TUN arrives as GSO super-packets
# that burrow cuts into segments itself (vif/vnet.c), mssfix keeps every encrypted packet under
# the outer MTU, and on the way in burrow merges segments again (vif/vnet_gro.c). 16 MB each
# way, SHA-256 on both ends, for burrow <-> burrow and burrow against the real OpenVPN both
# ways. The tunnel MTU is 1500, so an average packet size above it on tun0 proves super-packets;
# the outer link must not have fragmented a single datagram.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
# nstat counts the fragments: without it the "no fragmentation" checks fail (no count is not
# a count of zero); the rest of the test still runs.
command -v nstat >/dev/null 2>&1 ||
	echo "FAIL $T_NAME: needs nstat (iproute2; scripts/bootstrap installs it) to count fragments"
ovpn_setup
ovpn_pki
BYTES=16777216

# avg NS tx|rx: average size of the packets tun0 handed to the app side (tx) or took from
# it (rx), over its whole life.
avg() {
	ip -n "$1" -s -j link show dev tun0 | python3 -c '
import json, sys
s = json.load(sys.stdin)[0]["stats64"][sys.argv[1]]
print(s["bytes"] // max(s["packets"], 1))' "$2"
}
# frags NS: datagrams the namespace's IP layer fragmented since it was made ("missing" when
# nstat (iproute2) cannot read the counter, which fails the check: no count is not zero).
frags() { local n
	n=$(ip netns exec "$1" nstat -az IpFragCreates 2>/dev/null | awk '/IpFragCreates/ {print $2}')
	echo "${n:-missing}"; }
# all_zero V...: every V is 0; false when there is none.
all_zero() { local v; [ $# -gt 0 ] || return 1; for v in "$@"; do [ "$v" = 0 ] || return 1; done; }

run_case() {	# NAME SERVER(burrow|openvpn) CLIENT(burrow|openvpn)
	local name=$1 s=$2 c=$3 f avg
	{ ovpn_server_conf; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/s.conf"
	{ ovpn_client_conf; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/c.conf"
	if [ "$s" = burrow ]; then ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server
	else ovpn_start_openvpn "$NS_S" "$T_TMP/s.conf" server; fi || { t_bad "$name: server starts"; return; }
	if [ "$c" = burrow ]; then ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client
	else ovpn_start_openvpn "$NS_C" "$T_TMP/c.conf" client; fi ||
		{ t_bad "$name: tunnel up"; ovpn_stop server; return; }
	t_check "$name: TCP 16 MB client -> server, checksums match" \
		ovpn_xfer "$NS_C" "$NS_S" 10.8.0.1 5001 $BYTES
	t_check "$name: TCP 16 MB server -> client, checksums match" \
		ovpn_xfer "$NS_S" "$NS_C" 10.8.0.2 5002 $BYTES
	for side in c s; do
		local who=$c ns=$NS_C
		[ $side = s ] && who=$s ns=$NS_S
		[ "$who" = burrow ] || continue
		t_check "$name: burrow's tun0 has no IPv6 link-local (nothing to solicit routers)" \
			test -z "$(ip -n "$ns" -6 addr show dev tun0 scope link)"
		avg=$(avg "$ns" tx)
		t_check "$name: burrow's device handed over super-packets (avg $avg bytes)" \
			test "${avg:-0}" -gt 1500
		# OpenVPN sends in small bursts, so merging is only judged between two burrows
		[ "$s" = "$c" ] || continue
		avg=$(avg "$ns" rx)
		t_check "$name: burrow wrote merged super-packets (avg $avg bytes)" \
			test "${avg:-0}" -gt 1500
	done
	f="$(frags "$NS_S") $(frags "$NS_C")"
	# shellcheck disable=SC2086
	t_check "$name: no outer datagram was fragmented (IpFragCreates: $f)" all_zero $f
	ovpn_stop client
	ovpn_stop server
}

run_case "burrow-burrow" burrow burrow
run_case "burrow client, openvpn server" openvpn burrow
run_case "openvpn client, burrow server" burrow openvpn
t_done
