# Shared helpers for shell tests. Source it: . "$(dirname "$0")/lib.sh"
# Every namespace a test makes is named bw-<test>-<pid>-N and removed on exit, whatever happens.
set -u
BURROW=${BURROW:-$(cd "$(dirname "$0")/../.." && pwd)/build/src/burrow}
BURROW_SRC=${BURROW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BURROW_SHARED=${BURROW_SHARED:-$BURROW_SRC/../shared}
# burrow client hands pushed DNS to resolvconf/resolved: never the host's from a test (dns.sh opts in)
export BURROW_DNS=${BURROW_DNS:-print}
T_NAME=$(basename "$0" .sh)
T_PASS=0
T_FAIL=0
T_NS=()
T_PIDS=()
T_TMP=$(mktemp -d "/tmp/burrow-$T_NAME.XXXXXX")

t_cleanup() {
	local p ns
	for p in "${T_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${T_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	# t_netns may run in a command substitution (a subshell): its names are kept in a file
	for ns in "${T_NS[@]}" $(cat "$T_TMP/netns.list" 2>/dev/null); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# A skip is for a prerequisite this machine lacks (not root, a program not installed, no
# /dev/net/tun, no ../shared corpus); it exits 77 and tests/run lists it with its reason (in
# CI it fails unless tests/skip-allow.txt lists it). A set-up step that fails where its
# prerequisites are present (a namespace, a veth, the PKI, a helper binary of this build) is a
# failure: t_fail.
# t_skip REASON: exit 77 (skipped) after saying why.
t_skip() { echo "SKIP $T_NAME: $*"; exit 77; }
# t_fail REASON: a set-up step failed; exit 1 after saying which.
t_fail() { echo "FAIL $T_NAME: set-up: $*"; exit 1; }
t_need_root() { [ "$(id -u)" = 0 ] || t_skip "needs root (network namespaces); run as root or with sudo"; }
t_need() { command -v "$1" >/dev/null 2>&1 || t_skip "needs '$1' (scripts/bootstrap installs it)"; }
# t_need_built PATH WHAT: a binary of this build (burrow, a test helper) must be there.
t_need_built() { [ -x "$1" ] || t_fail "no $2 at $1 (the build makes it: ninja -C BUILD)"; }
# t_skip_part REASON: part of the test cannot run here; the rest runs, and t_done then exits
# 77 (skipped) unless something failed, so the missing part is not counted as a pass.
T_SKIPPED=()
t_skip_part() { echo "SKIP $T_NAME (part): $*"; T_SKIPPED+=("$*"); }

t_ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
t_bad() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }
# t_check DESC CMD...: passes when CMD exits 0.
t_check() { local d=$1; shift; if "$@"; then t_ok "$d"; else t_bad "$d"; fi; }
# t_status WANT DESC CMD...: passes when CMD exits with status WANT.
t_status() { local want=$1 d=$2 rc; shift 2; "$@" >"$T_TMP/out" 2>&1; rc=$?
	if [ "$rc" = "$want" ]; then t_ok "$d"; else t_bad "$d (exit $rc, wanted $want)"; sed 's/^/    /' "$T_TMP/out"; fi; }
# t_grep PATTERN DESC: the last t_status output matches PATTERN.
t_grep() { if grep -qE -- "$1" "$T_TMP/out"; then t_ok "$2"; else t_bad "$2 (no /$1/ in output)"; sed 's/^/    /' "$T_TMP/out"; fi; }
t_done() {
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" = 0 ] || exit 1
	if [ ${#T_SKIPPED[@]} -gt 0 ]; then
		local r
		for r in "${T_SKIPPED[@]}"; do echo "SKIP $T_NAME: $r"; done
		exit 77
	fi
	exit 0
}

# t_netns: makes a namespace with loopback up, prints its name.
# Works in $(...) too: the name is unique per call and remembered in a file for cleanup.
t_netns() {
	local n ns
	n=$(cat "$T_TMP/netns.list" 2>/dev/null | wc -l)
	ns="bw-${T_NAME:0:8}-$$-$n"
	echo "$ns" >> "$T_TMP/netns.list"
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up
	T_NS+=("$ns")
	echo "$ns"
}
# t_netns_pair A B ADDR_A ADDR_B: joins two namespaces with a veth pair (v0 in A, v1 in B).
t_netns_pair() {
	ip link add v0 netns "$1" type veth peer name v1 netns "$2" &&
	ip -n "$1" addr add "$3/24" dev v0 && ip -n "$2" addr add "$4/24" dev v1 &&
	ip -n "$1" link set v0 up && ip -n "$2" link set v1 up
}
# t_bg CMD...: runs CMD in the background, killed at exit.
t_bg() { "$@" & T_PIDS+=($!); }
# t_wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds or time runs out.
t_wait_for() { local n=$(( $1 * 10 )); shift; while [ $n -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done; return 1; }
