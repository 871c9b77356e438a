#!/usr/bin/env bash
# What burrow server tells clients: pushed routes installed on the real openvpn client, a
# fixed address from client-config-dir (ifconfig-push), and auth-user-pass-verify accepting
# the right password and refusing a wrong one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
ovpn_setup
ovpn_pki
mkdir -p "$T_TMP/ccd"
echo "ifconfig-push 10.8.0.77 255.255.255.0" > "$T_TMP/ccd/client1"
cat > "$T_TMP/check.sh" <<'SH'
#!/bin/sh
[ "$(sed -n 1p "$1")" = alice ] && [ "$(sed -n 2p "$1")" = "s3cret" ]
SH
chmod 755 "$T_TMP/check.sh"
printf 'alice\ns3cret\n' > "$T_TMP/good.txt"
printf 'alice\nwrong\n' > "$T_TMP/bad.txt"
{ ovpn_server_conf; echo "tls-crypt $PKI/tc.key"
  echo 'push "route 192.168.77.0 255.255.255.0"'
  echo "client-config-dir $T_TMP/ccd"
  echo "script-security 2"; echo "auth-user-pass-verify $T_TMP/check.sh via-file"; } > "$T_TMP/s.conf"
{ ovpn_client_conf; echo "tls-crypt $PKI/tc.key"; echo "auth-user-pass $T_TMP/good.txt"; } > "$T_TMP/c.conf"

if ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server &&
   ovpn_start_openvpn "$NS_C" "$T_TMP/c.conf" client; then
	t_ok "good password: openvpn client connects"
	t_check "pushed route 192.168.77.0/24 installed on the openvpn client" \
		sh -c "ip -n $NS_C route | grep -q '^192.168.77.0/24 via 10.8.0.1'"
	t_check "client-config-dir fixed address 10.8.0.77 on the client" \
		sh -c "ip -n $NS_C addr | grep -q 'inet 10.8.0.77/24'"
	t_check "ping the client's fixed address from the server" ovpn_ping "$NS_S" 10.8.0.77
	ovpn_stop client
	sed -i "s|$T_TMP/good.txt|$T_TMP/bad.txt|" "$T_TMP/c.conf"
	ip netns exec "$NS_C" timeout 20 openvpn --config "$T_TMP/c.conf" --auth-retry none \
		--log "$T_TMP/bad.log"
	t_check "wrong password: openvpn client gets AUTH_FAILED" grep -q "AUTH_FAILED" "$T_TMP/bad.log"
	t_check "wrong password: server logs the refusal" grep -q "refused" "$T_TMP/server.log"
	t_check "wrong password: the refused client's slot is freed within seconds" \
		t_wait_for 8 grep -q "refused (AUTH_FAILED sent)" "$T_TMP/server.log"
else
	t_bad "good password: openvpn client connects"
	sed 's/^/    server: /' "$T_TMP/server.log" | tail -20
fi
t_done
