#!/usr/bin/env bash
# What a user meets when something is wrong on the command line or in a config: every error
# is one line that names the thing at fault and says what to do; usage errors exit 2 (plus
# one "Try 'burrow help ...'" line), runtime and config errors exit 1. The cases that need
# root (a namespace, dropping to nobody) run only as root.
. "$(dirname "$0")/lib.sh"

# t_lines N DESC: the last output has exactly N lines.
t_lines() { local n; n=$(wc -l < "$T_TMP/out")
	if [ "$n" = "$1" ]; then t_ok "$2"; else t_bad "$2 ($n lines)"; sed 's/^/    /' "$T_TMP/out"; fi; }
# usage_err DESC PATTERN CMD...: exit 2, the message matches, then the help hint, two lines.
usage_err() { local d=$1 p=$2; shift 2
	t_status 2 "$d: exits 2" "$@"; t_grep "$p" "$d: says what is wrong"
	t_grep "^Try 'burrow help" "$d: points to help"; t_lines 2 "$d: two lines"; }
# run_err DESC PATTERN CMD...: exit 1 with one line matching PATTERN.
run_err() { local d=$1 p=$2; shift 2
	t_status 1 "$d: exits 1" "$@"; t_grep "$p" "$d: names the fault"; t_lines 1 "$d: one line"; }

t_need openssl
D=$T_TMP/d
mkdir -p "$D" && chmod 755 "$T_TMP" "$D"
# A self-signed EC certificate serves as CA and as our own: enough for the config to validate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=t -keyout "$D/k.pem" -out "$D/c.pem" >/dev/null 2>&1 || t_fail "openssl cannot make a test certificate"
chmod 644 "$D/k.pem"
printf 'client\ndev tun\nremote 127.0.0.1 1194\nca c.pem\ncert c.pem\nkey k.pem\n' > "$D/c.ovpn"
printf 'port 1194\ndev tun\nserver 10.8.0.0 255.255.255.0\nca c.pem\ncert c.pem\nkey k.pem\ndh none\n' > "$D/s.conf"

# ---- usage errors: exit 2 ----
usage_err "help of a command with no subcommands" "'client' has no subcommands" \
	"$BURROW" help client extra
usage_err "help of an unknown command" "no command 'frob'" "$BURROW" help frob
usage_err "a stray word after the profile" "unexpected argument 'extra'.*--name ARGS" \
	"$BURROW" client "$D/c.ovpn" extra
usage_err "-v after the command" "'-v' is a global option: put it before the command" \
	"$BURROW" client "$D/c.ovpn" -v
usage_err "a stray word after the server config" "unexpected argument 'now'" \
	"$BURROW" server "$D/s.conf" now
usage_err "server without a config" "missing the config file" "$BURROW" server
usage_err "client --config without a file" "--config needs a FILE" "$BURROW" client --config
usage_err "status with two files" "unexpected argument 'b'" "$BURROW" status a b
usage_err "status without a file" "give the server's status file as FILE" "$BURROW" status
usage_err "status --json without a file" "give the server's status file as FILE" "$BURROW" status --json
usage_err "demo with a bad --seconds" "--seconds needs .*1\.\.60" "$BURROW" demo --seconds 0
usage_err "demo with a bad --peer" "--peer needs one of: burrow, openvpn" "$BURROW" demo --peer x
usage_err "dev set with an unknown setting" "unknown setting 'colour'" \
	"$BURROW" dev set nosuch0 colour blue
usage_err "dev set mtu without a value" "want 'set NAME mtu N'" "$BURROW" dev set nosuch0 mtu
usage_err "dev add with a word for --mtu" "MTU 'big' is not a number" \
	"$BURROW" dev add x0 --type tun --mtu big
usage_err "unknown global option" "unknown option '--colour'" "$BURROW" --colour version

# ---- config errors: exit 1, file:line ----
run_err "a server config given to client" \
	"s.conf:3: server: server-only directive .* 'burrow server'" "$BURROW" client "$D/s.conf"
run_err "a client profile given to server" \
	"c.ovpn:1: client: client-only directive .* 'burrow client'" "$BURROW" server "$D/c.ovpn"
run_err "a missing profile" "nope.ovpn: cannot read .*check the path" "$BURROW" client "$D/nope.ovpn"
run_err "tun-mtu out of range on the command line" \
	"<command line>:[0-9]+: tun-mtu: '10' is not a number from 576 to 65535" \
	"$BURROW" client "$D/c.ovpn" --tun-mtu 10
