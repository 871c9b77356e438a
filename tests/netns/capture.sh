#!/usr/bin/env bash
# Passive interop check of burrow's codec against real OpenVPN 2.6 traffic: a real openvpn
# server and client in two throw-away namespaces (joined by a veth), the client at verb 9 so
# that it logs its data keys and AEAD IVs; datacap records the UDP packets on the server's
# veth and decodes them with burrow's packet/wrap/data/dpkt code. Every control packet must
# unwrap and parse, every data packet must decrypt (ping or IP), and AEAD packets must
# re-encrypt to openvpn's exact bytes.
. "$(dirname "$0")/lib.sh"

t_need_root
t_need openvpn
t_need openssl
t_need ping
[ -c /dev/net/tun ] || t_skip "needs /dev/net/tun"
DATACAP=${DATACAP:-$(dirname "$BURROW")/../tests/netns/datacap}
t_need_built "$DATACAP" "datacap helper"

S_ADDR=10.98.0.1
C_ADDR=10.98.0.2

# Two namespaces joined by a veth (names recorded for cleanup before anything can fail).
cap_netns() {
	NS_S="bw-capture-$$-s"
	NS_C="bw-capture-$$-c"
	T_NS+=("$NS_S" "$NS_C")
	ip netns add "$NS_S" && ip netns add "$NS_C" || t_fail "cannot create network namespaces"
	ip -n "$NS_S" link set lo up && ip -n "$NS_C" link set lo up &&
		t_netns_pair "$NS_C" "$NS_S" "$C_ADDR" "$S_ADDR" || t_fail "cannot create a veth pair"
}

# EC PKI with the openssl CLI (fast), plus tls-crypt and tls-auth keys.
cap_pki() {
	P=$T_TMP/pki
	mkdir -p "$P" && (
		cd "$P" || exit 1
		ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
		printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
		printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' > s.ext
		printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > c.ext
		openssl req -x509 $ec -keyout ca.key -out ca.crt -days 2 -subj /CN=cap-ca \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" &&
		openssl req $ec -keyout s.key -out s.csr -subj /CN=server &&
		openssl x509 -req -in s.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out s.crt \
			-days 2 -extfile s.ext &&
		openssl req $ec -keyout c.key -out c.csr -subj /CN=client &&
		openssl x509 -req -in c.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out c.crt \
			-days 2 -extfile c.ext &&
		openvpn --genkey tls-crypt tc.key && openvpn --genkey tls-auth ta.key
	) >"$T_TMP/pki.log" 2>&1 || { cat "$T_TMP/pki.log"; t_fail "cannot make the test PKI (log above)"; }
}

# cap_conf ROLE CASE_LINES: the config of one side.
cap_conf() {
	if [ "$1" = server ]; then
		printf '%s\n' "port 1194" "proto udp" "local $S_ADDR" "dev tun" "topology subnet" \
			"server 10.8.0.0 255.255.255.0" "ca $P/ca.crt" "cert $P/s.crt" \
			"key $P/s.key" "dh none" "keepalive 1 10" "verb 3"
	else
		printf '%s\n' "client" "dev tun" "proto udp" "remote $S_ADDR 1194" "nobind" \
			"ca $P/ca.crt" "cert $P/c.crt" "key $P/c.key" "remote-cert-tls server" \
			"connect-retry 1" "verb 9"
	fi
	printf '%s\n' "$2"
}

# cap_key LOG DIR(Outgoing|Incoming) WHAT(CIPHER|HMAC): hex of the logged data-channel key.
cap_key() {
	sed -nE "s/.*$2 Data Channel: $3 KEY: ([0-9a-f ]+).*/\1/p" "$1" | head -1 | tr -d ' '
}

# cap_iv LOG ENCRYPT|DECRYPT: the 8-byte implicit IV (nonce minus the 4-byte packet id).
cap_iv() {
	sed -nE "s/.* $2 IV: ([0-9a-f ]+).*/\1/p" "$1" | head -1 | tr -d ' ' | cut -c9-24
}

