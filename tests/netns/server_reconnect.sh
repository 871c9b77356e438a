#!/usr/bin/env bash
# A client that dies and comes back from the same address and port (lport) starts a new
# session: the server replaces the old one at once instead of waiting for keepalive.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
ovpn_setup
ovpn_pki
{ ovpn_server_conf; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/s.conf"
{ ovpn_client_conf | grep -v '^nobind'; echo "lport 5555"; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/c.conf"
ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server || { t_bad "burrow server starts"; t_done; }
if ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" c1; then
	t_ok "first client session up"
	kill -9 "$(cat "$T_TMP/c1.pid")"
	ip -n "$NS_C" link del tun0 2>/dev/null
	if ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" c2; then
		t_ok "the restarted client (same address and port) is up again"
		t_check "server replaced the old session at once" \
			grep -q "disconnected: the client restarted" "$T_TMP/server.log"
		t_check "ping through the new session" ovpn_ping "$NS_C" 10.8.0.1
	else
		t_bad "the restarted client (same address and port) is up again"
		sed 's/^/    server: /' "$T_TMP/server.log" | tail -15
	fi
else
	t_bad "first client session up"
fi
t_done
