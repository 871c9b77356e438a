#!/usr/bin/env bash
# Pushed DNS handed to resolvconf (openresolv) and taken back on exit. The host is never
# touched: the client runs in a private mount namespace where /etc/resolvconf.conf points
# openresolv at a resolv.conf and a state directory under the test's temp dir.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
t_need unshare
[ -x /sbin/resolvconf ] || [ -x /usr/sbin/resolvconf ] || t_skip "needs resolvconf (openresolv; scripts/bootstrap installs it)"
resolvconf --version 2>/dev/null | grep -q openresolv || t_skip "needs openresolv's resolvconf (state_dir in resolvconf.conf)"
[ -e /run/systemd/resolve/io.systemd.Resolve ] && t_skip "systemd-resolved runs here: burrow would use it, not resolvconf"
ovpn_setup
ovpn_pki

RC=$T_TMP/resolv.conf
printf 'resolv_conf=%s\nstate_dir=%s\n' "$RC" "$T_TMP/rcstate" > "$T_TMP/resolvconf.conf"
echo "nameserver 192.0.2.1" > "$RC"
host_before=$(md5sum /etc/resolv.conf 2>/dev/null)

{
	ovpn_server_conf
	printf '%s\n' "tls-crypt $PKI/tc.key" 'push "dhcp-option DNS 10.8.0.53"' \
		'push "dhcp-option DNS6 fd00::53"' 'push "dhcp-option DOMAIN vpn.test"' \
		'push "dns server 1 address 10.8.0.54"' 'push "dns search-domains corp.test"' \
		'push "dhcp-option DOMAIN bad;name"'
} > "$T_TMP/s.conf"
{ ovpn_client_conf; printf '%s\n' "tls-crypt $PKI/tc.key" "explicit-exit-notify 1"; } > "$T_TMP/c.conf"

if ! ovpn_start_burrow_server "$NS_S" "$T_TMP/s.conf" server; then
	t_bad "burrow server starts"; t_done
fi
BURROW_DNS=auto unshare -m sh -c "mount --bind '$T_TMP/resolvconf.conf' /etc/resolvconf.conf && exec ip netns exec $NS_C '$BURROW' -v client '$T_TMP/c.conf'" \
	>"$T_TMP/client.log" 2>&1 &
T_PIDS+=($!)
echo $! > "$T_TMP/client.pid"
if ! ovpn_wait_log "$T_TMP/client.log" "tunnel up" 20; then
	t_bad "client connects"; sed 's/^/    /' "$T_TMP/client.log"; t_done
fi
t_ok "client connects"
t_check "hand-over logged" grep -qE "DNS: 3 servers and 2 domains for tun[0-9]+ handed to .*resolvconf" "$T_TMP/client.log"
t_check "resolv.conf has the pushed IPv4 servers" sh -c "grep -qx 'nameserver 10.8.0.53' '$RC' && grep -qx 'nameserver 10.8.0.54' '$RC'"
t_check "resolv.conf has the pushed IPv6 server" grep -qx "nameserver fd00::53" "$RC"
t_check "resolv.conf has the search domains" grep -qE "^search .*vpn\.test" "$RC"
t_check "resolv.conf has the dns search-domains" grep -qE "^search .*corp\.test" "$RC"
t_check "a pushed value that is not a plain name is left out and said" \
	sh -c "! grep -q 'bad' '$RC' && grep -q \"ignoring the pushed domain 'bad;name'\" '$T_TMP/client.log'"
t_check "openresolv keeps them under the device's name" sh -c "ls '$T_TMP/rcstate/interfaces/' | grep -qE '^tun[0-9]+$'"
t_check "client exits 0 on SIGTERM" ovpn_stop client
t_check "servers removed on exit" sh -c "! grep -q '10.8.0.5' '$RC'"
t_check "device entry removed on exit" sh -c "! ls '$T_TMP/rcstate/interfaces/' 2>/dev/null | grep -q tun"
t_check "removal logged" grep -qE "DNS: settings for tun[0-9]+ removed" "$T_TMP/client.log"
t_check "host /etc/resolv.conf untouched" test "$(md5sum /etc/resolv.conf 2>/dev/null)" = "$host_before"
ovpn_stop server
t_done
