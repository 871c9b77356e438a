#!/usr/bin/env bash
# Least privilege (core/sandbox.c). After set-up a burrow client keeps only CAP_NET_ADMIN (it
# re-creates its device and routes on a reconnect), a burrow server keeps nothing, and after
# `user nobody` nothing is left, bounding set included; each runs under the seccomp filter
# (Seccomp: 2 in /proc/PID/status) and keeps carrying traffic, a restarted client included.
# A script configured to run later leaves the filter off, said in one line; no-sandbox keeps
# everything; started without CAP_SETPCAP the bounding set stays as it was. The filter itself: a forbidden system call stops the process with a log line
# naming the call and exit status 159, rather than silently (tests/netns/sandbox_trap.c).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
t_need setpriv
TRAP=${TRAP:-$(dirname "$BURROW")/../tests/netns/sandbox_trap}
t_need_built "$TRAP" "sandbox_trap helper"

# ---- the filter alone ----
"$TRAP" allowed >"$T_TMP/trap.out" 2>&1; rc=$?
t_check "allowed calls go through the filter (exit 0, got $rc)" test "$rc" = 0
t_check "allowed calls: the process is still running afterwards" grep -q "still running" "$T_TMP/trap.out"
for call in ptrace execve; do
	"$TRAP" $call >"$T_TMP/trap.out" 2>&1; rc=$?
	t_check "$call: the filter stops the process with status 159 (got $rc)" test "$rc" = 159
	t_check "$call: a clear log line names the call" \
		grep -qE "^error: seccomp: forbidden system call $call \(nr [0-9]+\): stopping; .*no-sandbox" "$T_TMP/trap.out"
	t_check "$call: nothing runs after the forbidden call" sh -c "! grep -q 'still running' '$T_TMP/trap.out'"
done
"$TRAP" ptrace "$T_TMP/trap.log" >"$T_TMP/trap.out" 2>&1; rc=$?
t_check "with a log file: status 159 and the line in the log file" \
	sh -c "[ $rc = 159 ] && grep -q 'forbidden system call ptrace' '$T_TMP/trap.log'"

# ---- the daemon ----
getent passwd nobody >/dev/null && getent group nogroup >/dev/null || t_skip "needs user nobody and group nogroup"
# status_of NAME FIELD: that field of /proc/PID/status of burrow NAME.
status_of() { sed -nE "s/^$2:\s+//p" "/proc/$(cat "$T_TMP/$1.pid")/status"; }
# caps NAME EFF PRM BND: the capability sets are exactly these (inheritable, ambient empty).
caps() {
	[ "$(status_of "$1" CapEff)" = "$2" ] && [ "$(status_of "$1" CapPrm)" = "$3" ] &&
	[ "$(status_of "$1" CapBnd)" = "$4" ] && [ "$(status_of "$1" CapInh)" = 0000000000000000 ] &&
	[ "$(status_of "$1" CapAmb)" = 0000000000000000 ] ||
		{ grep ^Cap "/proc/$(cat "$T_TMP/$1.pid")/status" | sed 's/^/    /'; return 1; }
}
NA=0000000000001000	# CAP_NET_ADMIN (12) only
Z=0000000000000000

if ovpn_client_case "tls-crypt $PKI/tc.key" "tls-crypt $PKI/tc.key"; then
	t_check "client: Seccomp 2 (filter on)" test "$(status_of client Seccomp)" = 2
	t_check "client: CapEff = CapPrm = CapBnd = CAP_NET_ADMIN" caps client $NA $NA $NA
	t_check "client: says what it kept" grep -q "sandbox: capabilities kept: net_admin; seccomp filter on" "$T_TMP/client.log"
	# SIGHUP: full restart, the device and its routes re-created under the filter
	kill -HUP "$(cat "$T_TMP/client.pid")"
	t_check "client: tunnel up again after SIGHUP (device re-created)" \
		t_wait_for 20 sh -c "[ \$(grep -c 'tunnel up' '$T_TMP/client.log') -ge 2 ]"
	t_check "client: ping through the re-created tunnel" t_wait_for 10 ovpn_ping "$NS_C" 10.8.0.1
	t_check "client: no forbidden system call" sh -c "! grep -q 'seccomp: forbidden' '$T_TMP/client.log'"
	ovpn_client_exit
fi
ovpn_stop server

{ ovpn_client_conf; printf '%s\n' "tls-crypt $PKI/tc.key" "user nobody" "group nogroup" "persist-tun"; } > "$T_TMP/cu.conf"
rm -f "$T_TMP/server.log" "$T_TMP/client.log"	# the waits must see this run's lines
if ovpn_start_openvpn "$NS_S" "$T_TMP/s.conf" server && ovpn_start_burrow "$NS_C" client "$T_TMP/cu.conf" client; then
	t_check "client as nobody: Seccomp 2" test "$(status_of client Seccomp)" = 2
	t_check "client as nobody: every set empty, bounding set too" caps client $Z $Z $Z
	t_check "client as nobody: ping through the tunnel" ovpn_ping "$NS_C" 10.8.0.1
	ovpn_client_exit
