#!/usr/bin/env bash
# `burrow demo`, the README's main job: its report shows a working tunnel, and it leaves no
# namespace, device or process behind.
. "$(dirname "$0")/lib.sh"
t_need_root
t_need openvpn
[ -c /dev/net/tun ] || t_skip "needs /dev/net/tun"

check_demo() {	# $1 = label, rest = demo arguments
	local label=$1 dir
	shift
	t_status 0 "$label: burrow demo exits 0" "$BURROW" -q demo --seconds 1 "$@"
	t_grep "20/20 answered through the tunnel" "$label: every ping answered"
	t_grep "TCP +[1-9][0-9.]* Mbit/s" "$label: TCP went through"
	t_grep "cipher AES-256-GCM" "$label: report names the cipher"
	dir=$(sed -nE 's/.*rm -r (\/tmp\/burrow-demo-[A-Za-z0-9]+).*/\1/p' "$T_TMP/out")
	t_check "$label: configs kept for trying by hand" test -s "$dir/client.ovpn"
	t_check "$label: no burrow process left" sh -c "! pgrep -f '[b]urrow-demo-' >/dev/null"
	[ -n "$dir" ] && rm -rf "$dir"
}
check_demo "burrow server"
check_demo "openvpn server" --peer openvpn
t_status 2 "bad --proto is a usage error" "$BURROW" demo --proto sctp
t_grep "udp, tcp" "usage error lists the choices"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	t_status 1 "not root: exits 1" setpriv --reuid=65534 --regid=65534 --clear-groups "$BURROW" demo
	t_grep "needs root" "not root: says what it needs"
else
	t_skip_part "the not-root case needs root and setpriv (util-linux)"
fi
t_done
