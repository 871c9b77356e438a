#!/usr/bin/env bash
# Keepalive: with the pushed ping 1 / ping-restart 3, a frozen server is noticed within a few
# seconds (ping-restart), and the client reconnects once the server runs again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_client_case "tls-crypt $PKI/tc.key
keepalive 1 3" "tls-crypt $PKI/tc.key"; then
	spid=$(cat "$T_TMP/server.pid")
	cpid=$(cat "$T_TMP/client.pid")
	ticks() { awk '{ print $14 + $15 }' "/proc/$cpid/stat"; }
	# Idle tunnel: the client's own pings keep the server's ping-restart quiet, and the
	# client sleeps between its timers (no busy loop: under 50 ms of CPU in 2 s).
	t0=$(ticks)
	sleep 2
	t1=$(ticks)
	t_check "idle client uses almost no CPU ($((t1 - t0)) ticks in 2 s)" test $((t1 - t0)) -le 5
	t_check "idle tunnel stays up (no restart yet)" sh -c "! grep -q reconnecting $T_TMP/client.log"
	kill -STOP "$spid"
	t_check "frozen server: ping-restart fires" ovpn_wait_log "$T_TMP/client.log" "reconnecting.*ping-restart" 8
	kill -CONT "$spid"
	t_wait_for 20 sh -c "[ \$(grep -c 'tunnel up' $T_TMP/client.log) -ge 2 ]"
	t_check "client reconnects after the server resumes" test "$(grep -c 'tunnel up' "$T_TMP/client.log")" -ge 2
	t_check "ping after the reconnect" ovpn_ping "$NS_C" 10.8.0.1
	ovpn_client_exit
fi
t_done
