#!/usr/bin/env bash
# crl-verify without a restart, with real openvpn 2.6 clients on burrow's server: a CRL
# replaced atomically (rename, as easy-rsa or a CA tool does) revoking one connected client
# drops it within ~2 s and refuses its reconnection while the others keep pinging; a CRL
# rewritten in place behind the watch (through a hard link elsewhere) counts on SIGHUP; an
# invalid CRL keeps the old one with a warning naming the file; a CRL that revokes nothing
# lets the client back in; in the dir form, a file named by a client's serial drops it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
PKIGEN=${PKIGEN:-$(dirname "$BURROW")/../tests/netns/pkigen}

ovpn_need
t_need_built "$PKIGEN" "pkigen helper"
NS_S=$(t_netns) || t_fail "cannot create network namespaces"
declare -A NS
for i in 1 2 3; do
	NS[$i]=$(t_netns) &&
	ip link add vs$i netns "$NS_S" type veth peer name vc$i netns "${NS[$i]}" &&
	ip -n "$NS_S" addr add 10.99.$i.1/24 dev vs$i && ip -n "$NS_S" link set vs$i up &&
	ip -n "${NS[$i]}" addr add 10.99.$i.2/24 dev vc$i && ip -n "${NS[$i]}" link set vc$i up ||
		t_fail "cannot create namespace $i and its veth pair"
done
CRLD=$T_TMP/crl
CRL=$CRLD/crl.pem
mkdir -p "$CRLD" "$T_TMP/elsewhere" &&
"$PKIGEN" "$PKI" ec 0 c1 c2 c3 >/dev/null && "$PKIGEN" "$PKI" crl "$CRL" ||
	t_fail "cannot make the test PKI and its CRL"
# crl NAME CERT...: a CRL revoking the client certificates of CERT... in $CRLD/NAME
crl() { local out=$CRLD/$1; shift; "$PKIGEN" "$PKI" crl "$out" "${@/#/client-}"; }

cat > "$T_TMP/s.conf" <<EOF2
port 1194
proto udp
dev tun
topology subnet
server 10.8.0.0 255.255.255.0
ca $PKI/ca.crt
cert $PKI/server.crt
key $PKI/server.key
dh none
crl-verify $CRL
keepalive 1 10
verb 3
EOF2
for i in 1 2 3; do
	cat > "$T_TMP/c$i.conf" <<EOF2
client
dev tun
proto udp
remote 10.99.$i.1 1194
nobind
ca $PKI/ca.crt
cert $PKI/client-c$i.crt
key $PKI/client-c$i.key
remote-cert-tls server
connect-retry 1 2
hand-window 5
verb 3
EOF2
done

SLOG=$T_TMP/server.log
ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server || { t_bad "burrow server starts"; t_done; }
t_check "server watches the CRL's directory" grep -q "crl-verify: watching $CRLD" "$SLOG"
ovpn_start_openvpn "${NS[1]}" "$T_TMP/c1.conf" c1 & w1=$!
ovpn_start_openvpn "${NS[2]}" "$T_TMP/c2.conf" c2 & w2=$!
ovpn_start_openvpn "${NS[3]}" "$T_TMP/c3.conf" c3 & w3=$!
for w in $w1 $w2 $w3; do wait $w || t_bad "a client did not connect"; done
for i in 1 2 3; do T_PIDS+=($(cat "$T_TMP/c$i.pid" 2>/dev/null)); done
ping1() { ip netns exec "${NS[$1]}" ping -c 2 -i 0.2 -W 2 10.8.0.1 >/dev/null 2>&1; }
for i in 1 2 3; do t_check "client c$i pings the server" ping1 $i; done
ups() { grep -c "Initialization Sequence Completed" "$T_TMP/c$1.log"; }

# 1. Replaced by rename: c1 is dropped within 2 s, refused when it comes back.
crl new.pem c1.crt && mv "$CRLD/new.pem" "$CRL" || t_fail "cannot write the CRL"
t_check "rename: c1 dropped within 2 s, log names it and the CRL" t_wait_for 2 \
	grep -q "client 'c1' (.*): certificate revoked (CRL $CRL)" "$SLOG"
t_check "rename: c1 no longer reaches the server" sh -c "! ip netns exec ${NS[1]} ping -c 2 -i 0.2 -W 1 10.8.0.1 >/dev/null 2>&1"
t_check "rename: c1's reconnection is refused in the handshake" t_wait_for 15 \
	grep -qE "10\.99\.1\.2:[0-9]+: dropped during the handshake: .*revoked" "$SLOG"
t_check "rename: c1 did not get back in" test "$(ups 1)" = 1
t_check "rename: c2 keeps pinging" ping1 2
t_check "rename: c3 keeps pinging" ping1 3

