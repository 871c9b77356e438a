# Shared setup for interop tests against the real openvpn 2.6: PKI, two namespaces joined by a
# veth, config writers, start/wait helpers, and traffic checks (ping + TCP transfer checksum).
# Source after lib.sh. Roles are swappable: ovpn_start_openvpn / ovpn_start_burrow run either
# program with a config in a namespace, so a server test uses the same pieces turned around.
#
#   . "$(dirname "$0")/lib.sh"; . "$(dirname "$0")/ovpn_lib.sh"
#   ovpn_setup                      # namespaces $NS_S (server, 10.99.0.1) and $NS_C (10.99.0.2)
#   ovpn_pki                        # $PKI/{ca.crt,server.*,client.*,tc.key,ta.key,v2*.key}
#   ovpn_server_conf > $T_TMP/s.conf  (base lines; append variants)
#   ovpn_start_openvpn $NS_S $T_TMP/s.conf s
#   ovpn_client_conf > $T_TMP/c.conf
#   ovpn_start_burrow $NS_C client $T_TMP/c.conf c && ovpn_traffic $NS_C 10.8.0.1 $NS_S 10.8.0.2

OVPN_S_ADDR=10.99.0.1
OVPN_C_ADDR=10.99.0.2
PKI=$T_TMP/pki

ovpn_need() {
	t_need_root
	t_need openvpn
	t_need openssl
	t_need python3
	t_need ping
	t_need_built "$BURROW" "burrow binary"
	[ -c /dev/net/tun ] || t_skip "needs /dev/net/tun"
}

# Two namespaces on one veth: server side $NS_S, client side $NS_C.
ovpn_setup() {
	NS_S=$(t_netns) && NS_C=$(t_netns) || t_fail "cannot create network namespaces"
	t_netns_pair "$NS_C" "$NS_S" "$OVPN_C_ADDR" "$OVPN_S_ADDR" || t_fail "cannot create a veth pair"
}

# A throw-away PKI with the openssl CLI (EC keys: fast) and the static keys.
ovpn_pki() {
	mkdir -p "$PKI" && (
		cd "$PKI" || exit 1
		cat > pki.cnf <<-'EOF'
		[ req ]
		distinguished_name = dn
		prompt = no
		[ dn ]
		CN = Test-CA
		[ v3_ca ]
		basicConstraints = critical,CA:TRUE
		keyUsage = critical,keyCertSign,cRLSign
		subjectKeyIdentifier = hash
		[ v3_server ]
		basicConstraints = CA:FALSE
		keyUsage = critical,digitalSignature
		extendedKeyUsage = serverAuth
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid
		[ v3_client ]
		basicConstraints = CA:FALSE
		keyUsage = critical,digitalSignature
		extendedKeyUsage = clientAuth
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid
		EOF
		ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
		openssl req -x509 $ec -keyout ca.key -out ca.crt -days 30 -config pki.cnf \
			-extensions v3_ca -subj /CN=Test-CA &&
		openssl req $ec -keyout server.key -out server.csr -subj /CN=server &&
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-out server.crt -days 30 -extfile pki.cnf -extensions v3_server &&
		openssl req $ec -keyout client.key -out client.csr -subj /CN=client1 &&
		openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-out client.crt -days 30 -extfile pki.cnf -extensions v3_client &&
		openvpn --genkey tls-crypt tc.key &&
		openvpn --genkey tls-auth ta.key &&
		openvpn --genkey tls-crypt-v2-server v2srv.key &&
		openvpn --genkey tls-crypt-v2-client v2cli.key --tls-crypt-v2 v2srv.key
	) >"$T_TMP/pki.log" 2>&1 || { cat "$T_TMP/pki.log"; t_fail "cannot make the test PKI (log above)"; }
}

# Base server config (UDP, TUN, subnet, tls-crypt); callers append or override lines.
ovpn_server_conf() {
	cat <<-EOF
	port 1194
	proto ${OVPN_PROTO:-udp}
	local $OVPN_S_ADDR
	dev ${OVPN_DEV:-tun}
	topology subnet
	server 10.8.0.0 255.255.255.0
	ca $PKI/ca.crt
	cert $PKI/server.crt
	key $PKI/server.key
	dh none
	keepalive 2 20
	verb 3
	EOF
}

