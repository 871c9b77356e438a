#!/usr/bin/env bash
# What a person reads while burrow runs: at the default level each phase of the client is one
# timestamped line (resolving, connecting, TLS, authenticated, tunnel up with address and
# cipher, renegotiated, reconnecting with the reason, exiting) and nothing of the -v detail;
# the server's lines name the device, addresses, clients and signals; `log` and `verb` in a
# config move the output to a dated file at that verbosity.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
ovpn_setup
ovpn_pki
STAMP='^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3} '
{ ovpn_server_conf | grep -v '^verb'; echo "reneg-sec 3"; echo "log $T_TMP/srv.log"; echo "verb 4"; } \
	> "$T_TMP/s.conf"
{ ovpn_client_conf | grep -v '^verb'; echo "explicit-exit-notify 1"; } > "$T_TMP/c.conf"

ip netns exec "$NS_S" "$BURROW" server "$T_TMP/s.conf" > "$T_TMP/s.err" 2>&1 &
SP=$!; T_PIDS+=($SP)
t_check "server: ready line in its log file" \
	ovpn_wait_log "$T_TMP/srv.log" "server ready: device tun[0-9]+ 10\.8\.0\.1/24, a pool of [0-9]+ client addresses" 10
ip netns exec "$NS_C" "$BURROW" client "$T_TMP/c.conf" > "$T_TMP/c.log" 2>&1 &
CP=$!; T_PIDS+=($CP)
t_check "client: tunnel up" ovpn_wait_log "$T_TMP/c.log" "tunnel up" 15
t_check "client: renegotiated" ovpn_wait_log "$T_TMP/c.log" "renegotiated: key id 1" 10
kill -USR1 "$CP"
t_check "client: reconnects on SIGUSR1 and says why" \
	ovpn_wait_log "$T_TMP/c.log" "reconnecting now: SIGUSR1" 5
t_check "client: tunnel up again" \
	t_wait_for 15 sh -c "[ \$(grep -c 'tunnel up' $T_TMP/c.log) -ge 2 ]"
kill -TERM "$CP"
wait "$CP"
t_check "client: exits 0 on SIGTERM" test $? = 0
kill -TERM "$SP"
wait "$SP"
t_check "server: exits 0 on SIGTERM" test $? = 0

# The client at the default level, phase by phase and in order.
grep -vE "$STAMP" "$T_TMP/c.log" > "$T_TMP/unstamped"
t_check "client: every line starts with a timestamp" test ! -s "$T_TMP/unstamped"
sed -E "s/$STAMP//" "$T_TMP/c.log" > "$T_TMP/c.msgs"
want=("resolving 10\.99\.0\.1 \(udp port 1194\)" "connecting: udp to 10\.99\.0\.1:1194"
	"TLS established: server 'server', TLSv1\.[23], key id 0"
	"authenticated: server sent its configuration"
	"tunnel up: device tun[0-9]+ 10\.8\.0\.[0-9]+/24, cipher AES-256-GCM"
	"renegotiated: key id 1, cipher AES-256-GCM" "reconnecting now: SIGUSR1"
	"tunnel up: device" "SIGTERM received: shutting down" "sending exit notification"
	"^exiting$")
line=0
for w in "${want[@]}"; do
	n=$(tail -n +$((line + 1)) "$T_TMP/c.msgs" | grep -nE -m1 -- "$w" | cut -d: -f1)
	if [ -n "$n" ]; then line=$((line + n)); t_ok "client: phase /$w/ in order"
	else t_bad "client: phase /$w/ in order"; sed 's/^/    /' "$T_TMP/c.log"; fi
done
t_check "client: no -v detail at the default level" sh -c "! grep -qE '(tls|session|transport): ' $T_TMP/c.log"
t_check "client: no warnings or errors in a clean run" sh -c "! grep -qE 'warning|error' $T_TMP/c.log"
t_check "client: at most 20 lines for the whole run" test "$(wc -l < "$T_TMP/c.log")" -le 20

# The server: log file, dated, at verb 4 (-v detail), nothing on the terminal.
t_check "server: nothing on stderr with a log file" test ! -s "$T_TMP/s.err"
t_check "server: log file lines carry the date" \
	sh -c "! grep -vqE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3} ' $T_TMP/srv.log"