# 2. Rewritten in place where the watch cannot see it (a hard link in another directory):
# nothing happens until SIGHUP.
ln "$CRL" "$T_TMP/elsewhere/crl.pem" || t_fail "cannot link the CRL"
crl next.pem c1.crt c3.crt && cat "$CRLD/next.pem" > "$T_TMP/elsewhere/crl.pem" && rm "$CRLD/next.pem" ||
	t_fail "cannot rewrite the CRL"
sleep 1
t_check "in place: c3 still connected before SIGHUP" ping1 3
kill -HUP "$(cat "$T_TMP/server.pid")"
t_check "SIGHUP: c3 dropped within 2 s" t_wait_for 2 \
	grep -q "client 'c3' (.*): certificate revoked (CRL $CRL)" "$SLOG"
t_check "SIGHUP: c3 no longer reaches the server" sh -c "! ip netns exec ${NS[3]} ping -c 2 -i 0.2 -W 1 10.8.0.1 >/dev/null 2>&1"
t_check "SIGHUP: c2 keeps pinging" ping1 2
t_check "SIGHUP: the server still runs" kill -0 "$(cat "$T_TMP/server.pid")"

# 3. An invalid CRL (renamed in, then written in place) is refused; the old one stays.
printf 'not a CRL\n' > "$CRLD/bad.pem" && mv "$CRLD/bad.pem" "$CRL"
t_check "invalid: warning names the file and the reason" t_wait_for 2 \
	grep -qE "crl-verify: $CRL not loaded \(.*no PEM X509 CRL.*\); keeping the CRL loaded before" "$SLOG"
n=$(grep -c "dropped during the handshake: .*revoked" "$SLOG")
t_check "invalid: c1 and c3 are still refused" t_wait_for 15 \
	sh -c "[ \$(grep -c 'dropped during the handshake: .*revoked' '$SLOG') -gt $n ]"
t_check "invalid: c2 keeps pinging" ping1 2

# 4. A CRL that revokes nothing: the refused clients get back in.
crl ok.pem && mv "$CRLD/ok.pem" "$CRL"
t_check "cleared: c1 connects again" t_wait_for 20 sh -c "[ \$(grep -c 'Initialization Sequence Completed' '$T_TMP/c1.log') -ge 2 ]"
t_check "cleared: c3 connects again" t_wait_for 20 sh -c "[ \$(grep -c 'Initialization Sequence Completed' '$T_TMP/c3.log') -ge 2 ]"
t_check "cleared: c1 pings" t_wait_for 5 ping1 1
t_check "c2 was never dropped" test "$(ups 2)" = 1
if [ "$T_FAIL" -gt 0 ]; then
	sed 's/^/    server: /' "$SLOG" | grep -vE "session: key|keepalive" | tail -40
fi
for i in 1 2 3; do ovpn_stop c$i; done
ovpn_stop server

# 5. crl-verify DIR dir: a file named by a connected client's serial (decimal) drops it.
mkdir -p "$T_TMP/revoked"
sed "s|^crl-verify .*|crl-verify $T_TMP/revoked dir|" "$T_TMP/s.conf" > "$T_TMP/sd.conf"
SLOG=$T_TMP/serverd.log
ovpn_start_burrow_server "$NS_S" "$T_TMP/sd.conf" serverd || { t_bad "dir: burrow server starts"; t_done; }
ovpn_start_openvpn "${NS[1]}" "$T_TMP/c1.conf" d1 & w1=$!
ovpn_start_openvpn "${NS[2]}" "$T_TMP/c2.conf" d2 & w2=$!
for w in $w1 $w2; do wait $w || t_bad "dir: a client did not connect"; done
for i in 1 2; do T_PIDS+=($(cat "$T_TMP/d$i.pid" 2>/dev/null)); done
serial=$(openssl x509 -noout -serial -in "$PKI/client-c2.crt" | sed 's/.*=//')
serial=$(python3 -c "print(int('$serial', 16))")
touch "$T_TMP/revoked/$serial"
t_check "dir: c2 dropped within 2 s of its serial's file" t_wait_for 2 \
	grep -q "client 'c2' (.*): certificate revoked (CRL $T_TMP/revoked)" "$SLOG"
t_check "dir: c2's reconnection is refused" t_wait_for 15 \
	grep -qE "10\.99\.2\.2:[0-9]+: dropped during the handshake: .*serial $serial is revoked" "$SLOG"
t_check "dir: c1 keeps pinging" ping1 1
for i in 1 2; do ovpn_stop d$i; done
ovpn_stop serverd
t_done