# Base client profile for the same server (OVPN_NOBIND="" drops nobind).
ovpn_client_conf() {
	cat <<-EOF
	client
	dev ${OVPN_DEV:-tun}
	proto ${OVPN_PROTO:-udp}
	remote $OVPN_S_ADDR 1194
	${OVPN_NOBIND-nobind}
	ca $PKI/ca.crt
	cert $PKI/client.crt
	key $PKI/client.key
	remote-cert-tls server
	connect-retry 1
	verb 3
	EOF
}

# ovpn_wait_log FILE PATTERN SECONDS: waits for PATTERN to appear in FILE.
ovpn_wait_log() { t_wait_for "$3" grep -qE -- "$2" "$1"; }

# ovpn_start_openvpn NS CONF NAME: runs the real openvpn; log in $T_TMP/NAME.log.
ovpn_start_openvpn() {
	t_bg ip netns exec "$1" openvpn --config "$2" --log "$T_TMP/$3.log" --writepid "$T_TMP/$3.pid"
	if ! ovpn_wait_log "$T_TMP/$3.log" "Initialization Sequence Completed" 15; then
		echo "openvpn ($3) did not start:"; sed 's/^/    /' "$T_TMP/$3.log"
		return 1
	fi
}

# ovpn_start_burrow NS CMD CONF NAME [ARGS...]: runs `burrow -v CMD CONF ARGS`; waits for the
# tunnel; log in $T_TMP/NAME.log; its pid in $T_TMP/NAME.pid. CMD is split on spaces
# ("client --config").
ovpn_start_burrow() {
	local ns=$1 cmd=$2 conf=$3 name=$4
	shift 4
	# shellcheck disable=SC2086
	ip netns exec "$ns" "$BURROW" -v $cmd "$conf" "$@" >"$T_TMP/$name.log" 2>&1 &
	T_PIDS+=($!)
	echo $! > "$T_TMP/$name.pid"
	if ! ovpn_wait_log "$T_TMP/$name.log" "tunnel up" 20; then
		echo "burrow $cmd ($name) did not bring the tunnel up:"; sed 's/^/    /' "$T_TMP/$name.log"
		return 1
	fi
}

# ovpn_stop NAME: SIGTERM to a program started above; waits up to 5 s; returns its status.
ovpn_stop() {
	local pid rc
	pid=$(cat "$T_TMP/$1.pid" 2>/dev/null) || return 1
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	wait "$pid" 2>/dev/null
	rc=$?
	return $rc
}

# ovpn_ping NS ADDR: three pings through the tunnel (-6 chosen from the address).
ovpn_ping() {
	local six=
	case $2 in *:*) six=-6 ;; esac
	ip netns exec "$1" ping $six -c 3 -i 0.2 -W 3 "$2" >"$T_TMP/ping.out" 2>&1
}

# ovpn_xfer SRC_NS DST_NS DST_ADDR PORT BYTES: a TCP transfer of random bytes from SRC to a
# receiver in DST; passes when the SHA-256 on both ends match.
ovpn_xfer() {
	local src=$1 dst=$2 addr=$3 port=$4 bytes=$5 out=$T_TMP/xfer.$$.$RANDOM
	ip netns exec "$dst" python3 -c '
import hashlib, socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); s.settimeout(15)
open(sys.argv[3] + ".ready", "w").close()
c, _ = s.accept(); c.settimeout(15); h = hashlib.sha256(); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    h.update(d); n += len(d)
open(sys.argv[3] + ".recv", "w").write("%d %s\n" % (n, h.hexdigest()))
' "$addr" "$port" "$out" &
	local rpid=$!
	t_wait_for 5 test -e "$out.ready" || { kill $rpid 2>/dev/null; return 1; }
	ip netns exec "$src" python3 -c '
import hashlib, os, socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
data = os.urandom(int(sys.argv[3]))
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=15)
s.sendall(data); s.shutdown(socket.SHUT_WR); s.recv(1); s.close()
open(sys.argv[4] + ".sent", "w").write("%d %s\n" % (len(data), hashlib.sha256(data).hexdigest()))
' "$addr" "$port" "$bytes" "$out" || { kill $rpid 2>/dev/null; return 1; }
	wait $rpid || return 1
	cmp -s "$out.sent" "$out.recv"
}

