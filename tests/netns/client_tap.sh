#!/usr/bin/env bash
# burrow client against openvpn 2.6: UDP, TAP (Ethernet frames, ARP through the tunnel), no
# control-channel wrapping, AES-128-GCM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
OVPN_DEV=tap

if ovpn_client_case "data-ciphers AES-128-GCM" ""; then
	t_check "client log names the cipher" grep -q "cipher AES-128-GCM" "$T_TMP/client.log"
	t_check "client device is a tap" sh -c "ip -n $NS_C -d link show | grep -q 'tun type tap'"
	ovpn_client_exit
fi
t_done
