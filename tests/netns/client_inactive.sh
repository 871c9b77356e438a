#!/usr/bin/env bash
# inactive: with `inactive 3` the client stops for good (exit status 0, device removed) once the
# tunnel has carried no packets for 3 s; the server's keepalive pings (every 2 s) do not count.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_client_case "" "inactive 3"; then
	cpid=$(cat "$T_TMP/client.pid")
	dev=$(sed -nE 's/.*tunnel up: device ([a-z0-9]+).*/\1/p' "$T_TMP/client.log" | head -1)
	t_check "traffic did not count as inactive" sh -c "! grep -q 'inactive:' $T_TMP/client.log"
	t_check "idle tunnel: inactive fires" ovpn_wait_log "$T_TMP/client.log" "inactive: no tunnel traffic for 3 s" 10
	t_wait_for 5 sh -c "! kill -0 $cpid 2>/dev/null"
	t_check "client has exited" sh -c "! kill -0 $cpid 2>/dev/null"
	rc=0
	wait "$cpid" || rc=$?
	t_check "client exit status 0 (got $rc)" test "$rc" -eq 0
	t_check "no reconnect" sh -c "! grep -q reconnecting $T_TMP/client.log"
	t_check "client's device $dev is gone" sh -c "! ip -n $NS_C link show $dev >/dev/null 2>&1"
fi
t_done
