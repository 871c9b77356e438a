#!/usr/bin/env bash
# burrow server over TCP against 2000 connections of junk (framed records with real opcodes,
# zero and oversized lengths, raw bytes; closed with FIN or RST): nothing crashes, the tunnel
# of a connected client keeps working, no handshake slot leaks (a new client still connects
# afterwards), memory stays flat.
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
t_check "server exits 0 on SIGTERM" ovpn_stop server
t_done
