#!/usr/bin/env bash
# `burrow dev` in fresh network namespaces: add/set/show/del of kernel TUN/TAP devices,
# `show --json` against `ip -j`, a ping through two TUN devices in two namespaces bridged by
# the tunfwd helper, `del` while a reader is blocked, and errors with their exit statuses.
. "$(dirname "$0")/lib.sh"
t_need_root
t_need ip
t_need ping
t_need python3
TUNFWD=${TUNFWD:-$(dirname "$BURROW")/../tests/netns/tunfwd}
t_need_built "$TUNFWD" "tunfwd helper"
[ -c /dev/net/tun ] || t_skip "no /dev/net/tun (modprobe tun)"

A=$(t_netns) && B=$(t_netns) || t_fail "cannot create network namespaces"
inA() { ip netns exec "$A" "$@"; }
inB() { ip netns exec "$B" "$@"; }

# ---- add, show, set ----
t_status 0 "add a tun from a template with addresses, MTU and --up" \
	inA "$BURROW" dev add 'bt%d' --type tun --mtu 1400 --addr 10.60.0.1/24 --addr fd60::1/64 --up
t_grep "^bt0$" "add prints the name the kernel chose"
t_status 0 "add a tap owned by uid/gid 65534" \
	inA "$BURROW" dev add btap0 --type tap --user 65534 --group 65534 --addr 10.61.0.1/24
t_grep "^btap0$" "add prints the exact name"
t_check "ip sees bt0 up" bash -c "ip -n $A link show bt0 | grep -q '[<,]UP[,>]'"
t_check "ip sees btap0 down" bash -c "! ip -n $A link show btap0 | grep -q '[<,]UP[,>]'"

t_status 0 "show prints a table" inA "$BURROW" dev show
t_grep "^bt0: tun, up, mtu 1400, persistent" "show: bt0 type, state, MTU"
t_grep "^btap0: tap, down, mtu 1500, persistent, owner 65534, group 65534" "show: btap0 owner"
t_grep "inet 10.60.0.1/24" "show lists IPv4 addresses"
t_grep "inet6 fd60::1/64" "show lists IPv6 addresses"
t_grep "mac [0-9a-f]{2}(:[0-9a-f]{2}){5}" "show gives the tap's MAC"
t_grep "rx: [0-9]+ packets, [0-9]+ bytes, [0-9]+ dropped, [0-9]+ errors" "show gives counters"

# Compares `burrow dev show --json` with `ip -j -s addr` for every device burrow reports.
json_matches_ip() {
	inA "$BURROW" dev show --json >"$T_TMP/burrow.json" || return 1
	inA ip -j -s addr show >"$T_TMP/ip.json" || return 1
	python3 - "$T_TMP/burrow.json" "$T_TMP/ip.json" "$@" <<'PY'
import json, sys
ours = {d["ifname"]: d for d in json.load(open(sys.argv[1]))}
ip = {d["ifname"]: d for d in json.load(open(sys.argv[2]))}
want = sys.argv[3:]
bad = []
if sorted(ours) != sorted(want):
    bad.append("devices %s, wanted %s" % (sorted(ours), sorted(want)))
for name, d in ours.items():
    i = ip.get(name)
    if i is None:
        bad.append("%s: not in ip -j" % name); continue
    kind = {"none": "tun", "ether": "tap"}.get(i.get("link_type"))
    checks = [("ifindex", d["ifindex"], i["ifindex"]), ("mtu", d["mtu"], i["mtu"]),
              ("type", d["type"], kind), ("up", d["up"], "UP" in i["flags"]),
              ("address", d["address"], i.get("address") if kind == "tap" else None)]
    ours_a = sorted((a["family"], a["local"], a["prefixlen"]) for a in d["addr_info"])
    ip_a = sorted((a["family"], a["local"], a["prefixlen"]) for a in i.get("addr_info", []))
    checks.append(("addr_info", ours_a, ip_a))
    s = i.get("stats64", {})
    for k in ("packets", "bytes", "dropped", "errors"):
        checks.append(("rx_" + k, d["stats"]["rx_" + k], s.get("rx", {}).get(k)))
        checks.append(("tx_" + k, d["stats"]["tx_" + k], s.get("tx", {}).get(k)))
    bad += ["%s %s: burrow %r, ip %r" % (name, k, a, b) for k, a, b in checks if a != b]
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
}
t_check "show --json matches ip -j (names, index, type, state, MTU, MAC, addresses, stats)" \
	json_matches_ip bt0 btap0
