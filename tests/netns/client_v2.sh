#!/usr/bin/env bash
# burrow client against openvpn 2.6: UDP, TUN, tls-crypt-v2 (client key wraps Kc for the
# server), default data-ciphers (AES-256-GCM picked), the server's tun-mtu pushed and applied.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_client_case "tls-crypt-v2 $PKI/v2srv.key
tun-mtu 1400" "tls-crypt-v2 $PKI/v2cli.key"; then
	t_check "client log names the cipher" grep -q "cipher AES-256-GCM" "$T_TMP/client.log"
	t_check "pushed tun-mtu 1400 applied" sh -c "ip -n $NS_C link show tun0 | grep -q 'mtu 1400'"
	ovpn_client_exit
fi
t_done