run_err "port 70000 in a file" "p.conf:1: port: bad port '70000'" \
	sh -c "sed 's/^port 1194/port 70000/' '$D/s.conf' > '$D/p.conf'; \"\$0\" server '$D/p.conf'" "$BURROW"
run_err "a log file that cannot be opened" "log $D/no/dir/b.log: cannot open the log file" \
	"$BURROW" client "$D/c.ovpn" --log "$D/no/dir/b.log"
run_err "status of a file that is not a status file" "is not a server status file" \
	"$BURROW" status "$D/c.ovpn"
run_err "status without a server" "cannot read $D/none.status.*is a burrow server running" \
	"$BURROW" status "$D/none.status"

# ---- as root: privileges and devices, inside a throw-away namespace ----
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
	NS=$(t_netns) || t_fail "cannot create a network namespace"
	nobody() { ip netns exec "$NS" setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
	run_err "client without root" "burrow client needs root or CAP_NET_ADMIN.*sudo" \
		nobody "$BURROW" client "$D/c.ovpn"
	run_err "server without root" "burrow server needs root or CAP_NET_ADMIN.*sudo" \
		nobody "$BURROW" server "$D/s.conf"
	run_err "a config error comes before the privilege check" "s.conf:3: server:" \
		nobody "$BURROW" client "$D/s.conf"
	t_status 1 "an up script: still needs root" nobody "$BURROW" client "$D/c.ovpn" \
		--script-security 2 --up /bin/true
	t_grep "needs root or CAP_NET_ADMIN" "an up script: the privilege error comes first"
	run_err "dev add without root" "root or with CAP_NET_ADMIN" \
		nobody "$BURROW" dev add x0 --type tun
	run_err "dev del of loopback is refused" "'lo' is not a TUN/TAP device.*ip link" \
		ip netns exec "$NS" "$BURROW" dev del lo
	t_check "loopback is still there" sh -c "ip -n $NS link show lo >/dev/null"
	run_err "dev set of loopback is refused" "'lo' is not a TUN/TAP device" \
		ip netns exec "$NS" "$BURROW" dev set lo mtu 1400
	t_check "loopback's MTU is unchanged" sh -c "ip -n $NS link show lo | grep -q 'mtu 65536'"
	t_status 0 "dev add tun" ip netns exec "$NS" "$BURROW" dev add bt0 --type tun --addr 10.61.0.1/24 --up
	t_status 0 "route add" ip netns exec "$NS" "$BURROW" dev set bt0 route add 10.62.0.0/16
	run_err "the same route again" "^burrow dev: bt0: .*10\.62\.0\.0/16.*already there" \
		ip netns exec "$NS" "$BURROW" dev set bt0 route add 10.62.0.0/16
	t_status 0 "dev del tun" ip netns exec "$NS" "$BURROW" dev del bt0
	# Ctrl-C at the password prompt must give the terminal its echo back.
	if command -v python3 >/dev/null 2>&1; then
		printf 'auth-user-pass\n' | cat "$D/c.ovpn" - > "$D/a.ovpn"
		t_status 0 "Ctrl-C at the password prompt" python3 - "$BURROW" "$D/a.ovpn" <<-'PY'
		import os, pty, select, sys, termios, time
		pid, fd = pty.fork()
		if pid == 0:
		    os.execv(sys.argv[1], [sys.argv[1], "client", sys.argv[2]])
		def wait_for(pat):
		    buf, end = b"", time.time() + 5
		    while pat not in buf and time.time() < end:
		        if select.select([fd], [], [], 0.1)[0]:
		            buf += os.read(fd, 1024)
		    return pat in buf
		ok = wait_for(b"Username: ")
		os.write(fd, b"alice\n")
		ok = ok and wait_for(b"Password: ")
		time.sleep(0.2)
		quiet = not termios.tcgetattr(fd)[3] & termios.ECHO
		os.write(fd, b"\x03")
		_, st = os.waitpid(pid, 0)
		echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
		print("prompted %s, no echo while typing %s, echo after Ctrl-C %s, killed by SIGINT %s"
		      % (ok, quiet, echo, os.WIFSIGNALED(st) and os.WTERMSIG(st) == 2))
		sys.exit(0 if ok and quiet and echo and os.WIFSIGNALED(st) else 1)
		PY
		t_grep "echo after Ctrl-C True" "the terminal echoes again after Ctrl-C"
	else
		t_skip_part "the Ctrl-C at the password prompt case needs python3"
	fi
else
	t_skip_part "the root-only cases (privilege drop, namespaces) need root, setpriv and ip"
fi
t_done
