#!/usr/bin/env bash
# Peer-controlled names on burrow's server, with the real openvpn 2.6 client: a certificate
# whose CN holds a ',', a newline, a tab, a command substitution, backticks, ';', quotes, a
# space and a non-ASCII letter (pkigen metacn), a username and a UV_ peer-info value just as
# odd. OpenVPN 2.6's rules (util/sanitize.h): in a name or username every control byte
# becomes '_' and the rest is kept; in a peer-info value white space, '$', '(' and '`' become
# '_' too. Checked everywhere the name goes: status file (one row per client, the right
# column count; burrow also turns a ',' into '_' there), ifconfig-pool-persist file
# (well-formed lines only), the log (one line), client-connect and learn-address scripts
# (env and arguments; nothing is ever executed). The real openvpn server with the same
# configs must give the scripts the same values.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"
PKIGEN=${PKIGEN:-$(dirname "$BURROW")/../tests/netns/pkigen}

ovpn_need
[ -x "$PKIGEN" ] || t_skip "no pkigen helper at $PKIGEN (build first)"
ovpn_setup
ovpn_pki
"$PKIGEN" "$PKI" odd metacn metacn || t_skip "cannot make the metacn certificate"
rm -f /tmp/pwned

# What the certificate's CN must become: the newline and the tab turned into '_'.
NAME=$'ev,il_x;$(touch /tmp/pwned)`id`|&\'"_ \xc3\xa9'
# ... and in a comma-separated file, the ',' too.
FIELD=${NAME//,/_}
USER_IN=$'bo,b $(touch /tmp/pwned)`id`;|'
UVX_IN='a,b $(c)`d` e;f'
UVX=$'a,b___c)_d__e;f'

# The scripts record their environment and arguments, one file per call.
cat > "$T_TMP/rec.sh" <<'EOF'
#!/bin/sh
f="${ENVDIR:-$(dirname "$0")}/env.$script_type.$$"	# (openvpn gives a delete no setenv)
env > "$f"
if [ "$script_type" = learn-address ]; then
	printf 'ARG1=%s\nARG2=%s\nARG3=%s\n' "$1" "$2" "$3" >> "$f"
fi
exit 0
EOF
chmod 755 "$T_TMP/rec.sh"
printf '%s\npw\n' "$USER_IN" > "$T_TMP/up.txt"

# server_conf N: base server + status v2, pool file, the recording scripts (own ENVDIR).
server_conf() {
	mkdir -p "$T_TMP/env$1"
	{ ovpn_server_conf; echo "script-security 2"; echo "setenv ENVDIR $T_TMP/env$1"
	  echo "client-connect $T_TMP/rec.sh"; echo "learn-address $T_TMP/rec.sh"
	  echo "auth-user-pass-verify $T_TMP/rec.sh via-env"
	  echo "ifconfig-pool-persist $T_TMP/ipp$1.txt 1"
	  echo "status $T_TMP/st$1.txt 1"; echo "status-version 2"; } > "$T_TMP/s$1.conf"
}
{ ovpn_client_conf | grep -vE '^(cert|key) '
  printf 'cert %s\nkey %s\n' "$PKI/metacn.crt" "$PKI/metacn.key"
  echo "auth-user-pass $T_TMP/up.txt"; echo "setenv UV_X '$UVX_IN'"; echo "push-peer-info"
} > "$T_TMP/c.conf"

# envval DIR TYPE VAR: VAR's value in the first recorded call of script TYPE.
envval() {
	local f
	f=$(ls "$1"/env."$2".* 2>/dev/null | head -1)
	[ -n "$f" ] && grep -a "^$3=" "$f" | head -1 | cut -d= -f2-
}

# rows FILE TYPE: how many TYPE rows FILE has; cols FILE TYPE: their column counts, and the
# header's (HEADER,TYPE,... has one more).
rows() { grep -ac "^$2," "$1"; }
cols_ok() {
	local h
	h=$(awk -F, -v t="$2" '$1 == "HEADER" && $2 == t { print NF - 1 }' "$1")
	[ -n "$h" ] && awk -F, -v t="$2" -v h="$h" '$1 == t && NF != h { bad = 1 } END { exit bad }' "$1"
}

# 1. burrow's server.
server_conf 1
if ovpn_start_burrow_server "$NS_S" "$T_TMP/s1.conf" b1; then
	if ovpn_start_openvpn "$NS_C" "$T_TMP/c.conf" c1; then
		t_ok "openvpn client with the metacn certificate connects"
		t_wait_for 5 grep -q "^CLIENT_LIST," "$T_TMP/st1.txt"
		t_wait_for 5 sh -c "ls '$T_TMP/env1'/env.learn-address.* >/dev/null 2>&1"
		cp "$T_TMP/st1.txt" "$T_TMP/st1.seen"
		t_check "status: one CLIENT_LIST row" [ "$(rows "$T_TMP/st1.seen" CLIENT_LIST)" = 1 ]
		t_check "status: one ROUTING_TABLE row" \
			[ "$(rows "$T_TMP/st1.seen" ROUTING_TABLE)" = 1 ]
		t_check "status: CLIENT_LIST rows have the header's column count" \
			cols_ok "$T_TMP/st1.seen" CLIENT_LIST
		t_check "status: ROUTING_TABLE rows have the header's column count" \
			cols_ok "$T_TMP/st1.seen" ROUTING_TABLE
		t_check "status: the name column is the sanitised name, ',' as '_'" \
			grep -aqF "CLIENT_LIST,$FIELD,10.99.0.2:" "$T_TMP/st1.seen"
		t_check "status: every line is a known record" \
			sh -c "! grep -avE '^(TITLE|TIME|HEADER|CLIENT_LIST|ROUTING_TABLE|GLOBAL_STATS|END)(,|\$)' '$T_TMP/st1.seen'"
		t_check "log: the client is named on one line, newline and tab as '_'" \
			grep -aqF "client '$NAME' connected" "$T_TMP/b1.log"
		t_check "log: no line carries the rest of the name" \
			sh -c "! grep -aqE '^(x;|il_x)' '$T_TMP/b1.log'"
		for s in user-pass-verify client-connect learn-address; do
			t_check "$s env: common_name is the sanitised name" \
				[ "$(envval "$T_TMP/env1" $s common_name)" = "$NAME" ]
		done
		for s in client-connect learn-address; do
			t_check "$s env: username kept as sent (no control bytes)" \
				[ "$(envval "$T_TMP/env1" $s username)" = "$USER_IN" ]
			t_check "$s env: UV_X peer-info value sanitised" \
				[ "$(envval "$T_TMP/env1" $s UV_X)" = "$UVX" ]
			t_check "$s env: IV_VER peer-info passed" \
				grep -aq "^IV_VER=2\.6" "$(ls "$T_TMP/env1"/env.$s.* | head -1)"
		done
		t_check "learn-address: argument 3 is the sanitised name" \
			[ "$(envval "$T_TMP/env1" learn-address ARG3)" = "$NAME" ]
		ovpn_stop c1
	else
		t_bad "openvpn client with the metacn certificate connects"
		sed 's/^/    server: /' "$T_TMP/b1.log" | tail -15
	fi
	ovpn_stop b1
	t_check "pool file: written, every line well-formed (name,IPv4)" \
		sh -c "[ -f '$T_TMP/ipp1.txt' ] && ! grep -avE '^[^,]+,[0-9.]+(,[0-9a-f:]+)?\$' '$T_TMP/ipp1.txt'"
	t_check "pool file: the name with a ',' is not written (it could not be read back)" \
		sh -c "! grep -aq 'pwned' '$T_TMP/ipp1.txt'"
else
	t_bad "burrow server starts"
fi
t_check "no command from a name or username ran" [ ! -e /tmp/pwned ]

# 3. A username with control bytes (the openvpn client drops them before sending; burrow's
# client sends the line as is): on burrow's server, and on the real openvpn server, they
# become '_' in the script's env; via-file, the credentials file keeps its two lines.
cat > "$T_TMP/auth.sh" <<'EOF'
#!/bin/sh
[ -n "$1" ] && cp "$1" "$ENVDIR/creds"
env > "$ENVDIR/env.auth"
exit 0
EOF
chmod 755 "$T_TMP/auth.sh"
printf 'bo\x01b\t$(touch /tmp/pwned)\np\x02w\n' > "$T_TMP/up3.txt"
USER3='bo_b_$(touch /tmp/pwned)'
{ ovpn_client_conf | grep -vE '^(cert|key) '
  printf 'cert %s\nkey %s\n' "$PKI/metacn.crt" "$PKI/metacn.key"
  echo "auth-user-pass $T_TMP/up3.txt"; } > "$T_TMP/c3.conf"
for m in file env; do
	mkdir -p "$T_TMP/env3$m"
	{ ovpn_server_conf; echo "script-security 2"; echo "setenv ENVDIR $T_TMP/env3$m"
	  echo "auth-user-pass-verify $T_TMP/auth.sh via-$m"; } > "$T_TMP/s3$m.conf"
done
if ovpn_start_burrow_server "$NS_S" "$T_TMP/s3file.conf" b3 &&
   ovpn_start_burrow "$NS_C" "client --config" "$T_TMP/c3.conf" c3; then
	t_check "via-file: the credentials file has two lines" \
		[ "$(wc -l < "$T_TMP/env3file/creds")" = 2 ]
	t_check "via-file: username control bytes as '_'" \
		[ "$(head -1 "$T_TMP/env3file/creds")" = "$USER3" ]
	t_check "via-file: password control bytes as '_'" \
		[ "$(sed -n 2p "$T_TMP/env3file/creds")" = "p_w" ]
	t_check "via-file: common_name is the sanitised name" \
		[ "$(grep -a '^common_name=' "$T_TMP/env3file/env.auth" | cut -d= -f2-)" = "$NAME" ]
else
	t_bad "burrow server (via-file) and burrow client with an odd username connect"
fi
ovpn_stop c3; ovpn_stop b3
if ovpn_start_burrow_server "$NS_S" "$T_TMP/s3env.conf" b4 &&
   ovpn_start_burrow "$NS_C" "client --config" "$T_TMP/c3.conf" c4; then
	t_check "via-env: username control bytes as '_'" \
		[ "$(grep -a '^username=' "$T_TMP/env3env/env.auth" | cut -d= -f2-)" = "$USER3" ]
	t_check "via-env: password control bytes as '_'" \
		[ "$(grep -a '^password=' "$T_TMP/env3env/env.auth" | cut -d= -f2-)" = "p_w" ]
	mv "$T_TMP/env3env/env.auth" "$T_TMP/env3env/env.burrow"
else
	t_bad "burrow server (via-env) and burrow client with an odd username connect"
fi
ovpn_stop c4; ovpn_stop b4
if ovpn_start_openvpn "$NS_S" "$T_TMP/s3env.conf" o4 &&
   ovpn_start_burrow "$NS_C" "client --config" "$T_TMP/c3.conf" c5; then
	t_check "openvpn server agrees: via-env username" \
		[ "$(grep -a '^username=' "$T_TMP/env3env/env.auth" | cut -d= -f2-)" = "$USER3" ]
	# (openvpn 2.6.14 sets no password variable here at all; burrow's via-env does)
else
	t_bad "openvpn server and burrow client with an odd username connect"
fi
ovpn_stop c5; ovpn_stop o4

# 4. The real openvpn server, same configs as 1: the scripts see the same values. For the record
# (not checked): openvpn 2.6 writes the ',' as is in its status and pool files.
server_conf 2
if ovpn_start_openvpn "$NS_S" "$T_TMP/s2.conf" o2; then
	if ovpn_start_openvpn "$NS_C" "$T_TMP/c.conf" c2; then
		t_wait_for 5 grep -q "^CLIENT_LIST," "$T_TMP/st2.txt"
		t_wait_for 5 sh -c "ls '$T_TMP/env2'/env.learn-address.* >/dev/null 2>&1"
		for v in common_name username UV_X; do
			t_check "openvpn server agrees: client-connect $v" \
				[ "$(envval "$T_TMP/env2" client-connect $v)" = \
				  "$(envval "$T_TMP/env1" client-connect $v)" ]
		done
		echo "# openvpn server status row: $(grep -a '^CLIENT_LIST,' "$T_TMP/st2.txt" |
			awk -F, '{ print NF " fields: " $0 }')"
		ovpn_stop c2
	else
		t_bad "openvpn client connects to the openvpn server"
	fi
	ovpn_stop o2
	echo "# openvpn server pool file: $(cat "$T_TMP/ipp2.txt" 2>/dev/null)"
else
	t_bad "openvpn server starts"
fi
t_check "no command from a name or username ran (openvpn server)" [ ! -e /tmp/pwned ]
t_done
