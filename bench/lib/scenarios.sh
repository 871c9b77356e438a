# Each scenario: fresh namespaces, start the daemons, wait for the tunnel, measure.
# start_* sets DST (the server side's address as seen from the client namespace) and DAEMONS.

ovpn_server_conf() {	# $1 = extra lines
	cat <<CONF
port 1194
proto udp
local $SRV_IP
dev tun
topology subnet
server 10.8.0.0 255.255.255.0
ca $PKI/ca.crt
cert $PKI/server.crt
key $PKI/server.key
dh none
tls-crypt $PKI/tc.key
data-ciphers AES-256-GCM
keepalive 10 60
disable-dco
verb 1
${1:-}
CONF
}
ovpn_client_conf() {
	cat <<CONF
client
dev tun
proto udp
remote $SRV_IP 1194
nobind
ca $PKI/ca.crt
cert $PKI/client.crt
key $PKI/client.key
remote-cert-tls server
tls-crypt $PKI/tc.key
data-ciphers AES-256-GCM
disable-dco
verb 1
CONF
}

# wait_udp_port NS PORT: until something listens on the UDP port (at most 10 s).
wait_udp_port() { local n=200; while [ $n -gt 0 ]; do
	ip netns exec "$1" ss -Hlun "sport = :$2" | grep -q . && return 0; sleep 0.05; n=$((n - 1)); done; return 1; }

start_server() {	# $1 = openvpn|burrow
	ovpn_server_conf > "$TMP/server.conf"
	if [ "$1" = openvpn ]; then
		bg_s openvpn --config "$TMP/server.conf" --log "$TMP/server.log"
	else
		bg_s "$BURROW" -q server "$TMP/server.conf"
	fi
	SRV_PID=${PIDS[-1]}
	wait_udp_port "$NS_S" 1194
}
start_client() {
	ovpn_client_conf > "$TMP/client.conf"
	if [ "$1" = openvpn ]; then
		bg_c openvpn --config "$TMP/client.conf" --log "$TMP/client.log"
	else
		bg_c "$BURROW" -q client "$TMP/client.conf"
	fi
	CLI_PID=${PIDS[-1]}
}

# vpn_pair SERVER CLIENT: start both, record the time to the first ping through the tunnel.
vpn_pair() {
	local ms
	start_server "$1" || return 1
	start_client "$2"
	DST=10.8.0.1 DAEMONS="$SRV_PID $CLI_PID" SRVD=$SRV_PID CLID=$CLI_PID
	ms=$(wait_ping "$NS_C" "$DST" 30) || return 1
	csv "$SCEN" start_to_ping_ms 1 "$ms"
}

start_wireguard_go() {
	local ks kc ms t0
	ks=$(wg genkey) kc=$(wg genkey)
	# distinct names: the UAPI socket (/var/run/wireguard/NAME.sock) is not per namespace
	bg_s env WG_PROCESS_FOREGROUND=1 wireguard-go wgs
	bg_c env WG_PROCESS_FOREGROUND=1 wireguard-go wgc
	DAEMONS="${PIDS[-2]} ${PIDS[-1]}" SRVD=${PIDS[-2]} CLID=${PIDS[-1]}
	t0=$(now_us)
	local n=100; while [ $n -gt 0 ] && ! { in_s wg show wgs >/dev/null 2>&1 && in_c wg show wgc >/dev/null 2>&1; }; do sleep 0.02; n=$((n-1)); done
	in_s wg set wgs listen-port 51820 private-key <(echo "$ks") peer "$(echo "$kc" | wg pubkey)" allowed-ips 10.9.0.2/32
	in_c wg set wgc private-key <(echo "$kc") peer "$(echo "$ks" | wg pubkey)" allowed-ips 10.9.0.0/24 endpoint "$SRV_IP:51820"
	in_s ip addr add 10.9.0.1/24 dev wgs; in_s ip link set wgs up
	in_c ip addr add 10.9.0.2/24 dev wgc; in_c ip link set wgc up
	DST=10.9.0.1
	ms=$(wait_ping "$NS_C" "$DST" 30) || return 1
	csv "$SCEN" start_to_ping_ms 1 $(( ($(now_us) - t0) / 1000 ))
}

# ping_stats: 200 pings at 10 ms; CSV avg and p99 in ms.
m_ping() {
	in_c ping -c 200 -i 0.01 -W 1 "$DST" 2>/dev/null | sed -n 's/.*time=\([0-9.]*\) ms/\1/p' > "$TMP/ping"
	[ -s "$TMP/ping" ] || return
	csv "$SCEN" ping_avg_ms "$1" "$(awk '{s+=$1} END {printf "%.3f", s/NR}' "$TMP/ping")"
	csv "$SCEN" ping_p99_ms "$1" "$(sort -n "$TMP/ping" | awk '{a[NR]=$1} END {i=int(NR*0.99); if(i<1)i=1; print a[i]}')"
	csv "$SCEN" ping_loss_pct "$1" "$(awk -v n="$(wc -l < "$TMP/ping")" 'BEGIN {printf "%.1f", (200-n)/2}')"
}

