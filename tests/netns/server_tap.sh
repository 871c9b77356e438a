#!/usr/bin/env bash
# The real openvpn 2.6 client against burrow server: TAP (a learning bridge on the server's
# tap device, ARP through the tunnel), no control-channel wrapping, AES-128-GCM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
OVPN_DEV=tap

if ovpn_server_case "data-ciphers AES-128-GCM" ""; then
	t_check "server log names the cipher" grep -q "cipher AES-128-GCM" "$T_TMP/server.log"
	t_check "server device is a tap" sh -c "ip -n $NS_S -d link show | grep -q 'tun type tap'"
fi
t_done