else
	t_bad "client as nobody brings the tunnel up"
fi
ovpn_stop server

{ ovpn_client_conf; printf '%s\n' "tls-crypt $PKI/tc.key" "no-sandbox"; } > "$T_TMP/cn.conf"
rm -f "$T_TMP/server.log" "$T_TMP/client.log"	# the waits must see this run's lines
if ovpn_start_openvpn "$NS_S" "$T_TMP/s.conf" server && ovpn_start_burrow "$NS_C" client "$T_TMP/cn.conf" client; then
	bnd=$(sed -nE 's/^CapBnd:\s+//p' /proc/self/status)
	t_check "no-sandbox: Seccomp 0" test "$(status_of client Seccomp)" = 0
	t_check "no-sandbox: every capability kept" caps client "$bnd" "$bnd" "$bnd"
	t_check "no-sandbox: said once" grep -q "sandbox off (no-sandbox)" "$T_TMP/client.log"
	ovpn_client_exit
else
	t_bad "client with no-sandbox brings the tunnel up"
fi
ovpn_stop server

# Started without CAP_SETPCAP (as a service manager may start it): the bounding set cannot be
# changed and stays; the effective and permitted sets still shrink, the filter still goes on.
printf '#!/bin/sh\nexec setpriv --bounding-set -setpcap %s "$@"\n' "$BURROW" > "$T_TMP/nopcap"
chmod 755 "$T_TMP/nopcap"
rm -f "$T_TMP/server.log" "$T_TMP/client.log"	# the waits must see this run's lines
if ovpn_start_openvpn "$NS_S" "$T_TMP/s.conf" server &&
   BURROW=$T_TMP/nopcap ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client; then
	bnd=$(printf '%016x' $(( 0x$(sed -nE 's/^CapBnd:\s+//p' /proc/self/status) & ~(1 << 8) )))
	t_check "without CAP_SETPCAP: Seccomp 2" test "$(status_of client Seccomp)" = 2
	t_check "without CAP_SETPCAP: CAP_NET_ADMIN kept, bounding set as started" caps client $NA $NA "$bnd"
	t_check "without CAP_SETPCAP: ping through the tunnel" ovpn_ping "$NS_C" 10.8.0.1
	ovpn_client_exit
else
	t_bad "client started without CAP_SETPCAP brings the tunnel up"
fi
ovpn_stop server

# ---- the server ----
rm -f "$T_TMP/server.log" "$T_TMP/client.log"
if ovpn_server_case "tls-crypt $PKI/tc.key" "tls-crypt $PKI/tc.key"; then
	t_check "server: Seccomp 2 (filter on)" test "$(status_of server Seccomp)" = 2
	t_check "server: no capability left" caps server $Z $Z $Z
	t_check "server: says what it kept" grep -q "sandbox: capabilities kept: none; seccomp filter on" "$T_TMP/server.log"
	ovpn_stop client
	rm -f "$T_TMP/client.log"	# "Initialization Sequence Completed" must be the new one's
	t_check "server: a client reconnects under the filter" ovpn_start_openvpn "$NS_C" "$T_TMP/c.conf" client
	if ovpn_ping "$NS_C" 10.8.0.1; then t_ok "server: ping after the reconnect"; else
		t_bad "server: ping after the reconnect"; sed "s/^/    server: /" "$T_TMP/server.log"; sed "s/^/    client: /" "$T_TMP/client.log" | tail -20; cat "$T_TMP/ping.out"; fi
	t_check "server: no forbidden system call" sh -c "! grep -q 'seccomp: forbidden' '$T_TMP/server.log'"
	ovpn_stop client
fi
t_check "server exits 0 on SIGTERM" ovpn_stop server

# A script that runs after set-up would inherit the filter: none then, said in one line; the
# script keeps CAP_NET_ADMIN (it usually changes routes or firewall rules).
printf '#!/bin/sh\nexit 0\n' > "$T_TMP/learn.sh"
chmod 755 "$T_TMP/learn.sh"
{ ovpn_server_conf; printf '%s\n' "tls-crypt $PKI/tc.key" "script-security 2" "learn-address $T_TMP/learn.sh"; } > "$T_TMP/ss.conf"
rm -f "$T_TMP/server.log"
if ovpn_start_burrow_server "$NS_S" "$T_TMP/ss.conf" server; then
	t_check "server with learn-address: Seccomp 0" test "$(status_of server Seccomp)" = 0
	t_check "server with learn-address: CAP_NET_ADMIN only" caps server $NA $NA $NA
	t_check "server with learn-address: says why there is no filter" \
		grep -q "no seccomp filter: learn-address runs programs" "$T_TMP/server.log"
	t_check "server with learn-address exits 0" ovpn_stop server
else
	t_bad "server with learn-address starts"
fi
t_done
