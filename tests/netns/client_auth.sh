#!/usr/bin/env bash
# auth-user-pass: the right credentials bring the tunnel up; wrong ones get AUTH_FAILED, a
# clear message and exit status 3 (no retry loop).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
ovpn_setup
ovpn_pki
cat > "$T_TMP/check.sh" <<'SH'
#!/bin/sh
[ "$(sed -n 1p "$1")" = alice ] && [ "$(sed -n 2p "$1")" = "s3cret pass" ]
SH
chmod 755 "$T_TMP/check.sh"
printf 'alice\ns3cret pass\n' > "$T_TMP/good.txt"
printf 'alice\nwrong\n' > "$T_TMP/bad.txt"
{ ovpn_server_conf; echo "tls-crypt $PKI/tc.key"; echo "script-security 2";
  echo "auth-user-pass-verify $T_TMP/check.sh via-file"; } > "$T_TMP/s.conf"
{ ovpn_client_conf; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/c.conf"
if ovpn_start_openvpn "$NS_S" "$T_TMP/s.conf" server; then
	if ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client --auth-user-pass "$T_TMP/good.txt"; then
		t_ok "good credentials: tunnel up"
		t_check "ping through the authenticated tunnel" ovpn_ping "$NS_C" 10.8.0.1
		ovpn_client_exit
	else
		t_bad "good credentials: tunnel up"
	fi
	ip netns exec "$NS_C" timeout 30 "$BURROW" client "$T_TMP/c.conf" --auth-user-pass "$T_TMP/bad.txt" \
		>"$T_TMP/bad.log" 2>&1
	rc=$?
	t_check "bad credentials: exit status 3 (got $rc)" test "$rc" = 3
	t_check "bad credentials: says authentication failed" grep -q "authentication failed" "$T_TMP/bad.log"
	t_check "bad credentials: no tunnel" sh -c "! grep -q 'tunnel up' $T_TMP/bad.log"
else
	t_bad "openvpn server starts"
fi
t_done
