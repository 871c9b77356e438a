#!/usr/bin/env bash
# Benchmark, not a test (not registered in meson): round trip and ping-pong rate through two
# kernel TUN devices in two namespaces bridged by tunfwd (the kernel backend on both ends).
# Usage: BURROW=build/src/burrow tests/netns/bench_tunpair.sh [COUNT]   (root)
. "$(dirname "$0")/lib.sh"
t_need_root
t_need ping
COUNT=${1:-20000}
TUNFWD=${TUNFWD:-$(dirname "$BURROW")/../tests/netns/tunfwd}
t_need_built "$TUNFWD" "tunfwd helper"
A=$(t_netns) && B=$(t_netns) || t_fail "cannot create network namespaces"
ip netns exec "$A" "$BURROW" dev add ba0 --type tun --addr 10.71.0.1/24 --up >/dev/null || exit 1
ip netns exec "$B" "$BURROW" dev add bb0 --type tun --addr 10.71.0.2/24 --up >/dev/null || exit 1
t_bg "$TUNFWD" fwd "$A" ba0 "$B" bb0 120 >"$T_TMP/fwd.out" 2>&1
t_wait_for 5 grep -q ready "$T_TMP/fwd.out" || { echo "tunfwd did not start"; exit 1; }
echo "one at a time (ping -i 0.001, 1000 packets):"
ip netns exec "$A" ping -q -c 1000 -i 0.001 -W 2 10.71.0.2 | tail -2
echo "back to back (ping -f, $COUNT packets): round trips per second = packets / time"
ip netns exec "$A" timeout 60 ping -q -f -c "$COUNT" -W 2 10.71.0.2 | tail -2
