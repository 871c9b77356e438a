# Shared pieces of the impairment tests (source after lib.sh and ovpn_lib.sh): the impairing
# UDP relay (tests/netns/impair) runs in the server's namespace on a second address,
# $IMP_ADDR:1194, and forwards to the server at $OVPN_S_ADDR:1194; clients use
# imp_client_conf, whose remote is the relay.
IMPAIR=${IMPAIR:-$(dirname "$BURROW")/../tests/netns/impair}
IMP_ADDR=10.99.0.3

imp_need() {
	t_need_built "$IMPAIR" "impair helper"
}

# imp_start ARGS...: starts the relay with impairment ARGS (-L loss -D dup -R reorder ...).
imp_start() {
	ip -n "$NS_S" addr add "$IMP_ADDR/24" dev v1 2>/dev/null
	ip netns exec "$NS_S" "$IMPAIR" -l "$IMP_ADDR:1194" -s "$OVPN_S_ADDR:1194" -t 120 "$@" \
		>"$T_TMP/impair.out" 2>&1 &
	T_PIDS+=($!)
	IMP_PID=$!
	t_wait_for 5 grep -q ready "$T_TMP/impair.out"
}

# imp_stop: ends the relay and shows its summary line.
imp_stop() {
	kill -TERM "$IMP_PID" 2>/dev/null
	wait "$IMP_PID" 2>/dev/null
	grep -v ready "$T_TMP/impair.out" | sed 's/^/    /'
}

# imp_client_conf: the base client profile, pointed at the relay.
imp_client_conf() { ovpn_client_conf | sed "s/^remote .*/remote $IMP_ADDR 1194/"; }

# imp_pings NS ADDR COUNT MIN DESC: COUNT pings through the impaired tunnel; passes when at
# least MIN are answered.
imp_pings() {
	local got
	ip netns exec "$1" ping -c "$3" -i 0.1 -W 1 "$2" >"$T_TMP/imp.ping" 2>&1
	got=$(sed -nE 's/.* ([0-9]+) received.*/\1/p' "$T_TMP/imp.ping")
	t_check "$5 (${got:-0}/$3 answered, want >= $4)" test "${got:-0}" -ge "$4"
}

# imp_did_impair: the relay really dropped, duplicated and reordered packets (else the test
# proved nothing). Asks the relay for its counters (SIGUSR2).
imp_did_impair() {
	kill -USR2 "$IMP_PID" 2>/dev/null
	t_wait_for 2 grep -q "lost" "$T_TMP/impair.out"
	local line
	line=$(grep "lost" "$T_TMP/impair.out" | tail -1)
	echo "    $line"
	echo "$line" | awk '{ for (i = 1; i < NF; i++) if ($i == "lost" || $i == "dup" || $i == "reordered") s[$i] += $(i + 1) }
		END { exit !(s["lost"] > 0 && s["dup"] > 0 && s["reordered"] > 0) }'
}
