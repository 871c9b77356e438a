#!/usr/bin/env bash
# user nobody / group nogroup on the server, as installers set it: the status and
# ifconfig-pool-persist files live in a root-owned 0755 directory (/var/log, /etc/openvpn/server
# on a real host) that the unprivileged process cannot create files in. burrow writes them
# before the drop (mode 0600, owner root) and keeps rewriting them after it; the pool file is
# in OpenVPN 2.6's format. Then a second SIGTERM while the first is handled never kills the
# server by the signal: exit status 0, five times.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
getent passwd nobody >/dev/null && getent group nogroup >/dev/null || t_skip "needs user nobody and group nogroup"
chmod 711 "$T_TMP"			# nobody may pass through, not list or create
D=$T_TMP/etc
mkdir -m 755 "$D"
# A down script that takes a while: the second SIGTERM arrives while the first is handled.
printf '#!/bin/sh\nsleep 0.4\n' > "$T_TMP/down.sh"
chmod 755 "$T_TMP/down.sh"

if ovpn_server_case "tls-crypt $PKI/tc.key
user nobody
group nogroup
status $D/status.log 1
status-version 2
ifconfig-pool-persist $D/ipp.txt 1
script-security 2
down $T_TMP/down.sh" "tls-crypt $PKI/tc.key"; then
	spid=$(cat "$T_TMP/server.pid")
	t_check "server runs as nobody" grep -qE "^Uid:\s+$(id -u nobody)\s" "/proc/$spid/status"
	t_check "status lists the client connected after the drop" \
		t_wait_for 5 grep -q "^CLIENT_LIST,client1," "$D/status.log"
	t_check "pool file has the lease in OpenVPN 2.6's format (trailing comma)" \
		t_wait_for 5 grep -qx "client1,10.8.0.2," "$D/ipp.txt"
	t_check "status file: mode 0600, owner root" test "$(stat -c '%a %U' "$D/status.log")" = "600 root"
	t_check "pool file: mode 0600, owner root" test "$(stat -c '%a %U' "$D/ipp.txt")" = "600 root"
	t1=$(sed -n 's/^TIME,.*,\([0-9]*\)$/\1/p' "$D/status.log")
	t_check "status file is updated over time" \
		t_wait_for 5 sh -c "t=\$(sed -n 's/^TIME,.*,\\([0-9]*\\)\$/\\1/p' '$D/status.log'); [ -n \"\$t\" ] && [ \"\$t\" -gt '$t1' ]"
	t_check "no temporary file left in the directory" test "$(ls -A "$D" | wc -l)" = 2
	t_check "no warning about the files" sh -c "! grep -E 'cannot write|not writable' '$T_TMP/server.log'"
	ovpn_stop client
	t_check "server writes the pool file at exit" grep -qx "client1,10.8.0.2," "$D/ipp.txt"
fi
# Two SIGTERMs in quick succession, five times: exit status 0 each time, never 143.
t_check "server exits 0 on SIGTERM" ovpn_stop server
for i in 1 2 3 4 5; do
	rm -f "$T_TMP/server.log"	# "server ready" must be this run's, not the last one's
	ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server || { t_bad "server $i starts"; continue; }
	pid=$(cat "$T_TMP/server.pid")
	kill -TERM "$pid"; sleep 0.1; kill -TERM "$pid"
	wait "$pid"; rc=$?
	[ "$rc" = 0 ] || sed "s/^/    server $i: /" "$T_TMP/server.log"
	t_check "two SIGTERMs, try $i: exit status 0 (got $rc)" test "$rc" = 0
done
t_check "the pool file kept its lease across the restarts" grep -qx "client1,10.8.0.2," "$D/ipp.txt"

# A pool file of 3000 leases (about 150 KB, over the old 64 KiB buffer) is loaded and saved
# whole: written without the trailing commas (as OpenVPN 2.4 did), it comes back with them,
# every line, in the pool's order.
python3 - "$D/big.txt" "$T_TMP/big.want" <<'PY'
import sys
old, want = open(sys.argv[1], "w"), open(sys.argv[2], "w")
for i in range(3000):
    a = 0x0A090002 + i
    line = "a-rather-long-common-name-for-client-%05d,%d.%d.%d.%d" % (
        i, a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)
    old.write(line + "\n")
    want.write(line + ",\n")
PY
sed -e 's/^server 10.8.0.0 255.255.255.0$/server 10.9.0.0 255.255.240.0/' \
	-e "s|^ifconfig-pool-persist .*|ifconfig-pool-persist $D/big.txt 1|" "$T_TMP/s.conf" > "$T_TMP/big.conf"
rm -f "$T_TMP/server.log"
if ovpn_start_burrow_server "$NS_S" "$T_TMP/big.conf" server; then
	t_check "3000 leases: no line skipped" sh -c "! grep -q 'skipped' '$T_TMP/server.log'"
	t_check "3000 leases: server exits 0" ovpn_stop server
	t_check "3000 leases (over 64 KiB): saved whole, byte for byte" cmp "$D/big.txt" "$T_TMP/big.want"
	t_check "3000 leases: still 0600 root" test "$(stat -c '%a %U' "$D/big.txt")" = "600 root"
else
	t_bad "server with a 3000-lease pool file starts"
fi
t_done