# cap_case NAME "SERVER_LINES" "CLIENT_LINES" WRAP CIPHER [AUTH]
cap_case() {
	local name=$1 wrap=$4 cipher=$5 auth=${6:-none} d=$T_TMP/$1
	mkdir -p "$d"
	cap_conf server "$2" > "$d/s.conf"
	cap_conf client "$3" > "$d/c.conf"
	t_bg ip netns exec "$NS_S" "$DATACAP" capture v1 1194 "$d/cap" 40 "$d/ready"
	local cap_pid=$!
	t_wait_for 5 test -e "$d/ready" || { t_bad "$name: capture starts"; return; }
	t_bg ip netns exec "$NS_S" openvpn --config "$d/s.conf" --log "$d/s.log"
	local s_pid=$!
	t_bg ip netns exec "$NS_C" openvpn --config "$d/c.conf" --log "$d/c.log"
	local c_pid=$!
	if ! t_wait_for 20 grep -q "Initialization Sequence Completed" "$d/c.log"; then
		t_bad "$name: openvpn client connects"
		tail -20 "$d/s.log" "$d/c.log" | sed 's/^/    /'
		kill "$c_pid" "$s_pid" "$cap_pid" 2>/dev/null
		wait "$c_pid" "$s_pid" "$cap_pid" 2>/dev/null
		return
	fi
	# -p: a compressible payload, so that compressing peers really compress
	t_check "$name: ping through the openvpn tunnel" \
		ip netns exec "$NS_C" ping -c 4 -i 0.2 -W 3 -s 400 -p a5 10.8.0.1
	sleep 1.5	# one keepalive ping each way (keepalive 1)
	kill "$c_pid" "$s_pid" 2>/dev/null
	wait "$c_pid" "$s_pid" 2>/dev/null
	kill "$cap_pid" 2>/dev/null
	wait "$cap_pid" 2>/dev/null
	# BURROW_CAPTURE_KEEP=DIR keeps the recording (tests/fuzz/seeds-from-capture makes fuzz
	# seeds of real openvpn packets from it).
	[ -n "${BURROW_CAPTURE_KEEP:-}" ] && mkdir -p "$BURROW_CAPTURE_KEEP" &&
		cp "$d/cap" "$BURROW_CAPTURE_KEEP/$name.cap"
	local log=$d/c.log c2s_h s2c_h
	if [ "$auth" = none ]; then
		c2s_h=$(cap_iv "$log" ENCRYPT) s2c_h=$(cap_iv "$log" DECRYPT)
	else
		c2s_h=$(cap_key "$log" Outgoing HMAC) s2c_h=$(cap_key "$log" Incoming HMAC)
	fi
	"$DATACAP" decode "$d/cap" "wrap=$wrap" "cipher=$cipher" "auth=$auth" min_data=3 \
		${CAP_COMP:+"comp=$CAP_COMP"} \
		"c2s_key=$(cap_key "$log" Outgoing CIPHER)" "c2s_hmac=$c2s_h" \
		"s2c_key=$(cap_key "$log" Incoming CIPHER)" "s2c_hmac=$s2c_h" >"$d/decode.out" 2>&1
	local rc=$?
	sed "s/^/    $name: /" "$d/decode.out"
	if [ $rc = 0 ]; then
		t_ok "$name: burrow decodes every captured packet"
	else
		t_bad "$name: burrow decodes every captured packet"
	fi
	if [ -n "${CAP_COMP_REAL:-}" ]; then
		t_check "$name: openvpn's compressed packets decompress, both ways" \
			sh -c "grep -qE '^c2s: .*decompressed [1-9]' '$d/decode.out' &&
			       grep -qE '^s2c: .*decompressed [1-9]' '$d/decode.out'"
	fi
	if [ "$auth" = none ]; then
		t_check "$name: AEAD packets re-encrypt to openvpn's exact bytes, both ways" \
			grep -qE '^c2s: .*re-encrypted [1-9].*' "$d/decode.out"
		t_check "$name: s2c re-encrypted too" grep -qE '^s2c: .*re-encrypted [1-9]' "$d/decode.out"
	fi
}

cap_netns
cap_pki
cap_case gcm-tlscrypt "tls-crypt $P/tc.key" "tls-crypt $P/tc.key" "crypt:$P/tc.key" AES-256-GCM
cap_case chacha-tlsauth "tls-auth $P/ta.key 0
auth SHA256
data-ciphers CHACHA20-POLY1305" "tls-auth $P/ta.key 1
auth SHA256
data-ciphers CHACHA20-POLY1305" "auth:$P/ta.key:SHA256" CHACHA20-POLY1305
cap_case cbc-nowrap "data-ciphers AES-256-CBC:AES-256-GCM
auth SHA256" "data-ciphers AES-256-CBC
auth SHA256" none AES-256-CBC SHA256
# Compression framings (§9.4): stubs, and real LZ4 / LZO that openvpn sends when allowed.
comp_case() {
	CAP_COMP=$2 CAP_COMP_REAL=$3 cap_case "$1" "tls-crypt $P/tc.key
allow-compression yes
$4" "tls-crypt $P/tc.key
allow-compression yes
$4" "crypt:$P/tc.key" AES-256-GCM
}
comp_case stub-v2 compress:stub-v2 "" "compress stub-v2"
comp_case lz4-v2 compress:lz4-v2 1 "compress lz4-v2"
comp_case lz4-v1 compress:lz4 1 "compress lz4"
comp_case lzo comp-lzo:yes 1 "comp-lzo yes"
t_done
