#!/usr/bin/env bash
# Soak (issue 16): clients connect, renegotiate every few seconds, transfer and leave, in a loop,
# against one burrow UDP server and one burrow TCP server (a server listens on one protocol, so
# two processes, one namespace), all inside the test's namespaces:
#  - K client slots, each in its own namespace, cycle through five kinds (TCP ones half the
#    time): burrow client UDP, openvpn 2.6 client UDP (explicit-exit-notify), burrow client
#    TCP, openvpn client TCP, and openvpn client UDP without an exit notification (the server
#    drops it on its keepalive timeout); each connects with reneg-sec on the client side, pings the server's tunnel
#    address, echoes random bytes through a TCP connection in the tunnel (checked), stays up
#    across at least three renegotiations and leaves (SIGTERM);
#  - one more namespace runs waves of manyc (M burrow-protocol UDP sessions from one process,
#    renegotiating as often) that connect, echo, hold and leave with an exit notification.
# Each server's RSS (VmRSS) and open descriptors (/proc/PID/fd) are taken as a baseline after
# a first wave has connected and left (and the server has forgotten it), sampled every 2 s, and
# taken again at the end once every client has left; the test fails when RSS grew past
# max(RSS_TOL_KB, RSS_TOL_PCT % of the baseline), when the descriptors differ, when a server
# died, when a server logged an error or warning line not listed in EXPECTED_LOG below, or
# when a client cycle failed (no tunnel, pings lost, echoed bytes wrong, bad exit).
#
#   tests/soak [--minutes N] [--clients K] [--manyc M] [--reneg-sec S]
#   (defaults: 1 minute, 4 slots, 20 manyc sessions, 3 s; CI: 5 minutes; a long run: 60)
#   SOAK_KEEP=DIR keeps the server logs, RSS/descriptor samples and cycle results there.
# The figures line gives the duration, connects, renegotiations, bytes through the tunnels,
# and each server's RSS baseline/end/max and descriptors baseline/end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
MANYC=${MANYC:-$(dirname "$BURROW")/../tests/netns/manyc}

usage() { echo "usage: tests/soak [--minutes N] [--clients K] [--manyc M] [--reneg-sec S] [--seconds N]"; }
MINUTES=1 SECS='' CLIENTS=4 MANY=20 RENEG=3
while [ $# -gt 0 ]; do
	case $1 in
	--minutes) MINUTES=${2:-x}; shift 2 || shift ;;
	--seconds) SECS=${2:-x}; shift 2 || shift ;;	# short runs while developing
	--clients) CLIENTS=${2:-x}; shift 2 || shift ;;
	--manyc) MANY=${2:-x}; shift 2 || shift ;;
	--reneg-sec) RENEG=${2:-x}; shift 2 || shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
for v in "$MINUTES" "${SECS:-0}" "$CLIENTS" "$MANY" "$RENEG"; do
	[[ $v =~ ^[0-9]+$ ]] || { usage >&2; exit 2; }
done
SECS=${SECS:-$(( MINUTES * 60 ))}
[ "$SECS" -ge 30 ] && [ "$CLIENTS" -ge 1 ] && [ "$CLIENTS" -le 50 ] && [ "$MANY" -ge 1 ] &&
	[ "$MANY" -le 200 ] && [ "$RENEG" -ge 2 ] || {
	echo "soak: at least 30 s, 1..50 slots, 1..200 manyc sessions, reneg-sec >= 2" >&2; exit 2; }

# RSS may grow by max(RSS_TOL_KB, RSS_TOL_PCT % of the baseline) between baseline and end.
# Not 0: glibc keeps freed chunks in its bins and the server calls malloc_trim only when a
# storm of first handshakes ends, so what renegotiations and departures free stays resident;
# measured here (manyc waves, malloc_stats through gdb) the heap's in-use bytes are flat from
# the third wave on while RSS at quiet moments wanders by ~0.5 MB with no trend, and after
# this warm-up 5-minute runs ended at -72..+332 kB. A leak shows once it exceeds the
# tolerance: tolerance / connects bytes a connect, printed with the figures (~2.5 kB for
# UDP in 5 minutes, ~12x finer in an hour).
RSS_TOL_KB=1024
RSS_TOL_PCT=10
HOLD=$(( 3 * RENEG + 1 ))	# a client stays up across three renegotiations
XFER=262144			# bytes echoed through the tunnel per client cycle
PINGS=10
# Server log lines at level error/warning that a soak may produce: none so far. An entry is an
# extended regex matched against the text after "warning: " or "error: ".
EXPECTED_LOG=()

