#!/usr/bin/env bash
# pull-filter and route-metric against a real openvpn 2.6 server that pushes two routes and
# a DNS server: `pull-filter ignore "route 192.168.78."` leaves that route out while the
# other pushed route is installed with the profile's route-metric; then
# `pull-filter reject "dhcp-option"` makes the client refuse the server's options.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_client_case "tls-crypt $PKI/tc.key
push \"route 192.168.77.0 255.255.255.0\"
push \"route 192.168.78.0 255.255.255.0\"
push \"dhcp-option DNS 10.8.0.1\"" "tls-crypt $PKI/tc.key
route-metric 7
pull-filter accept \"route 192.168.77.\"
pull-filter ignore \"route 192.168.78.\""; then
	dev=$(sed -nE 's/.*tunnel up: device ([a-z0-9]+).*/\1/p' "$T_TMP/client.log" | head -1)
	ip -n "$NS_C" route show > "$T_TMP/routes.up"
	t_check "accepted route 192.168.77.0/24 via $dev" grep -qE "^192\.168\.77\.0/24 .*dev $dev" "$T_TMP/routes.up"
	t_check "route-metric 7 on the pushed route" grep -qE "^192\.168\.77\.0/24 .*metric 7( |$)" "$T_TMP/routes.up"
	t_check "ignored route 192.168.78.0/24 is absent" sh -c "! grep -q '^192\.168\.78\.' $T_TMP/routes.up"
	t_check "client says it ignored the route" grep -q "pull-filter: ignoring pushed option 'route 192.168.78.0" "$T_TMP/client.log"
	t_check "DNS (not filtered) still reported" grep -q "dhcp-option DNS 10.8.0.1" "$T_TMP/client.log"
	ovpn_client_exit
fi

# reject: the connection fails and the client says why (it keeps retrying, so stop it)
{ ovpn_client_conf; echo "tls-crypt $PKI/tc.key"; echo 'pull-filter reject "dhcp-option"'; } > "$T_TMP/c2.conf"
ip netns exec "$NS_C" "$BURROW" -v client "$T_TMP/c2.conf" > "$T_TMP/client2.log" 2>&1 &
pid=$!
T_PIDS+=($pid)
if ovpn_wait_log "$T_TMP/client2.log" "pushed option .* rejected" 20; then
	t_ok "reject fails the connection"
	t_check "client names the rejected option" grep -q "pushed option 'dhcp-option DNS 10.8.0.1' rejected" "$T_TMP/client2.log"
	t_check "no tunnel came up" sh -c "! grep -q 'tunnel up' $T_TMP/client2.log"
else
	t_bad "reject fails the connection"
	sed 's/^/    client: /' "$T_TMP/client2.log" | tail -20
fi
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
t_done
