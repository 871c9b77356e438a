#!/usr/bin/env bash
# Remote failover (the first remote refuses, the second answers), the status file, and the
# restart signals: SIGUSR1 with persist-tun keeps the device, SIGHUP recreates it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
ovpn_setup
ovpn_pki
{ ovpn_server_conf; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/s.conf"
{ ovpn_client_conf | grep -v '^remote '; echo "remote $OVPN_S_ADDR 1195"; echo "remote $OVPN_S_ADDR 1194"
  echo "tls-crypt $PKI/tc.key"; echo "persist-tun"; echo "status $T_TMP/status 1"; } > "$T_TMP/c.conf"
ovpn_start_openvpn "$NS_S" "$T_TMP/s.conf" server || { t_bad "openvpn server starts"; t_done; }
if ! ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client; then
	t_bad "tunnel up through the second remote"
	t_done
fi
t_ok "tunnel up through the second remote"
t_check "first remote was tried and refused" grep -qE "reconnecting.*$OVPN_S_ADDR:1195 not reachable" "$T_TMP/client.log"
t_check "second remote was used" grep -q "connecting: udp to $OVPN_S_ADDR:1194" "$T_TMP/client.log"
t_check "ping through the tunnel" ovpn_ping "$NS_C" 10.8.0.1

# Status file: rewritten every second with state, cipher and counters.
t_wait_for 3 grep -q "state=connected" "$T_TMP/status"
t_check "status: connected" grep -q "^state=connected$" "$T_TMP/status"
t_check "status: cipher" grep -q "^cipher=AES-256-GCM$" "$T_TMP/status"
t_check "status: device" grep -qE "^device=tun[0-9]+$" "$T_TMP/status"
t_check "status: key id" grep -q "^key_id=0$" "$T_TMP/status"
t_check "status: tunnel bytes counted (rewritten each second)" t_wait_for 3 grep -qE "^tun_bytes_in=[1-9][0-9]*$" "$T_TMP/status"
t_check "status: connected since" grep -qE "^connected_since=20[0-9-]+T" "$T_TMP/status"

pid=$(cat "$T_TMP/client.pid")
dev=$(sed -nE 's/.*tunnel up: device ([a-z0-9]+).*/\1/p' "$T_TMP/client.log" | head -1)
idx1=$(ip -n "$NS_C" -o link show "$dev" | cut -d: -f1)
kill -USR1 "$pid"
t_check "SIGUSR1: soft restart logged" ovpn_wait_log "$T_TMP/client.log" "SIGUSR1" 5
t_wait_for 15 sh -c "[ \$(grep -c 'tunnel up' $T_TMP/client.log) -ge 2 ]"
t_check "SIGUSR1: tunnel up again" test "$(grep -c 'tunnel up' "$T_TMP/client.log")" -ge 2
idx2=$(ip -n "$NS_C" -o link show "$dev" 2>/dev/null | cut -d: -f1)
t_check "SIGUSR1 + persist-tun: same device kept ($idx1 = $idx2)" test "$idx1" = "$idx2"
t_check "ping after SIGUSR1" ovpn_ping "$NS_C" 10.8.0.1
kill -HUP "$pid"
t_check "SIGHUP: restart logged" ovpn_wait_log "$T_TMP/client.log" "SIGHUP" 5
t_wait_for 15 sh -c "[ \$(grep -c 'tunnel up' $T_TMP/client.log) -ge 3 ]"
t_check "SIGHUP: tunnel up again" test "$(grep -c 'tunnel up' "$T_TMP/client.log")" -ge 3
t_check "ping after SIGHUP" ovpn_ping "$NS_C" 10.8.0.1
ovpn_client_exit
t_check "status after exit: not connected" sh -c "! grep -q '^state=connected$' $T_TMP/status"

# connect-retry-max: only a refusing remote; the client gives up with status 1.
{ ovpn_client_conf | grep -v '^remote '; echo "remote $OVPN_S_ADDR 1195"; echo "tls-crypt $PKI/tc.key"
  echo "connect-retry-max 2"; } > "$T_TMP/c2.conf"
t_status 1 "connect-retry-max reached: exit 1" ip netns exec "$NS_C" timeout 20 "$BURROW" client "$T_TMP/c2.conf"
t_grep "giving up after 2 attempt" "says it gives up and why"
t_done
