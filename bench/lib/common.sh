# Shared benchmark plumbing: namespaces, cleanup, PKI, measurement helpers.
NS_S="bwb-srv-$$" NS_C="bwb-cli-$$"
SRV_IP=10.77.0.1 CLI_IP=10.77.0.2
TMP=$(mktemp -d /tmp/burrow-bench.XXXXXX)
PIDS=()

bench_cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	PIDS=()
	for ns in "$NS_S" "$NS_C"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}
trap 'bench_cleanup; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

bench_log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
csv() { echo "$1,$2,$3,$4" >> "$CSV"; }

bench_build() {
	BURROW="$root/build-release/src/burrow"
	bench_log "building burrow (release: -O2, LTO)"
	make -C "$root" release >/dev/null 2>&1 || { echo "bench/run: 'make release' failed" >&2; exit 1; }
}

# A fresh pair of namespaces joined by veth, for each scenario.
bench_netns() {
	bench_cleanup
	ip netns add "$NS_S" && ip netns add "$NS_C" || exit 1
	ip -n "$NS_S" link set lo up; ip -n "$NS_C" link set lo up
	ip link add bv0 netns "$NS_S" type veth peer name bv1 netns "$NS_C"
	ip -n "$NS_S" addr add "$SRV_IP/24" dev bv0; ip -n "$NS_C" addr add "$CLI_IP/24" dev bv1
	ip -n "$NS_S" link set bv0 up; ip -n "$NS_C" link set bv1 up
}
in_s() { ip netns exec "$NS_S" "$@"; }
in_c() { ip netns exec "$NS_C" "$@"; }
bg_s() { ip netns exec "$NS_S" "$@" & PIDS+=($!); }
bg_c() { ip netns exec "$NS_C" "$@" & PIDS+=($!); }

# The openvpn/burrow PKI: made once per run with the openssl CLI.
bench_pki() {
	local d="$TMP/pki"
	mkdir -p "$d" && cd "$d" || exit 1
	cat > pki.cnf <<'CNF'
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = bench-ca
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
[ v3_server ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
[ v3_client ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
CNF
	local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
	openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days 30 -config pki.cnf -extensions v3_ca -subj /CN=bench-ca 2>/dev/null
	for who in server client; do
		openssl req "${ec[@]}" -keyout $who.key -out $who.csr -subj /CN=$who 2>/dev/null
		openssl x509 -req -in $who.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out $who.crt -days 30 \
			-extfile pki.cnf -extensions v3_$who 2>/dev/null
	done
	openvpn --genkey tls-crypt tc.key >/dev/null 2>&1 ||
		{ echo "-----BEGIN OpenVPN Static key V1-----"; openssl rand -hex 256 | fold -w32; echo "-----END OpenVPN Static key V1-----"; } > tc.key
	cd - >/dev/null
	PKI="$d"
}

# Microseconds since the epoch.
now_us() { echo $(( $(date +%s%N) / 1000 )); }

# wait_ping NS DST MAX_S: pings every 2 ms until DST answers; prints elapsed ms, or fails.
# One ping process keeps sending (-i 0.002) until the first reply (-c1 with a -w deadline), so
# the figure is not rounded up to a per-ping timeout; while there is no route yet ping fails
# at once and is started again.
wait_ping() {
	local ns=$1 dst=$2 t0 end
	t0=$(now_us)
	end=$(( t0 + $3 * 1000000 ))
	while [ "$(now_us)" -lt $end ]; do
		ip netns exec "$ns" ping -c1 -i 0.002 -w 2 -q "$dst" >/dev/null 2>&1 &&
			{ echo $(( ($(now_us) - t0) / 1000 )); return 0; }
		sleep 0.002
	done
	return 1
}

# cpu_ticks PID...: utime+stime of the processes (all threads), in clock ticks.
cpu_ticks() { local t=0 p; for p in "$@"; do [ -r /proc/$p/stat ] && t=$(( t + $(awk '{print $14+$15}' /proc/$p/stat) )); done; echo $t; }
# ctx_switches PID...: voluntary+involuntary context switches over every thread = wake-ups.
ctx_switches() { local t=0 p f; for p in "$@"; do for f in /proc/$p/task/*/status; do
	t=$(( t + $(awk '/ctxt_switches/ {s+=$2} END {print s+0}' "$f" 2>/dev/null || echo 0) )); done; done; echo $t; }
rss_kb() { local t=0 p; for p in "$@"; do t=$(( t + $(awk '/VmRSS/ {print $2}' /proc/$p/status 2>/dev/null || echo 0) )); done; echo $t; }