t_status 0 "show NAME --json" inA "$BURROW" dev show btap0 --json
t_grep '^\[\{"ifname":"btap0",.*"type":"tap".*"owner":65534,"group":65534' "show NAME --json has stable keys"

t_status 0 "add a multiqueue tun owned by a user named on the command line" \
	inA "$BURROW" dev add bmq0 --type tun --multiqueue --user nobody
t_status 0 "show bmq0 --json" inA "$BURROW" dev show bmq0 --json
t_grep '"multi_queue":true' "the device is multiqueue"
t_grep "\"owner\":$(id -u nobody)," "the user name was resolved"
t_status 0 "del bmq0" inA "$BURROW" dev del bmq0
t_status 0 "set mtu" inA "$BURROW" dev set btap0 mtu 9000
t_status 0 "set up" inA "$BURROW" dev set btap0 up
t_check "ip sees btap0 up with MTU 9000" bash -c "ip -n $A link show btap0 | grep -q 'UP.*mtu 9000'"
t_status 0 "set addr add (IPv6)" inA "$BURROW" dev set btap0 addr add fd61::1/64
t_check "ip sees the added address" bash -c "ip -n $A addr show btap0 | grep -q 'inet6 fd61::1/64'"
t_status 0 "set addr del" inA "$BURROW" dev set btap0 addr del 10.61.0.1/24
t_check "ip no longer sees the deleted address" bash -c "! ip -n $A addr show btap0 | grep -q 10.61.0.1"
t_status 0 "set route add via a gateway with a metric" \
	inA "$BURROW" dev set bt0 route add 10.62.0.0/16 via 10.60.0.2 metric 7
t_check "ip sees the route" bash -c "ip -n $A route show 10.62.0.0/16 | grep -q 'via 10.60.0.2 dev bt0.*metric 7'"
t_status 0 "set route add (IPv6, device only)" inA "$BURROW" dev set bt0 route add fd62::/48
t_check "ip sees the IPv6 route" bash -c "ip -n $A -6 route show fd62::/48 | grep -q 'dev bt0'"
t_status 0 "set route del" inA "$BURROW" dev set bt0 route del 10.62.0.0/16 via 10.60.0.2 metric 7
t_check "ip no longer sees the route" bash -c "[ -z \"\$(ip -n $A route show 10.62.0.0/16)\" ]"
t_status 0 "set down" inA "$BURROW" dev set bt0 down
t_check "ip sees bt0 down" bash -c "! ip -n $A link show bt0 | grep -q '[<,]UP[,>]'"
t_check "show --json still matches ip -j after the changes" json_matches_ip bt0 btap0

# ---- ping through a TUN pair in two namespaces ----
t_status 0 "add tun in namespace A" inA "$BURROW" dev add pa0 --type tun --addr 10.70.0.1/24 --addr fd70::1/64 --up
t_status 0 "add tun in namespace B" inB "$BURROW" dev add pb0 --type tun --addr 10.70.0.2/24 --addr fd70::2/64 --up
t_bg "$TUNFWD" fwd "$A" pa0 "$B" pb0 30 >"$T_TMP/fwd.out" 2>&1
FWD=${T_PIDS[-1]}
t_check "the forwarder attaches to both devices" t_wait_for 5 grep -q ready "$T_TMP/fwd.out"
t_status 0 "ping A -> B through the TUN pair (IPv4)" inA ping -c 3 -i 0.2 -W 2 10.70.0.2
t_grep "3 received" "all IPv4 pings answered"
t_status 0 "ping A -> B through the TUN pair (IPv6)" inA ping -6 -c 3 -i 0.2 -W 2 fd70::2
t_grep "3 received" "all IPv6 pings answered"
t_check "pa0 counted the pings" bash -c "[ \$(ip netns exec $A $BURROW dev show pa0 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0][\"stats\"][\"tx_packets\"])') -ge 6 ]"
t_status 0 "del a device while the forwarder is attached" inA "$BURROW" dev del pa0
t_check "the forwarder stops promptly" t_wait_for 3 bash -c "! kill -0 $FWD"
t_check "the forwarder saw the device gone" grep -q "No such device" "$T_TMP/fwd.out"
wait "$FWD"
t_check "the forwarder exited 0 (ENODEV)" [ $? = 0 ]
t_check "pa0 is gone" bash -c "! ip -n $A link show pa0 2>/dev/null"

