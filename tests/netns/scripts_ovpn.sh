#!/usr/bin/env bash
# Server scripts side by side with the real openvpn 2.6 server: the same recorder as up, down,
# client-connect, client-disconnect and learn-address under both, the same burrow client
# connecting and leaving; the calls' arguments must match, and every OpenVPN variable a script
# would use that openvpn sets, burrow sets too, with the same value.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
ovpn_setup
ovpn_pki
chmod 755 "$T_TMP"
REC=$T_TMP/rec
mkdir -m 1777 "$REC"
cat > "$T_TMP/rec.sh" <<'EOS'
#!/bin/sh
# SIDE is the name this recorder was called by (ovs: openvpn, bws: burrow)
side=$(basename "$0" .sh)
echo "$script_type $*" | sed 's|/tmp/[^ ]*|TMPFILE|' >> "@REC@/$side.calls"
env | grep -E '^(common_name|trusted_ip|trusted_port|untrusted_ip|untrusted_port|username|dev|dev_type|tun_mtu|ifconfig_local|ifconfig_netmask|ifconfig_remote|ifconfig_pool_remote_ip|ifconfig_pool_netmask|script_type|script_context|verb|daemon|bytes_received|bytes_sent|time_unix|time_duration)=' \
	| sort > "@REC@/$side.$script_type.env"
exit 0
EOS
sed -i "s|@REC@|$REC|g" "$T_TMP/rec.sh"
chmod 755 "$T_TMP/rec.sh"
ln -s rec.sh "$T_TMP/ovs.sh"
ln -s rec.sh "$T_TMP/bws.sh"

server_conf() {
	ovpn_server_conf
	printf '%s\n' "tls-crypt $PKI/tc.key" "script-security 2" "up $T_TMP/$1.sh" \
		"down $T_TMP/$1.sh" "client-connect $T_TMP/$1.sh" "client-disconnect $T_TMP/$1.sh" \
		"learn-address $T_TMP/$1.sh"
}
{ ovpn_client_conf; printf '%s\n' "tls-crypt $PKI/tc.key" "explicit-exit-notify 1"; } > "$T_TMP/c.conf"

# one_run SIDE START...: server, client in and out, server stop
one_run() {
	local side=$1
	shift
	server_conf "$side" > "$T_TMP/$side.conf"
	"$@" "$T_TMP/$side.conf" "$side" || return 1
	ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client || { ovpn_stop "$side"; return 1; }
	ovpn_stop client
	t_wait_for 5 grep -q "^learn-address delete" "$REC/$side.calls"
	ovpn_stop "$side"
	t_wait_for 5 grep -q "^down" "$REC/$side.calls"
}
start_ovs() { ovpn_start_openvpn "$NS_S" "$1" "$2"; }
start_bws() { ovpn_start_burrow_server "$NS_S" "$1" "$2"; }
t_check "openvpn server runs its scripts" one_run ovs start_ovs
t_check "burrow server runs its scripts" one_run bws start_bws

# not a vacuous comparison: both recorded the client's pool address at client-connect
t_check "client-connect sees the pool address (openvpn and burrow)" \
	sh -c "grep -qx ifconfig_pool_remote_ip=10.8.0.2 '$REC/ovs.client-connect.env' && grep -qx ifconfig_pool_remote_ip=10.8.0.2 '$REC/bws.client-connect.env'"
t_check "up sees the device and its address (openvpn and burrow)" \
	sh -c "grep -qx ifconfig_local=10.8.0.1 '$REC/ovs.up.env' && grep -qx ifconfig_local=10.8.0.1 '$REC/bws.up.env'"
t_check "the same calls with the same arguments in the same order" \
	diff "$REC/ovs.calls" "$REC/bws.calls"
for st in up down client-connect client-disconnect learn-address; do
	# values that differ between two runs by nature (time, ports, byte counts) by name only
	norm() { sed -E 's/^(time_unix|time_duration|trusted_port|untrusted_port|bytes_received|bytes_sent)=.*/\1/' "$1"; }
	missing=$(comm -23 <(norm "$REC/ovs.$st.env") <(norm "$REC/bws.$st.env") | tr '\n' ' ')
	t_check "$st: every variable openvpn sets, burrow sets too, same value${missing:+ (missing or different: $missing)}" \
		test -z "$missing"
done
t_done
