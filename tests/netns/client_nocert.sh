#!/usr/bin/env bash
# The commonest provider profile: ca + auth-user-pass and no client certificate. It works
# against OpenVPN and burrow servers with verify-client-cert none; a server that wants a
# certificate refuses it and the client says why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
ovpn_setup
ovpn_pki
cat > "$T_TMP/check.sh" <<'SH'
#!/bin/sh
[ "$(sed -n 1p "$1")" = alice ] && [ "$(sed -n 2p "$1")" = "s3cret" ]
SH
chmod 755 "$T_TMP/check.sh"
printf 'alice\ns3cret\n' > "$T_TMP/creds.txt"
{ ovpn_server_conf; echo "tls-crypt $PKI/tc.key"; echo "script-security 2";
  echo "auth-user-pass-verify $T_TMP/check.sh via-file"; echo "verify-client-cert none";
  echo "username-as-common-name"; } > "$T_TMP/s.conf"
{ ovpn_client_conf | grep -vE '^(cert|key) '; echo "tls-crypt $PKI/tc.key";
  echo "auth-user-pass $T_TMP/creds.txt"; } > "$T_TMP/c.conf"

if ovpn_start_openvpn "$NS_S" "$T_TMP/s.conf" server; then
	if ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client; then
		t_ok "openvpn server: a profile without a client certificate connects"
		t_check "openvpn server: ping through the tunnel" ovpn_ping "$NS_C" 10.8.0.1
		t_check "openvpn server: client exits 0" ovpn_stop client
	else
		t_bad "openvpn server: a profile without a client certificate connects"
	fi
	ovpn_stop server
else
	t_bad "openvpn server starts"
fi

if ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" bserver; then
	if ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client2; then
		t_ok "burrow server: a profile without a client certificate connects"
		t_check "burrow server: ping through the tunnel" ovpn_ping "$NS_C" 10.8.0.1
		t_check "burrow server: the client is named by its username" \
			grep -q "client 'alice' connected" "$T_TMP/bserver.log"
		t_check "burrow server: client exits 0" ovpn_stop client2
	else
		t_bad "burrow server: a profile without a client certificate connects"
	fi
	ovpn_stop bserver
else
	t_bad "burrow server starts"
fi

# A server that wants a certificate (the default): refused, and the client says what to check.
grep -v '^verify-client-cert' "$T_TMP/s.conf" > "$T_TMP/s2.conf"
if ovpn_start_burrow_server "$NS_S" "$T_TMP/s2.conf" bserver2; then
	t_status 1 "certificate required: the client gives up" ip netns exec "$NS_C" "$BURROW" \
		client "$T_TMP/c.conf" --connect-retry-max 1
	t_grep "the server refused the TLS session .*check cert and key" \
		"certificate required: the client says what to check"
	ovpn_stop bserver2
else
	t_bad "burrow server (certificates required) starts"
fi
t_done
