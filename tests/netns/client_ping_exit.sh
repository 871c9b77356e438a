#!/usr/bin/env bash
# ping-exit: with the pushed ping 1 / ping-restart 20 and ping-exit 4 in the profile, a frozen
# server makes the client stop for good (exit status 0, device removed) instead of reconnecting.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_client_case "keepalive 1 20" "ping-exit 4"; then
	spid=$(cat "$T_TMP/server.pid")
	cpid=$(cat "$T_TMP/client.pid")
	dev=$(sed -nE 's/.*tunnel up: device ([a-z0-9]+).*/\1/p' "$T_TMP/client.log" | head -1)
	sleep 2
	t_check "idle tunnel with pings stays up" sh -c "! grep -q 'ping-exit' $T_TMP/client.log"
	kill -STOP "$spid"
	t_check "frozen server: ping-exit fires" ovpn_wait_log "$T_TMP/client.log" "ping-exit: nothing heard" 10
	t_wait_for 5 sh -c "! kill -0 $cpid 2>/dev/null"
	t_check "client has exited" sh -c "! kill -0 $cpid 2>/dev/null"
	rc=0
	wait "$cpid" || rc=$?
	t_check "client exit status 0 (got $rc)" test "$rc" -eq 0
	t_check "no reconnect" sh -c "! grep -q reconnecting $T_TMP/client.log"
	t_check "client's device $dev is gone" sh -c "! ip -n $NS_C link show $dev >/dev/null 2>&1"
	kill -CONT "$spid"
fi
t_done
