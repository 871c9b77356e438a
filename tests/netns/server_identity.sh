#!/usr/bin/env bash
# Who a client is on burrow's server, with the real openvpn 2.6 client: the name in its
# certificate (CN), never the username it chose, unless username-as-common-name says so or it
# has no certificate (verify-client-cert none|optional). A certificate without a usable CN
# (none, empty, 64 bytes or longer, a NUL inside) is refused during the handshake, with a log
# line naming the address and the reason. The name picks the client-config-dir file and shows
# in the status file; the same configs on the real openvpn server agree where they should.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
PKIGEN=${PKIGEN:-$(dirname "$BURROW")/../tests/netns/pkigen}

ovpn_need
[ -x "$PKIGEN" ] || t_skip "no pkigen helper at $PKIGEN (build first)"
ovpn_setup
ovpn_pki
for odd in nocn emptycn longcn nulcn; do
	"$PKIGEN" "$PKI" odd $odd $odd || t_skip "cannot make the $odd certificate"
done
# Every name has its own fixed address, so the address a client gets shows which file applied.
mkdir -p "$T_TMP/ccd"
echo "ifconfig-push 10.8.0.50 255.255.255.0" > "$T_TMP/ccd/client1"
echo "ifconfig-push 10.8.0.60 255.255.255.0" > "$T_TMP/ccd/alice"
printf '#!/bin/sh\nexit 0\n' > "$T_TMP/ok.sh"
chmod 755 "$T_TMP/ok.sh"
printf 'alice\npw\n' > "$T_TMP/alice.txt"

# server_conf N EXTRA...: the base server, every password accepted, ccd, status file stN.txt.
server_conf() {
	local n=$1; shift
	{ ovpn_server_conf; echo "script-security 2"; echo "auth-user-pass-verify $T_TMP/ok.sh via-env"
	  echo "client-config-dir $T_TMP/ccd"; echo "status $T_TMP/st$n.txt 1"; echo "status-version 2"
	  printf '%s\n' "$@"; } > "$T_TMP/s$n.conf"
}

# client_conf NAME CERT: the base profile with CERT's cert/key (none = no certificate) and
# the username alice.
client_conf() {
	{ ovpn_client_conf | grep -vE '^(cert|key) '
	  [ "$2" = none ] || printf 'cert %s\nkey %s\n' "$PKI/$2.crt" "$PKI/$2.key"
	  echo "auth-user-pass $T_TMP/alice.txt"; } > "$T_TMP/$1.conf"
}

# named DESC SERVERLOG STATUS NAME ADDR CERT: an openvpn client with CERT and the username
# alice connects and is known as NAME: log line, status file, ccd address ADDR.
named() {
	local d=$1 slog=$2 st=$3 name=$4 addr=$5 c=c$RANDOM
	client_conf $c "$6"
	if ! ovpn_start_openvpn "$NS_C" "$T_TMP/$c.conf" $c; then
		t_bad "$d: connects"
		sed 's/^/    server: /' "$slog" | tail -15
		return
	fi
	t_ok "$d: connects"
	if [ -n "$slog" ]; then
		t_check "$d: the server names it '$name'" grep -q "client '$name' connected" "$slog"
	fi
	t_check "$d: status file lists '$name'" t_wait_for 5 grep -q "^CLIENT_LIST,$name," "$st"
	t_check "$d: ccd file '$name' applied (address $addr)" \
		sh -c "ip -n $NS_C addr | grep -q 'inet $addr/24'"
	ovpn_stop $c
	t_wait_for 5 sh -c "! grep -q '^CLIENT_LIST,$name,' '$st'"
}

# refused DESC SERVERLOG CERT PATTERN: an openvpn client with CERT never connects, and the
# server logs PATTERN for its address.
refused() {
	local d=$1 slog=$2 pat=$4 c=c$RANDOM
	client_conf $c "$3"
	t_bg ip netns exec "$NS_C" openvpn --config "$T_TMP/$c.conf" --log "$T_TMP/$c.log" \
		--writepid "$T_TMP/$c.pid"
	if t_wait_for 10 grep -qE -- "$pat" "$slog" && sleep 1 &&
	   ! grep -q "Initialization Sequence Completed" "$T_TMP/$c.log"; then
		t_ok "$d"
	else
		t_bad "$d (no /$pat/ in the server log, or the client connected)"
		sed 's/^/    server: /' "$slog" | tail -8
	fi
	ovpn_stop $c
}

