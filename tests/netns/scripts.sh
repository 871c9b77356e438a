#!/usr/bin/env bash
# Scripts and privilege drop, burrow client against burrow server: up/down on both sides get
# OpenVPN's arguments and environment, client-connect's output file is applied (ifconfig-push),
# learn-address runs on connect and disconnect, client-disconnect on leave, the server runs as
# nobody after setup and still carries traffic, a failing up script stops the client.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
getent passwd nobody >/dev/null && getent group nogroup >/dev/null || t_skip "needs user nobody and group nogroup"
ovpn_setup
ovpn_pki
# down runs as nobody after the drop: the script and its record must be reachable for it
chmod 755 "$T_TMP"
REC=$T_TMP/rec
mkdir -m 1777 "$REC"
install -m 666 /dev/null "$REC/calls"	# appended to by root and by nobody
cat > "$T_TMP/rec.sh" <<'EOS'
#!/bin/sh
# records one call: "SIDE script_type args..." and the variables a script would use
side=$(basename "$0" .sh)
echo "$side $script_type $*" >> "@REC@/calls"
env | grep -E '^(SITE|dev|dev_type|tun_mtu|link_mtu|ifconfig_[a-z0-9_]*|route_vpn_gateway|foreign_option_[0-9]+|script_context|common_name|trusted_ip|trusted_port|script_type)=' \
	| sort > "@REC@/$side.$script_type.env"
id -u > "@REC@/$side.$script_type.uid"
case "$script_type" in
client-connect) echo "ifconfig-push 10.8.0.77 255.255.255.0" > "$1" ;;
esac
exit 0
EOS
sed -i "s|@REC@|$REC|g" "$T_TMP/rec.sh"
chmod 755 "$T_TMP/rec.sh"
ln -s rec.sh "$T_TMP/srv.sh"
ln -s rec.sh "$T_TMP/cli.sh"

{
	ovpn_server_conf
	printf '%s\n' "tls-crypt $PKI/tc.key" "script-security 2" "up $T_TMP/srv.sh" \
		"down $T_TMP/srv.sh" "client-connect $T_TMP/srv.sh" \
		"client-disconnect $T_TMP/srv.sh" "learn-address $T_TMP/srv.sh" \
		'push "dhcp-option DNS 10.8.0.53"' 'push "dhcp-option DOMAIN vpn.test"' \
		"user nobody" "group nogroup" "setenv SITE lab1" "status $REC/server.status 1"
} > "$T_TMP/s.conf"
{
	ovpn_client_conf
	printf '%s\n' "tls-crypt $PKI/tc.key" "explicit-exit-notify 1" "script-security 2" \
		"up $T_TMP/cli.sh" "down $T_TMP/cli.sh" "setenv SITE lab2"
} > "$T_TMP/c.conf"

if ! ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server; then
	t_bad "burrow server with scripts and user nobody starts"; t_done
fi
spid=$(cat "$T_TMP/server.pid")
nob=$(id -u nobody)
t_check "server: up ran with dev mtu link-mtu local netmask init" \
	grep -qE "^srv up tun[0-9]+ 1500 0 10\.8\.0\.1 255\.255\.255\.0 init$" "$REC/calls"
t_check "server: up ran as root" grep -qx 0 "$REC/srv.up.uid"
t_check "server: up env has ifconfig_local and netmask" \
	sh -c "grep -qx ifconfig_local=10.8.0.1 '$REC/srv.up.env' && grep -qx ifconfig_netmask=255.255.255.0 '$REC/srv.up.env'"
t_check "server: setenv reaches up" grep -qx SITE=lab1 "$REC/srv.up.env"
t_check "server: runs as nobody after setup" \
	grep -qE "^Uid:\s+$nob\s+$nob\s+$nob" "/proc/$spid/status"

if ! ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client; then
	t_bad "client connects to the unprivileged server"
	sed 's/^/    server: /' "$T_TMP/server.log" | tail -20