# UDP request-response, 64-byte messages, full round trip (usec).
m_sockperf() {
	in_c timeout $((DUR + 10)) sockperf pp -i "$DST" -p 11111 -m 64 -t "$DUR" --full-rtt > "$TMP/sp" 2>&1
	local p50 p99
	p50=$(sed -n 's/.*percentile 50.000 = *\([0-9.]*\).*/\1/p' "$TMP/sp")
	p99=$(sed -n 's/.*percentile 99.000 = *\([0-9.]*\).*/\1/p' "$TMP/sp")
	[ -n "$p50" ] && csv "$SCEN" udp_rr_p50_us "$1" "$p50"
	[ -n "$p99" ] && csv "$SCEN" udp_rr_p99_us "$1" "$p99"
}

# TCP throughput (Mbit/s) and retransmits; CPU of the daemons during the 1-stream upload.
m_iperf() {
	local rep=$1 p dir flag t0 t1 hz
	hz=$(getconf CLK_TCK)
	for p in 1 4; do for dir in up down; do
		flag=; [ $dir = down ] && flag=-R
		t0="$(cpu_ticks $SRVD) $(cpu_ticks $CLID)"
		in_c timeout $((DUR + 15)) iperf3 -c "$DST" -t "$DUR" -P $p $flag -J > "$TMP/ip.json" 2>/dev/null
		t1="$(cpu_ticks $SRVD) $(cpu_ticks $CLID)"
		python3 - "$TMP/ip.json" "$SCEN" "$rep" "tcp${p}_${dir}" >> "$CSV" <<'PY'
import json, sys
try:
    e = json.load(open(sys.argv[1]))["end"]
except Exception:
    sys.exit(0)
s, name, rep, m = sys.argv[2], sys.argv[2], sys.argv[3], sys.argv[4]
print("%s,%s_mbps,%s,%.1f" % (s, m, rep, e["sum_received"]["bits_per_second"] / 1e6))
print("%s,%s_retrans,%s,%d" % (s, m, rep, e["sum_sent"].get("retransmits", 0)))
PY
		if [ $p = 1 ] && [ $dir = up ] && [ -n "$DAEMONS" ]; then
			set -- $t0; local s0=$1 c0=$2; set -- $t1
			csv "$SCEN" cpu_srv_pct_tcp1 "$rep" "$(awk -v a=$s0 -v b=$1 -v hz=$hz -v d=$DUR 'BEGIN {printf "%.1f", (b-a)*100/hz/d}')"
			csv "$SCEN" cpu_cli_pct_tcp1 "$rep" "$(awk -v a=$c0 -v b=$2 -v hz=$hz -v d=$DUR 'BEGIN {printf "%.1f", (b-a)*100/hz/d}')"
		fi
	done; done
}

# Wake-ups per second of the daemons over 10 s of no traffic, and their resident memory.
m_idle() {
	[ -n "$DAEMONS" ] || return
	local c0 c1
	sleep 1
	c0=$(ctx_switches $DAEMONS); sleep 10; c1=$(ctx_switches $DAEMONS)
	csv "$SCEN" idle_wakeups_per_s 1 "$(awk -v a=$c0 -v b=$c1 'BEGIN {printf "%.2f", (b-a)/10}')"
	csv "$SCEN" rss_srv_kb 1 "$(rss_kb $SRVD)"
	csv "$SCEN" rss_cli_kb 1 "$(rss_kb $CLID)"
}

bench_scenario() {
	SCEN=$1 DST= DAEMONS= SRVD= CLID=
	bench_log "scenario $SCEN"
	bench_netns
	case $SCEN in
	veth) DST=$SRV_IP ;;
	ovpn-ovpn) vpn_pair openvpn openvpn ;;
	wireguard-go) start_wireguard_go ;;
	burrow-burrow|burrow-ovpn|ovpn-burrow)
		if ! "$BURROW" help server >/dev/null 2>&1 || ! "$BURROW" help client >/dev/null 2>&1; then
			bench_log "  skipped: this build of burrow has no client/server yet"
			csv "$SCEN" skipped 1 1; return
		fi
		case $SCEN in
		burrow-burrow) vpn_pair burrow burrow ;;
		burrow-ovpn) vpn_pair openvpn burrow ;;	# burrow client -> OpenVPN server
		ovpn-burrow) vpn_pair burrow openvpn ;;	# OpenVPN client -> burrow server
		esac ;;
	*) echo "bench/run: unknown scenario '$SCEN'" >&2; exit 2 ;;
	esac
	if [ $? -ne 0 ] || [ -z "$DST" ]; then
		bench_log "  tunnel did not come up; see $TMP/*.log"; csv "$SCEN" failed 1 1
		cp "$TMP"/*.log "$OUT/" 2>/dev/null; return
	fi
	bg_s sockperf sr -i "$DST" -p 11111 >/dev/null 2>&1
	bg_s iperf3 -s -B "$DST" >/dev/null 2>&1
	sleep 0.3
	for rep in $(seq 1 "$REPS"); do
		bench_log "  rep $rep/$REPS: ping, sockperf, iperf3"
		m_ping "$rep"; m_sockperf "$rep"; m_iperf "$rep"
	done
	bench_log "  idle wake-ups and memory"
	m_idle
}
