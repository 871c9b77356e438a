#!/usr/bin/env bash
# burrow client against openvpn 2.6 with reneg-sec 3: traffic keeps flowing across several
# renegotiations (new key ids, dynamic tls-crypt).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_client_case "tls-crypt $PKI/tc.key
reneg-sec 3" "tls-crypt $PKI/tc.key"; then
	# 40 pings over 10 s span at least two renegotiations; allow a couple lost in the switch.
	ip netns exec "$NS_C" ping -c 40 -i 0.25 -W 2 10.8.0.1 >"$T_TMP/ping.out" 2>&1
	recv=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' "$T_TMP/ping.out")
	t_check "pings survive renegotiations (${recv:-0}/40 answered)" test "${recv:-0}" -ge 36
	n=$(grep -c "renegotiated" "$T_TMP/client.log")
	t_check "client renegotiated at least twice ($n)" test "$n" -ge 2
	ovpn_traffic "$NS_C" 10.8.0.1 "$NS_S" 10.8.0.2
	ovpn_client_exit
fi
t_done