else
	t_ok "client connects to the unprivileged server"
	t_check "client-connect ran with a file argument and the client's name" \
		sh -c "grep -qE '^srv client-connect /tmp/burrow-cc\.' '$REC/calls' && grep -qx common_name=client1 '$REC/srv.client-connect.env'"
	t_check "the unprivileged server still writes its status file (a directory it can write)" \
		t_wait_for 5 grep -q "client1" "$REC/server.status"
	t_check "client-connect saw the pool address it then replaced" \
		grep -qx ifconfig_pool_remote_ip=10.8.0.2 "$REC/srv.client-connect.env"
	t_check "client-connect output applied: client got 10.8.0.77" \
		t_wait_for 3 sh -c "ip netns exec $NS_C ip -4 addr show | grep -q 'inet 10.8.0.77/24'"
	t_check "learn-address add 10.8.0.77 client1" grep -qx "srv learn-address add 10.8.0.77 client1" "$REC/calls"
	t_check "client: up ran with tun_dev tun_mtu link_mtu ifconfig_local netmask init" \
		grep -qE "^cli up tun[0-9]+ 1500 0 10\.8\.0\.77 255\.255\.255\.0 init$" "$REC/calls"
	t_check "client: up env (dev, ifconfig, route_vpn_gateway, trusted_ip, common_name)" \
		sh -c "grep -qE '^dev=tun[0-9]+$' '$REC/cli.up.env' && grep -qx ifconfig_local=10.8.0.77 '$REC/cli.up.env' && grep -qx route_vpn_gateway=10.8.0.1 '$REC/cli.up.env' && grep -qx trusted_ip=$OVPN_S_ADDR '$REC/cli.up.env' && grep -qx common_name=server '$REC/cli.up.env' && grep -qx script_type=up '$REC/cli.up.env'"
	t_check "setenv reaches the client's up and the server's client-connect" \
		sh -c "grep -qx SITE=lab2 '$REC/cli.up.env' && grep -qx SITE=lab1 '$REC/srv.client-connect.env'"
	t_check "client: pushed dhcp-options as foreign_option_N" \
		sh -c "grep -qx 'foreign_option_1=dhcp-option DNS 10.8.0.53' '$REC/cli.up.env' && grep -qx 'foreign_option_2=dhcp-option DOMAIN vpn.test' '$REC/cli.up.env'"
	ovpn_traffic "$NS_C" 10.8.0.1 "$NS_S" 10.8.0.77
	t_check "client exits 0 on SIGTERM" ovpn_stop client
	t_check "client: down ran after the device closed" \
		grep -qE "^cli down tun[0-9]+ 1500 0 10\.8\.0\.77 255\.255\.255\.0 init$" "$REC/calls"
	t_check "server: client-disconnect and learn-address delete on leave" \
		t_wait_for 5 sh -c "grep -qE '^srv client-disconnect ?$' '$REC/calls' && grep -qx 'srv learn-address delete 10.8.0.77' '$REC/calls'"
fi
# The same up script under the real openvpn 2.6 client: the same arguments and variables.
ln -s rec.sh "$T_TMP/ovc.sh"
{ ovpn_client_conf; printf '%s\n' "tls-crypt $PKI/tc.key" "script-security 2" "up $T_TMP/ovc.sh"; } > "$T_TMP/o.conf"
if ovpn_start_openvpn "$NS_C" "$T_TMP/o.conf" ovc; then
	t_check "openvpn's up: same tun_mtu, addresses and context as burrow's" \
		test "$(grep '^ovc up ' "$REC/calls" | cut -d' ' -f4-)" = "$(grep '^cli up ' "$REC/calls" | cut -d' ' -f4-)"
	# burrow adds route_vpn_gateway (openvpn 2.6 sets it later, with the routes)
	missing=$(comm -13 <(cut -d= -f1 "$REC/cli.up.env") <(cut -d= -f1 "$REC/ovc.up.env") | tr '\n' ' ')
	t_check "openvpn's up: every variable openvpn sets, burrow sets too${missing:+ (missing: $missing)}" \
		test -z "$missing"
	t_check "openvpn's up: the same values (dev, addresses, foreign options, context)" \
		diff <(grep -E '^(ifconfig_|foreign_option_|script_|tun_mtu|dev_type|trusted_)' "$REC/cli.up.env") \
		     <(grep -E '^(ifconfig_|foreign_option_|script_|tun_mtu|dev_type|trusted_)' "$REC/ovc.up.env")
	ovpn_stop ovc
