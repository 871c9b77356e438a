#!/usr/bin/env bash
# Pushed routes and redirect-gateway def1 are applied through rtnetlink (the server stays
# reachable through a host route via the old path) and removed again when the client exits;
# the pushed DNS server is reported.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_client_case "tls-crypt $PKI/tc.key
push \"route 192.168.77.0 255.255.255.0\"
push \"redirect-gateway def1\"
push \"dhcp-option DNS 10.8.0.1\"" "tls-crypt $PKI/tc.key"; then
	dev=$(sed -nE 's/.*tunnel up: device ([a-z0-9]+).*/\1/p' "$T_TMP/client.log" | head -1)
	ip -n "$NS_C" route show > "$T_TMP/routes.up"
	t_check "pushed route 192.168.77.0/24 via $dev" grep -qE "^192\.168\.77\.0/24 .*dev $dev" "$T_TMP/routes.up"
	t_check "redirect-gateway 0.0.0.0/1 via $dev" grep -qE "^0\.0\.0\.0/1 .*dev $dev" "$T_TMP/routes.up"
	t_check "redirect-gateway 128.0.0.0/1 via $dev" grep -qE "^128\.0\.0\.0/1 .*dev $dev" "$T_TMP/routes.up"
	t_check "host route keeps the server on the old path" grep -qE "^$OVPN_S_ADDR .*dev v0" "$T_TMP/routes.up"
	t_check "tunnel still carries traffic after redirect" ovpn_ping "$NS_C" 10.8.0.1
	t_check "pushed DNS server is reported" grep -q "dhcp-option DNS 10.8.0.1" "$T_TMP/client.log"
	ovpn_client_exit
	ip -n "$NS_C" route show > "$T_TMP/routes.down"
	t_check "routes removed on exit" sh -c "! grep -qE '^(192\.168\.77\.0/24|0\.0\.0\.0/1|128\.0\.0\.0/1|$OVPN_S_ADDR )' $T_TMP/routes.down"
fi
t_done