ovpn_need
t_need_built "$MANYC" "manyc helper"
NS_S=$(t_netns) || t_fail "cannot create network namespaces"
declare -a NSC
for i in $(seq 0 "$CLIENTS"); do	# 0: manyc; 1..K: client slots
	NSC[$i]=$(t_netns) &&
	ip link add vs$i netns "$NS_S" type veth peer name vc$i netns "${NSC[$i]}" &&
	ip -n "$NS_S" addr add 10.99.$i.1/24 dev vs$i && ip -n "$NS_S" link set vs$i up &&
	ip -n "${NSC[$i]}" addr add 10.99.$i.2/24 dev vc$i && ip -n "${NSC[$i]}" link set vc$i up ||
		t_fail "cannot create namespace $i and its veth pair"
done
ovpn_pki

server_conf() {	# PROTO POOL
	cat <<-EOF
	port 1194
	proto $1
	dev tun
	topology subnet
	server $2 255.255.255.0
	ca $PKI/ca.crt
	cert $PKI/server.crt
	key $PKI/server.key
	dh none
	tls-crypt $PKI/tc.key
	duplicate-cn
	keepalive 2 10
	status $T_TMP/$1.status 1
	status-version 2
	EOF
}
server_conf udp 10.8.0.0 > "$T_TMP/udp.conf"
server_conf tcp 10.9.0.0 > "$T_TMP/tcp.conf"
ovpn_start_burrow_server "$NS_S" "$T_TMP/udp.conf" udp || t_fail "the burrow UDP server does not start"
ovpn_start_burrow_server "$NS_S" "$T_TMP/tcp.conf" tcp || t_fail "the burrow TCP server does not start"
declare -A SPID
SPID[udp]=$(cat "$T_TMP/udp.pid")
SPID[tcp]=$(cat "$T_TMP/tcp.pid")

# The far end of every client's transfer: a TCP echo server on both tunnel addresses.
cat > "$T_TMP/echo.py" <<'EOF'
import socket, threading
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("0.0.0.0", 5000)); ls.listen(64)
open(__file__ + ".ready", "w").close()
def serve(c):
    c.settimeout(30)
    try:
        while True:
            d = c.recv(65536)
            if not d: break
            c.sendall(d)
    except OSError:
        pass
    c.close()
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
# Sends N random bytes while reading them back; exit 0 when all came back unchanged.
cat > "$T_TMP/xfer.py" <<'EOF'
import os, socket, sys, threading
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = os.urandom(n)
s = socket.create_connection((addr, port), timeout=15)
def send():
    s.sendall(data); s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send); t.start()
got = bytearray()
while True:
    d = s.recv(65536)
    if not d: break
    got += d
t.join()
sys.exit(0 if bytes(got) == data else 1)
EOF
t_bg ip netns exec "$NS_S" python3 "$T_TMP/echo.py"
t_wait_for 5 test -e "$T_TMP/echo.py.ready" || t_fail "the echo server does not start"

# Half of the cycles go to the TCP server: manyc's waves load the UDP one.
KINDS=(burrow-udp burrow-tcp openvpn-udp openvpn-tcp openvpn-udp-silent burrow-tcp)
client_conf() {	# SLOT KIND
	local proto=udp
	case $2 in *tcp*) proto=tcp ;; esac
	cat <<-EOF
	client
	dev tun
	proto $proto
	remote 10.99.$1.1 1194
	nobind
	ca $PKI/ca.crt
	cert $PKI/client.crt
	key $PKI/client.key
	remote-cert-tls server
	tls-crypt $PKI/tc.key
	reneg-sec $RENEG
	connect-retry 1
	verb 3
	EOF
	[ "$2" = openvpn-udp ] && echo "explicit-exit-notify 1"
	true
}

