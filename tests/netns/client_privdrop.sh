#!/usr/bin/env bash
# user/group: the client drops root once the tunnel is up and keeps carrying traffic.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
getent passwd nobody >/dev/null && getent group nogroup >/dev/null || t_skip "needs user nobody and group nogroup"

if ovpn_client_case "tls-crypt $PKI/tc.key" "tls-crypt $PKI/tc.key
user nobody
group nogroup
persist-tun"; then
	pid=$(cat "$T_TMP/client.pid")
	t_check "privilege drop logged" grep -q "dropped privileges to user nobody group nogroup" "$T_TMP/client.log"
	t_check "process runs as nobody" grep -qE "^Uid:\s+$(id -u nobody)\s" "/proc/$pid/status"
	t_check "process runs as nogroup" grep -qE "^Gid:\s+$(getent group nogroup | cut -d: -f3)\s" "/proc/$pid/status"
	ovpn_client_exit
fi
t_done