# ovpn_traffic C_NS C_PEER S_NS S_PEER: ping both ways and a 1 MB TCP transfer each way.
# C_PEER is the server's tunnel address (seen from the client) and S_PEER the client's.
ovpn_traffic() {
	t_check "ping client -> server through the tunnel" ovpn_ping "$1" "$2"
	t_check "ping server -> client through the tunnel" ovpn_ping "$3" "$4"
	t_check "TCP 1 MB client -> server, checksums match" ovpn_xfer "$1" "$3" "$2" 5001 1048576
	t_check "TCP 1 MB server -> client, checksums match" ovpn_xfer "$3" "$1" "$4" 5002 1048576
}

# ovpn_client_case "SERVER_LINES" "CLIENT_LINES": the whole client interop case: namespaces,
# PKI, openvpn server with the base config + SERVER_LINES, burrow client with the base profile
# + CLIENT_LINES, then traffic both ways (10.8.0.1 <-> 10.8.0.2). Returns 1 if the tunnel
# never came up (the failure is already counted).
ovpn_client_case() {
	ovpn_need
	ovpn_setup
	ovpn_pki
	{ ovpn_server_conf; printf '%s\n' "$1"; } > "$T_TMP/s.conf"
	{ ovpn_client_conf; printf '%s\n' "$2"; } > "$T_TMP/c.conf"
	if ! ovpn_start_openvpn "$NS_S" "$T_TMP/s.conf" server; then
		t_bad "openvpn server starts"
		return 1
	fi
	if ! ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client; then
		t_bad "burrow client brings the tunnel up"
		sed 's/^/    server: /' "$T_TMP/server.log" | tail -20
		return 1
	fi
	t_ok "burrow client brings the tunnel up"
	ovpn_traffic "$NS_C" 10.8.0.1 "$NS_S" 10.8.0.2
}

# ovpn_client_exit: SIGTERM the client; it must exit 0 and remove its device.
ovpn_client_exit() {
	local dev
	dev=$(sed -nE 's/.*tunnel up: device ([a-z0-9]+).*/\1/p' "$T_TMP/client.log" | head -1)
	t_check "client exits 0 on SIGTERM" ovpn_stop client
	t_check "client logs that it exits" grep -q "exiting" "$T_TMP/client.log"
	t_check "client's device $dev is gone" sh -c "! ip -n $NS_C link show $dev >/dev/null 2>&1"
	[ -z "${OVPN_SHOW:-}" ] || sed 's/^/    client: /' "$T_TMP/client.log"
}

# ovpn_start_burrow_server NS CONF NAME [ARGS...]: runs `burrow -v server CONF`; waits until it
# is ready (device up, listening); log in $T_TMP/NAME.log.
ovpn_start_burrow_server() {
	local ns=$1 conf=$2 name=$3
	shift 3
	ip netns exec "$ns" "$BURROW" -v server "$conf" "$@" >"$T_TMP/$name.log" 2>&1 &
	T_PIDS+=($!)
	echo $! > "$T_TMP/$name.pid"
	if ! ovpn_wait_log "$T_TMP/$name.log" "server ready" 10; then
		echo "burrow server ($name) did not start:"; sed 's/^/    /' "$T_TMP/$name.log"
		return 1
	fi
}

# ovpn_server_case "SERVER_LINES" "CLIENT_LINES": the server interop case, roles turned around:
# burrow server with the base config + SERVER_LINES, the real openvpn client with the base
# profile + CLIENT_LINES, then traffic both ways (10.8.0.2 <-> 10.8.0.1).
ovpn_server_case() {
	ovpn_need
	ovpn_setup
	ovpn_pki
	{ ovpn_server_conf; printf '%s\n' "$1"; } > "$T_TMP/s.conf"
	{ ovpn_client_conf; printf '%s\n' "$2"; } > "$T_TMP/c.conf"
	if ! ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server; then
		t_bad "burrow server starts"
		return 1
	fi
	t_ok "burrow server starts"
	if ! ovpn_start_openvpn "$NS_C" "$T_TMP/c.conf" client; then
		t_bad "openvpn client connects to the burrow server"
		sed 's/^/    server: /' "$T_TMP/server.log" | tail -30
		return 1
	fi
	t_ok "openvpn client connects to the burrow server"
	ovpn_traffic "$NS_C" 10.8.0.1 "$NS_S" 10.8.0.2
}