# ---- del while a reader is blocked in read() ----
t_status 0 "add a tun for the blocked reader" inA "$BURROW" dev add br0 --type tun --up
t_bg "$TUNFWD" read "$A" br0 30 >"$T_TMP/reader.out" 2>&1
RD=${T_PIDS[-1]}
t_check "the reader attaches" t_wait_for 5 grep -q ready "$T_TMP/reader.out"
t_check "show says running while the reader is attached" \
	bash -c "ip netns exec $A $BURROW dev show br0 | grep -q '^br0: tun, up, running'"
t_status 0 "del while the reader is blocked" inA "$BURROW" dev del br0
t_check "the blocked reader returns promptly" t_wait_for 3 bash -c "! kill -0 $RD"
t_check "the reader got ENODEV" grep -q "No such device" "$T_TMP/reader.out"

# ---- errors ----
t_status 1 "name taken" inA "$BURROW" dev add bt0 --type tun
t_grep "device name 'bt0' is taken" "name taken is explained"
t_status 1 "name taken by a non-TUN device" inA "$BURROW" dev add lo --type tun
t_grep "'lo' is taken" "a non-TUN name is explained"
t_status 1 "bad CIDR" inA "$BURROW" dev add bx0 --type tun --addr 10.1.2.300/24
t_grep "'10.1.2.300/24'" "bad CIDR is echoed"
t_check "a bad CIDR leaves no device behind" bash -c "! ip -n $A link show bx0 2>/dev/null"
t_status 1 "bad CIDR in set" inA "$BURROW" dev set bt0 addr add fd00::/200
t_grep "'fd00::/200'" "bad prefix is echoed"
t_status 1 "MTU out of range" inA "$BURROW" dev add bx0 --type tun --mtu 20
t_grep "68\.\.65535" "MTU range is given"
t_status 1 "MTU out of range in set" inA "$BURROW" dev set bt0 mtu 65536
t_grep "68\.\.65535" "MTU range is given by set"
t_status 2 "MTU not a number" inA "$BURROW" dev add bx0 --type tun --mtu big
t_status 2 "missing --type" inA "$BURROW" dev add bx0
t_grep "--type" "missing --type is named"
t_status 2 "bad --type" inA "$BURROW" dev add bx0 --type tan
t_status 2 "unknown subcommand" inA "$BURROW" dev frob
t_grep "unknown subcommand 'frob'" "unknown subcommand is named"
t_status 2 "no subcommand" inA "$BURROW" dev
t_status 2 "unknown setting" inA "$BURROW" dev set bt0 colour blue
t_status 1 "show of a missing device" inA "$BURROW" dev show nosuch0
t_grep "no device 'nosuch0'" "missing device is named"
t_status 1 "del of a missing device" inA "$BURROW" dev del nosuch0
t_status 1 "not root" inA setpriv --reuid 65534 --regid 65534 --clear-groups "$BURROW" dev add bx0 --type tun
t_grep "root or with CAP_NET_ADMIN" "not root says what to do"
t_status 1 "not root, set" inA setpriv --reuid 65534 --regid 65534 --clear-groups "$BURROW" dev set bt0 up
t_grep "root or CAP_NET_ADMIN" "not root (netlink) says what to do"
t_status 1 "no /dev/net/tun" inA unshare -m sh -c "mount -t tmpfs none /dev/net && exec \"\$0\" dev add bx0 --type tun" "$BURROW"
t_grep "modprobe tun" "missing /dev/net/tun says what to do"

# ---- help ----
t_status 0 "burrow help dev" "$BURROW" help dev
for w in "dev add" "dev set" "dev show" "dev del" "Examples:"; do t_grep "$w" "help dev covers '$w'"; done
t_status 0 "burrow dev --help" "$BURROW" dev --help
t_grep "^Usage: burrow dev add" "dev --help prints the usage"
t_status 0 "burrow help dev add" "$BURROW" help dev add
t_grep "Example: burrow dev add" "help dev add gives an example"

t_status 0 "del the tun" inA "$BURROW" dev del bt0
t_status 0 "del the tap" inA "$BURROW" dev del btap0
t_status 0 "show --json with no devices left" inA "$BURROW" dev show --json
t_grep '^\[\]$' "an empty array"
t_done
