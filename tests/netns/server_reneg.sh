#!/usr/bin/env bash
# Renegotiation with the real openvpn 2.6 client: reneg-sec 3 on the client, pings running
# across several key changes; loss stays within what ping tolerates.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_server_case "tls-crypt $PKI/tc.key" "tls-crypt $PKI/tc.key
reneg-sec 3"; then
	ip netns exec "$NS_C" ping -c 50 -i 0.2 -W 1 10.8.0.1 > "$T_TMP/reneg.ping" 2>&1
	got=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' "$T_TMP/reneg.ping")
	t_check "pings across renegotiations: $got/50 answered (>= 47)" test "${got:-0}" -ge 47
	n=$(grep -c "renegotiated, key id" "$T_TMP/server.log")
	t_check "server renegotiated at least 2 times (saw $n)" test "$n" -ge 2
	t_check "TCP 1 MB after renegotiations, checksums match" \
		ovpn_xfer "$NS_C" "$NS_S" 10.8.0.1 5003 1048576
fi
t_done