# cycle SLOT N PREFIX: one client's life; appends a result line to $T_TMP/PREFIX.SLOT:
#   "ok KIND BYTES" or "FAIL KIND c.SLOT.N: why" (its log kept as c.SLOT.N.log).
cycle() {
	local slot=$1 n=$2 kind=${KINDS[$(( ($1 - 1 + $2) % ${#KINDS[@]} ))]}
	local ns=${NSC[$1]} tag=c.$1.$2 gw=10.8.0.1 pat="Initialization Sequence Completed"
	local log=$T_TMP/$tag.log pid t_up recv rc why='' bytes=0
	case $kind in *tcp*) gw=10.9.0.1 ;; esac
	client_conf "$slot" "$kind" > "$T_TMP/$tag.conf"
	if [ "${kind%%-*}" = burrow ]; then
		ip netns exec "$ns" "$BURROW" -v client "$T_TMP/$tag.conf" >"$log" 2>&1 &
		pat="tunnel up"
	else
		ip netns exec "$ns" openvpn --config "$T_TMP/$tag.conf" --log "$log" >/dev/null 2>&1 &
	fi
	pid=$!
	if ! t_wait_for 30 grep -q "$pat" "$log"; then
		why="no tunnel within 30 s"
	else
		t_up=$SECONDS
		recv=$(ip netns exec "$ns" ping -c $PINGS -i 0.2 -W 2 $gw 2>&1 |
			sed -nE 's/.* ([0-9]+) received.*/\1/p')
		bytes=$(( ${recv:-0} * 84 * 2 ))
		[ "${recv:-0}" -ge $(( PINGS - 2 )) ] || why="pings: ${recv:-0}/$PINGS answered"
		if timeout 30 ip netns exec "$ns" python3 "$T_TMP/xfer.py" $gw 5000 $XFER; then
			bytes=$(( bytes + 2 * XFER ))
		else
			why="${why:+$why; }TCP echo of $XFER bytes failed"
		fi
		while [ $(( SECONDS - t_up )) -lt $HOLD ] && kill -0 $pid 2>/dev/null; do sleep 0.5; done
		kill -0 $pid 2>/dev/null || why="${why:+$why; }client died while up"
	fi
	kill -TERM $pid 2>/dev/null
	for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	kill -0 $pid 2>/dev/null && { why="${why:+$why; }did not exit within 10 s of SIGTERM"; kill -9 $pid; }
	wait $pid
	rc=$?
	[ -n "$why" ] || [ $rc = 0 ] || why="exit status $rc after SIGTERM"
	if [ -z "$why" ]; then
		echo "ok $kind $bytes" >> "$T_TMP/$3.$slot"
		rm -f "$log" "$T_TMP/$tag.conf"
	else
		echo "FAIL $kind $tag: $why" >> "$T_TMP/$3.$slot"
	fi
}

# wave N PREFIX: one manyc run (M sessions: connect, 5 echoes, hold across renegotiations, exit).
wave() {
	local out=$T_TMP/m.$1.out rc
	timeout $(( 40 + HOLD )) ip netns exec "${NSC[0]}" "$MANYC" -t 10.99.0.1:1194 -p "$PKI" \
		--tls-crypt "$PKI/tc.key" -n "$MANY" -e 5 -c 20 -H "$HOLD" -R "$RENEG" >"$out" 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		echo "ok manyc $(( MANY * 5 * 84 * 2 ))" >> "$T_TMP/$2.m"
		rm -f "$out"
	else
		echo "FAIL manyc m.$1: exit $rc: $(grep -E 'connected|failures|echoes|still' "$out" | tr '\n' ' ')" \
			>> "$T_TMP/$2.m"
	fi
}

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
clients_listed() { grep -c '^CLIENT_LIST' "$T_TMP/$1.status" 2>/dev/null; }
# Every client gone from both servers (exit notifications, TCP closes, keepalive timeouts),
# then 3 s more: the trim timer and the status rewrite have run.
drain() {
	t_wait_for "$1" sh -c "[ \"\$(grep -c '^CLIENT_LIST' $T_TMP/udp.status)\" = 0 ] &&
		[ \"\$(grep -c '^CLIENT_LIST' $T_TMP/tcp.status)\" = 0 ]" || return 1
	sleep 3
}

# run_phase SECONDS FIRST PREFIX: every slot and the manyc generator loop until SECONDS from
# now (a cycle or wave begun before then runs to its end), numbering their cycles from FIRST;
# results in $T_TMP/PREFIX.*. Slot i's cycle n is kind (i-1+n) mod 6: every slot goes
# through every kind.
run_phase() {
	local end=$(( SECONDS + $1 )) p i loopers=()
	for i in $(seq 1 "$CLIENTS"); do
		( n=$2; while [ $SECONDS -lt $end ]; do cycle "$i" $n "$3"; n=$((n + 1)); done ) &
		loopers+=($!)
	done
	( n=$2; while [ $SECONDS -lt $end ]; do wave $n "$3"; n=$((n + 1)); done ) &
	loopers+=($!)
	T_PIDS+=("${loopers[@]}")
	for p in "${loopers[@]}"; do wait "$p"; done
}
sampler() {	# every 2 s: "SECONDS RSS_KB FDS" of each server
	local s r
	while :; do
		for s in udp tcp; do
			r=$(rss "${SPID[$s]}")
			echo "$SECONDS ${r:-dead} $(fds "${SPID[$s]}")" >> "$T_TMP/samples.$s"
		done
		sleep 2
	done
}

# ---- warm-up: the same load for a fifth of the run (30..60 s), then every client is gone
# and the baseline is taken. Not after a single wave: glibc's heap grows to its working set
# over the first few waves (malloc_stats: in-use bytes flat from the third manyc wave on,
# the arenas' size too) and a baseline taken before that reads as a 1-1.5 MB "leak". ----
t0=$SECONDS
WARM=$(( SECS / 5 )); [ $WARM -lt 30 ] && WARM=30; [ $WARM -gt 60 ] && WARM=60
sampler &
spl=$!
T_PIDS+=("$spl")
run_phase $WARM 0 w
w_fail=$(cat "$T_TMP"/w.* 2>/dev/null | grep -c '^FAIL')
t_check "warm-up ($(( SECONDS - t0 )) s): every client cycle and manyc wave succeeded ($w_fail failed)" \
	test "$w_fail" = 0
grep -h '^FAIL' "$T_TMP"/w.* 2>/dev/null | sed 's/^/    /'
drain 40 || t_bad "warm-up: the servers still list clients 40 s after they left"
declare -A RSS0 FD0 C0 R0
for s in udp tcp; do
	RSS0[$s]=$(rss "${SPID[$s]}")
	FD0[$s]=$(fds "${SPID[$s]}")
	C0[$s]=$(grep -c "connected from" "$T_TMP/$s.log")
	R0[$s]=$(grep -c "renegotiated, key id" "$T_TMP/$s.log")
	echo "    $s server baseline: RSS ${RSS0[$s]} kB, ${FD0[$s]} descriptors," \
		"after ${C0[$s]} connects and ${R0[$s]} renegotiations"
done
[ -n "${RSS0[udp]}" ] && [ -n "${RSS0[tcp]}" ] || t_fail "a server is gone after the warm-up"

# ---- the soak: the rest of the run, then every client leaves ----
t1=$SECONDS
run_phase $(( SECS - (t1 - t0) )) 1000 r
elapsed=$(( SECONDS - t0 ))
drain 40 || t_bad "the servers still list clients 40 s after the last one left"
kill "$spl" 2>/dev/null; wait "$spl" 2>/dev/null

# ---- verdicts ----
results=$(cat "$T_TMP"/r.* 2>/dev/null)
n_ok=$(grep -c '^ok' <<< "$results")
n_fail=$(grep -c '^FAIL' <<< "$results")
bytes=$(cat "$T_TMP"/[wr].* 2>/dev/null | awk '$1 == "ok" { b += $3 } END { print b + 0 }')
t_check "soak ($(( elapsed - (t1 - t0) )) s after the baseline): all $(( n_ok + n_fail )) client cycles and manyc waves succeeded ($n_fail failed)" \
	test "$n_fail" = 0
grep -h '^FAIL' "$T_TMP"/[wr].* 2>/dev/null | head -20 | sed 's/^/    /'
for f in $(grep -h '^FAIL' "$T_TMP"/[wr].* 2>/dev/null | sed -nE 's/^FAIL [^ ]+ (c\.[0-9]+\.[0-9]+):.*/\1/p' | head -3); do
	echo "    --- $f.log (last lines)"; tail -15 "$T_TMP/$f.log" 2>/dev/null | sed 's/^/    /'
done
for f in $(grep -h '^FAIL' "$T_TMP"/[wr].* 2>/dev/null | sed -nE 's/^FAIL manyc (m\.[0-9]+):.*/\1/p' | head -2); do
	echo "    --- $f.out"; sed 's/^/    /' "$T_TMP/$f.out" 2>/dev/null
done

connects=0 renegs=0 figs=''
for s in udp tcp; do
	pid=${SPID[$s]} log=$T_TMP/$s.log
	alive=no; kill -0 "$pid" 2>/dev/null && alive=yes
	t_check "$s server is alive after $elapsed s" test $alive = yes
	rss1=$(rss "$pid"); fd1=$(fds "$pid")
	max=$(awk '$2 != "dead" && $2 > m { m = $2 } END { print m + 0 }' "$T_TMP/samples.$s" 2>/dev/null)
	c=$(grep -c "connected from" "$log"); r=$(grep -c "renegotiated, key id" "$log")
	connects=$((connects + c)); renegs=$((renegs + r))
	c=$((c - C0[$s])); r=$((r - R0[$s]))	# since the baseline
	tol=$(( RSS0[$s] * RSS_TOL_PCT / 100 )); [ $tol -lt $RSS_TOL_KB ] && tol=$RSS_TOL_KB
	if [ $alive = yes ]; then
		t_check "$s server RSS ${RSS0[$s]} kB -> $rss1 kB over $c connects (growth $(( rss1 - RSS0[$s] )) kB, at most $tol kB)" \
			test $(( rss1 - RSS0[$s] )) -le $tol
		t_check "$s server descriptors back to the baseline (${FD0[$s]} -> $fd1)" test "$fd1" = "${FD0[$s]}"
	fi
	t_check "$s server: clients renegotiated ($r renegotiations >= 2 x $c connects)" test "$r" -ge $((2 * c))
	# error and warning lines, less the expected ones
	grep -E '^([0-9:.]+ )?(error|warning): ' "$log" > "$T_TMP/$s.bad"
	for e in "${EXPECTED_LOG[@]}"; do
		grep -vE "(error|warning): $e" "$T_TMP/$s.bad" > "$T_TMP/$s.bad2"; mv "$T_TMP/$s.bad2" "$T_TMP/$s.bad"
	done
	t_check "$s server logged no unexpected error or warning line ($(wc -l < "$T_TMP/$s.bad"))" \
		test ! -s "$T_TMP/$s.bad"
	sed -E 's/^[0-9:.]+ //' "$T_TMP/$s.bad" | sort | uniq -c | sort -rn | head -10 | sed 's/^/    /'
	figs="$figs; $s server: RSS baseline/end/max ${RSS0[$s]}/${rss1:-dead}/$max kB, fds baseline/end ${FD0[$s]}/${fd1:-dead}, $c connects after the baseline (a leak of $(( tol * 1024 / (c > 0 ? c : 1) )) bytes each would show)"
	[ $alive = yes ] && t_check "$s server exits 0 on SIGTERM" ovpn_stop $s
done
echo "soak: figures: ${elapsed} s ($(( t1 - t0 )) s warm-up), $CLIENTS client slots + $MANY manyc sessions a wave, reneg-sec $RENEG;" \
	"$connects connects, $renegs renegotiations, $bytes bytes through the tunnels," \
	"$n_ok cycles and waves after the baseline, $n_fail failed$figs"
if [ -n "${SOAK_KEEP:-}" ]; then
	mkdir -p "$SOAK_KEEP" && cp "$T_TMP"/{udp,tcp}.log "$T_TMP"/samples.* "$T_TMP"/[wr].* "$SOAK_KEEP"/ &&
		echo "    logs, samples and results kept in $SOAK_KEEP"
fi
t_done
