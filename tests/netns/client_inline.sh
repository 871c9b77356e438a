#!/usr/bin/env bash
# A single-file profile with every material inline (<ca>, <cert>, <key>, <tls-crypt>), as
# providers ship them; given with --config, plus a --verb override on the command line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
ovpn_setup
ovpn_pki
{ ovpn_server_conf; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/s.conf"
{
	ovpn_client_conf | grep -vE '^(ca|cert|key) '
	for k in ca:ca.crt cert:client.crt key:client.key tls-crypt:tc.key; do
		echo "<${k%%:*}>"; cat "$PKI/${k#*:}"; echo "</${k%%:*}>"
	done
} > "$T_TMP/inline.ovpn"
if ovpn_start_openvpn "$NS_S" "$T_TMP/s.conf" server &&
   ovpn_start_burrow "$NS_C" "client --config" "$T_TMP/inline.ovpn" client --verb 4; then
	t_ok "inline profile: tunnel up"
	ovpn_traffic "$NS_C" 10.8.0.1 "$NS_S" 10.8.0.2
	ovpn_client_exit
else
	t_bad "inline profile: tunnel up"
fi
t_done
