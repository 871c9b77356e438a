#!/usr/bin/env bash
# user/group: the client drops root once the tunnel is up and keeps carrying traffic; its
# status file, in a root-owned 0755 directory it cannot create files in after the drop, is
# written before the drop (0600, owner root) and kept current after it. A second SIGTERM while
# the first is handled never kills the client by the signal: exit status 0, five times.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
getent passwd nobody >/dev/null && getent group nogroup >/dev/null || t_skip "needs user nobody and group nogroup"

chmod 711 "$T_TMP"			# nobody may pass through, not list or create
D=$T_TMP/etc
mkdir -m 755 "$D"
# A down script that takes a while: the second SIGTERM arrives while the first is handled.
printf '#!/bin/sh\nsleep 0.4\n' > "$T_TMP/down.sh"
chmod 755 "$T_TMP/down.sh"

if ovpn_client_case "tls-crypt $PKI/tc.key" "tls-crypt $PKI/tc.key
user nobody
group nogroup
persist-tun
status $D/client.status 1
script-security 2
down $T_TMP/down.sh"; then
	pid=$(cat "$T_TMP/client.pid")
	t_check "privilege drop logged" grep -q "dropped privileges to user nobody group nogroup" "$T_TMP/client.log"
	t_check "process runs as nobody" grep -qE "^Uid:\s+$(id -u nobody)\s" "/proc/$pid/status"
	t_check "process runs as nogroup" grep -qE "^Gid:\s+$(getent group nogroup | cut -d: -f3)\s" "/proc/$pid/status"
	t_check "status file says connected after the drop" \
		t_wait_for 5 grep -qx "state=connected" "$D/client.status"
	t_check "status file: mode 0600, owner root" test "$(stat -c '%a %U' "$D/client.status")" = "600 root"
	s1=$(sed -n 's/^connected_seconds=//p' "$D/client.status")
	t_check "status file is updated over time" \
		t_wait_for 5 sh -c "s=\$(sed -n 's/^connected_seconds=//p' '$D/client.status'); [ \"\$s\" -gt '$s1' ]"
	t_check "no temporary file left in the directory" test "$(ls -A "$D" | wc -l)" = 1
	t_check "no warning about the status file" sh -c "! grep -E 'cannot write' '$T_TMP/client.log'"
	ovpn_client_exit
	for i in 1 2 3 4 5; do
		rm -f "$T_TMP/client.log"	# "tunnel up" must be this run's
		ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client || { t_bad "client $i connects"; continue; }
		pid=$(cat "$T_TMP/client.pid")
		kill -TERM "$pid"; sleep 0.1; kill -TERM "$pid"
		wait "$pid"; rc=$?
		[ "$rc" = 0 ] || sed "s/^/    client $i: /" "$T_TMP/client.log"
		t_check "two SIGTERMs, try $i: exit status 0 (got $rc)" test "$rc" = 0
	done
fi
t_done
