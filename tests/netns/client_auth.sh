#!/usr/bin/env bash
# auth-user-pass: the right credentials bring the tunnel up; wrong ones get AUTH_FAILED, a
# clear message and exit status 3 (no retry loop).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

ovpn_need
ovpn_setup
ovpn_pki
cat > "$T_TMP/check.sh" <<'SH'
#!/bin/sh
[ "$(sed -n 1p "$1")" = alice ] && [ "$(sed -n 2p "$1")" = "s3cret pass" ]
SH
chmod 755 "$T_TMP/check.sh"
printf 'alice\ns3cret pass\n' > "$T_TMP/good.txt"
printf 'alice\nwrong\n' > "$T_TMP/bad.txt"
{ ovpn_server_conf; echo "tls-crypt $PKI/tc.key"; echo "script-security 2";
  echo "auth-user-pass-verify $T_TMP/check.sh via-file"; } > "$T_TMP/s.conf"
{ ovpn_client_conf; echo "tls-crypt $PKI/tc.key"; } > "$T_TMP/c.conf"
if ovpn_start_openvpn "$NS_S" "$T_TMP/s.conf" server; then
	if ovpn_start_burrow "$NS_C" client "$T_TMP/c.conf" client --auth-user-pass "$T_TMP/good.txt"; then
		t_ok "good credentials: tunnel up"
		t_check "ping through the authenticated tunnel" ovpn_ping "$NS_C" 10.8.0.1
		ovpn_client_exit
	else
		t_bad "good credentials: tunnel up"
	fi
	# No file: asked on a terminal (a pty here); the password must not be echoed.
	python3 - "$NS_C" "$BURROW" "$T_TMP/c.conf" > "$T_TMP/pty.out" 2>&1 <<'PY'
import os, pty, select, signal, sys, time
ns, burrow, conf = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("ip", ["ip", "netns", "exec", ns, burrow, "client", conf, "--auth-user-pass"])
buf = b""
def wait_for(pat, secs):
    global buf
    end = time.time() + secs
    while pat not in buf and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                buf += os.read(fd, 4096)
            except OSError:
                break
    return pat in buf
ok = wait_for(b"Enter Auth Username:", 10)
os.write(fd, b"alice\n")
ok = ok and wait_for(b"Enter Auth Password:", 10)
os.write(fd, b"s3cret pass\n")
ok = ok and wait_for(b"tunnel up", 15)
os.kill(pid, signal.SIGTERM)
wait_for(b"exiting", 5)
os.waitpid(pid, 0)
sys.stdout.write(buf.decode(errors="replace"))
print("\nPROMPT-OK" if ok else "\nPROMPT-FAILED")
print("ECHOED" if b"s3cret" in buf else "NOT-ECHOED")
PY
	t_check "terminal prompt: credentials asked and accepted" grep -q "^PROMPT-OK" "$T_TMP/pty.out"
	t_check "terminal prompt: password not echoed" grep -q "^NOT-ECHOED" "$T_TMP/pty.out"
	ip netns exec "$NS_C" timeout 30 "$BURROW" client "$T_TMP/c.conf" --auth-user-pass "$T_TMP/bad.txt" \
		>"$T_TMP/bad.log" 2>&1
	rc=$?
	t_check "bad credentials: exit status 3 (got $rc)" test "$rc" = 3
	t_check "bad credentials: says authentication failed" grep -q "authentication failed" "$T_TMP/bad.log"
	t_check "bad credentials: no tunnel" sh -c "! grep -q 'tunnel up' $T_TMP/bad.log"
else
	t_bad "openvpn server starts"
fi
t_done