t_check "server: verb 4 shows the TLS detail" grep -q "TLS established with 'client1'" "$T_TMP/srv.log"
t_check "server: the client's arrival with address and cipher" \
	grep -qE "client 'client1' connected from 10\.99\.0\.2:[0-9]+: address 10\.8\.0\.[0-9]+, cipher AES-256-GCM" "$T_TMP/srv.log"
t_check "server: the client's exit notification" \
	grep -q "client 'client1' .* disconnected: client sent exit notification" "$T_TMP/srv.log"
t_check "server: the signal by its name" grep -q "SIGTERM received: stopping" "$T_TMP/srv.log"

# A server that never answers (a UDP sink): the client says so after 10 s, not after the
# whole handshake window.
ip netns exec "$NS_S" python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.99.0.1", 1195)); time.sleep(20)' &
T_PIDS+=($!)
ip netns exec "$NS_C" "$BURROW" client "$T_TMP/c.conf" --remote 10.99.0.1 1195 > "$T_TMP/c2.log" 2>&1 &
CP=$!; T_PIDS+=($CP)
t_check "client: a silent server is reported after 10 s with what to check" \
	ovpn_wait_log "$T_TMP/c2.log" "no answer from 10\.99\.0\.1:1195 after 10 s, still trying: check remote, port" 14
kill -TERM "$CP"
wait "$CP"
t_check "client: exits 0 on SIGTERM while connecting" test $? = 0

# A client whose certificate the server does not trust: the admin sees why at the default level.
(cd "$PKI" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=intruder -keyout i.key -out i.crt) > /dev/null 2>&1
{ ovpn_server_conf | grep -v '^verb'; } > "$T_TMP/s3.conf"
ip netns exec "$NS_S" "$BURROW" server "$T_TMP/s3.conf" > "$T_TMP/s3.log" 2>&1 &
SP=$!; T_PIDS+=($SP)
ovpn_wait_log "$T_TMP/s3.log" "server ready" 10
ip netns exec "$NS_C" "$BURROW" client "$T_TMP/c.conf" --cert "$PKI/i.crt" --key "$PKI/i.key" \
	--connect-retry-max 1 > "$T_TMP/c3.log" 2>&1
t_check "client: an untrusted certificate ends in an error exit" test $? = 1
t_check "client: says the server refused it and what to check" \
	grep -q "the server refused the TLS session (.*alert.*): check cert and key" "$T_TMP/c3.log"
t_check "server: a refused certificate is logged at the default level with the reason" \
	ovpn_wait_log "$T_TMP/s3.log" "10\.99\.0\.2:[0-9]+: dropped during the handshake: .*certificate verify failed" 5
kill -TERM "$SP"
wait "$SP"

# A server with explicit-exit-notify tells its clients when it stops, so they reconnect at
# once instead of after ping-restart: burrow and OpenVPN clients both understand it.
{ ovpn_server_conf; echo "explicit-exit-notify 1"; } > "$T_TMP/s4.conf"
if ovpn_start_burrow_server "$NS_S" "$T_TMP/s4.conf" s4; then
	ip netns exec "$NS_C" "$BURROW" client "$T_TMP/c.conf" > "$T_TMP/c4.log" 2>&1 &
	CP=$!; T_PIDS+=($CP)
	ovpn_wait_log "$T_TMP/c4.log" "tunnel up" 10
	ovpn_stop s4
	t_check "server: says it told the client" grep -q "told 1 client to reconnect" "$T_TMP/s4.log"
	t_check "burrow client: reconnects at once, saying why" \
		ovpn_wait_log "$T_TMP/c4.log" "reconnecting in 1 s: server asked to restart" 3
	kill -TERM "$CP"
	wait "$CP"
fi
if ovpn_start_burrow_server "$NS_S" "$T_TMP/s4.conf" s5 &&
   ovpn_start_openvpn "$NS_C" "$T_TMP/c.conf" ovc; then
	ovpn_stop s5
	t_check "openvpn client: restarts on the server's notice" \
		ovpn_wait_log "$T_TMP/ovc.log" "server-pushed-connection-reset" 3
else
	t_bad "burrow server and openvpn client start"
fi
t_done