else
	t_bad "openvpn client connects to the unprivileged server"
fi
t_check "server exits 0 on SIGTERM" ovpn_stop server
t_check "server: down ran, unprivileged" \
	sh -c "grep -qE '^srv down tun[0-9]+ 1500 0 10\.8\.0\.1 255\.255\.255\.0 init$' '$REC/calls' && grep -qx $nob '$REC/srv.down.uid'"
t_check "server: up and down ran once each" \
	test "$(grep -c '^srv up ' "$REC/calls") $(grep -c '^srv down ' "$REC/calls")" = "1 1"

# A failing server up script: the server does not start.
{ ovpn_server_conf; printf '%s\n' "tls-crypt $PKI/tc.key" "script-security 2" "up $T_TMP/fail.sh"; } > "$T_TMP/s4.conf"
printf '#!/bin/sh\nexit 3\n' > "$T_TMP/fail.sh"
chmod 755 "$T_TMP/fail.sh"
ip netns exec "$NS_S" timeout 20 "$BURROW" server "$T_TMP/s4.conf" >"$T_TMP/out" 2>&1
rc=$?
t_check "failing server up: exits 1 (got $rc)" test "$rc" = 1
t_grep "up script .*fail.sh failed; not starting" "failing server up: says why"
t_check "failing server up: device removed" sh -c "! ip netns exec $NS_S ip link show | grep -q ' tun[0-9]*:'"

# A failing up script: the client stops with a clear message and a non-zero status.
{ ovpn_server_conf; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/s2.conf"
{ ovpn_client_conf; printf '%s\n' "tls-crypt $PKI/tc.key" "script-security 2" "up $T_TMP/fail.sh"; } > "$T_TMP/c2.conf"
if ovpn_start_burrow_server "$NS_S" "$T_TMP/s2.conf" server2; then
	ip netns exec "$NS_C" timeout 20 "$BURROW" client "$T_TMP/c2.conf" >"$T_TMP/out" 2>&1
	rc=$?
	t_check "failing up: client exits 1 (got $rc)" test "$rc" = 1
	t_grep "up .*fail.sh: exited with status 3" "failing up: the script's status is logged"
	t_grep "up script .* failed; exiting" "failing up: says it stops"
	t_check "failing up: device removed" sh -c "! ip netns exec $NS_C ip link show | grep -q ' tun[0-9]*:'"
	ovpn_stop server2
else
	t_bad "server for the failing-up case starts"
fi

# client-connect exiting non-zero refuses the client: AUTH_FAILED, client exit status 3.
{ ovpn_server_conf; printf '%s\n' "tls-crypt $PKI/tc.key" "script-security 2" "client-connect $T_TMP/fail.sh"; } > "$T_TMP/s3.conf"
{ ovpn_client_conf; printf '%s\n' "tls-crypt $PKI/tc.key"; } > "$T_TMP/c3.conf"
if ovpn_start_burrow_server "$NS_S" "$T_TMP/s3.conf" server3; then
	ip netns exec "$NS_C" timeout 20 "$BURROW" client "$T_TMP/c3.conf" >"$T_TMP/out" 2>&1
	rc=$?
	t_check "client-connect exit 3: client refused, exits 3 (got $rc)" test "$rc" = 3
	t_check "client-connect exit 3: server says why" \
		grep -q "refused: client-connect script refused the client" "$T_TMP/server3.log"
	ovpn_stop server3
else
	t_bad "server for the refusing client-connect starts"
fi
t_done
