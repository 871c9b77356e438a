#!/usr/bin/env bash
# topology net30 (point-to-point ifconfig local/peer pushed) and remotes given by name: an
# unresolvable name is skipped, the next one resolves through the namespace's hosts file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
ovpn_setup
ovpn_pki
# `ip netns exec` shows /etc/netns/NS/hosts as /etc/hosts inside the namespace.
mkdir -p "/etc/netns/$NS_C" && echo "$OVPN_S_ADDR vpn.burrow.test" > "/etc/netns/$NS_C/hosts"
trap 'rm -rf "/etc/netns/$NS_C"; t_cleanup' EXIT
{ ovpn_server_conf | sed 's/^topology .*/topology net30/'; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/s.conf"
{ ovpn_client_conf | grep -v '^remote '; echo "remote no-such-host.invalid 1194"
  echo "remote vpn.burrow.test 1194"; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/c.conf"
if ovpn_start_openvpn "$NS_S" "$T_TMP/s.conf" server && ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client; then
	t_ok "tunnel up via the second, named remote"
	t_check "unresolvable remote reported" grep -q "cannot resolve 'no-such-host.invalid'" "$T_TMP/client.log"
	t_check "named remote resolved and used" grep -q "connecting: udp to $OVPN_S_ADDR:1194" "$T_TMP/client.log"
	# net30: the client gets .6 with peer .5; the server's own tunnel address is .1.
	dev=$(sed -nE 's/.*tunnel up: device ([a-z0-9]+).*/\1/p' "$T_TMP/client.log" | head -1)
	t_check "point-to-point address 10.8.0.6 peer 10.8.0.5" sh -c "ip -n $NS_C addr show $dev | grep -q 'inet 10.8.0.6 peer 10.8.0.5/32'"
	t_check "route to the server's subnet via the peer" sh -c "ip -n $NS_C route show | grep -qE '^10\.8\.0\.1 via 10\.8\.0\.5 dev $dev'"
	ovpn_traffic "$NS_C" 10.8.0.1 "$NS_S" 10.8.0.6
	ovpn_client_exit
else
	t_bad "tunnel up via the second, named remote"
fi
t_done