DROP="10\.99\.0\.2[]:0-9]*: dropped during the handshake: TLS handshake failed"

# 1. Certificates required (the default): the CN names the client, never the username.
server_conf 1
if ovpn_start_burrow_server "$NS_S" "$T_TMP/s1.conf" b1; then
	refused "no CN: refused" "$T_TMP/b1.log" nocn "$DROP: certificate has no CN"
	refused "empty CN: refused" "$T_TMP/b1.log" emptycn "$DROP: certificate has no CN"
	refused "70-byte CN: refused" "$T_TMP/b1.log" longcn \
		"$DROP: certificate CN is 64 bytes or longer"
	refused "CN with a NUL: refused" "$T_TMP/b1.log" nulcn "$DROP: certificate CN contains a NUL"
	t_check "no refused client was admitted under the username" \
		sh -c "! grep -q \"client 'alice'\" '$T_TMP/b1.log'"
	named "certificate client1, username alice" "$T_TMP/b1.log" "$T_TMP/st1.txt" client1 \
		10.8.0.50 client
	ovpn_stop b1
else
	t_bad "burrow server (certificates required) starts"
fi

# 2. username-as-common-name: the (script-checked) username names the client.
server_conf 2 username-as-common-name
if ovpn_start_burrow_server "$NS_S" "$T_TMP/s2.conf" b2; then
	named "username-as-common-name" "$T_TMP/b2.log" "$T_TMP/st2.txt" alice 10.8.0.60 client
	ovpn_stop b2
else
	t_bad "burrow server (username-as-common-name) starts"
fi

# 3. verify-client-cert none: no certificate, the username names the client.
server_conf 3 "verify-client-cert none"
if ovpn_start_burrow_server "$NS_S" "$T_TMP/s3.conf" b3; then
	named "verify-client-cert none, no certificate" "$T_TMP/b3.log" "$T_TMP/st3.txt" alice \
		10.8.0.60 none
	ovpn_stop b3
else
	t_bad "burrow server (verify-client-cert none) starts"
fi

# 4. verify-client-cert optional: a certificate, when presented, names the client (and must
# have a usable CN); without one, the username does.
server_conf 4 "verify-client-cert optional"
if ovpn_start_burrow_server "$NS_S" "$T_TMP/s4.conf" b4; then
	named "optional, certificate client1" "$T_TMP/b4.log" "$T_TMP/st4.txt" client1 10.8.0.50 \
		client
	named "optional, no certificate" "$T_TMP/b4.log" "$T_TMP/st4.txt" alice 10.8.0.60 none
	refused "optional, no CN: refused" "$T_TMP/b4.log" nocn "$DROP: certificate has no CN"
	ovpn_stop b4
else
	t_bad "burrow server (verify-client-cert optional) starts"
fi

# The real openvpn server with the same configs names the client the same way.
if ovpn_start_openvpn "$NS_S" "$T_TMP/s1.conf" o1; then
	named "openvpn server, certificate client1, username alice" "" "$T_TMP/st1.txt" client1 \
		10.8.0.50 client
	ovpn_stop o1
else
	t_bad "openvpn server (certificates required) starts"
fi
if ovpn_start_openvpn "$NS_S" "$T_TMP/s2.conf" o2; then
	named "openvpn server, username-as-common-name" "" "$T_TMP/st2.txt" alice 10.8.0.60 client
	ovpn_stop o2
else
	t_bad "openvpn server (username-as-common-name) starts"
fi
# For the record (not checked): openvpn 2.6 names a client without a certificate "UNDEF"
# unless username-as-common-name is set; burrow names it by its username (see server_auth.c).
if ovpn_start_openvpn "$NS_S" "$T_TMP/s3.conf" o3; then
	client_conf c3 none
	if ovpn_start_openvpn "$NS_C" "$T_TMP/c3.conf" c3 &&
	   t_wait_for 5 grep -q "^CLIENT_LIST," "$T_TMP/st3.txt"; then
		echo "# openvpn server, verify-client-cert none: $(grep '^CLIENT_LIST,' "$T_TMP/st3.txt" |
			cut -d, -f2,4)"
	fi
	ovpn_stop c3
	ovpn_stop o3
fi
t_done
