#!/usr/bin/env bash
# Configuration errors and `burrow help directives` through the real binary: every config
# problem is one line naming file:line, the directive and what to do; nothing is sent.
. "$(dirname "$0")/lib.sh"

t_status 0 "help directives exits 0" "$BURROW" help directives
t_grep "^  remote HOST \[PORT \[PROTO\]\] " "lists remote with its arguments"
t_grep "^  push \"OPTION \.\.\.\" .*\(server, ccd\)" "marks push as server/ccd"
t_grep "^ +noticed: a scheduling hint" "says why a harmless directive is only noticed"
t_grep "^ +refused: this key-usage check is not implemented — remove it" "says why a directive is refused and what to do"
t_grep "^ +honoured \(tests/netns/client_pullfilter.sh\)" "names the test of an honoured directive"
t_status 0 "help directives --json exits 0" "$BURROW" help directives --json
t_check "--json is a JSON array with a status for every directive" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) > 150 and all(o["status"] in ("honoured", "noticed", "refused") for o in d)
assert all(("test" in o) == (o["status"] == "honoured") for o in d)' "$T_TMP/out"
t_status 0 "help help mentions directives" "$BURROW" help help
t_grep "burrow help directives" "help usage names 'directives'"

printf 'client\ndev tun\nremote 127.0.0.1 1194\npersist-tunn\n' > "$T_TMP/typo.ovpn"
t_status 1 "a typo fails" "$BURROW" client "$T_TMP/typo.ovpn"
t_grep "typo.ovpn:4: persist-tunn: unknown directive .* did you mean 'persist-tun'\?" \
	"the typo is named with file:line and a suggestion"

printf 'client\r\ndev tun\r\nremote 127.0.0.1 1194\r\nca ca.crt\r\ncert c.crt\r\nkey c.key\r\n' \
	> "$T_TMP/nofiles.ovpn"
t_status 1 "missing key files fail" "$BURROW" client "$T_TMP/nofiles.ovpn"
t_grep "nofiles.ovpn:4: ca: cannot read '$T_TMP/ca.crt': No such file or directory" \
	"the missing file is resolved against the profile's directory"

printf 'client\ndev tun\nremote 127.0.0.1\n' > "$T_TMP/port.ovpn"
t_status 1 "a bad port on the command line fails" "$BURROW" client "$T_TMP/port.ovpn" --port 70000
t_grep "<command line>:[0-9]+: port: bad port '70000'" "the override is named"

printf 'client\ndev tun\nremote 127.0.0.1\nremote-cert-ku 80\n' > "$T_TMP/ku.ovpn"
t_status 1 "a refused directive fails" "$BURROW" client "$T_TMP/ku.ovpn"
t_grep "ku.ovpn:4: remote-cert-ku: this key-usage check is not implemented — remove it and use remote-cert-tls" \
	"the refusal names file:line, why and what to do"
printf 'client\ndev tun\nremote 127.0.0.1\nmute 20\n' > "$T_TMP/mute.ovpn"
t_status 1 "a noticed directive does not stop the load" "$BURROW" client "$T_TMP/mute.ovpn"
t_grep "mute.ovpn:4: mute: accepted, but it does not matter here: burrow does not drop repeated log lines" \
	"the notice is a warning with the reason"
t_grep "mute.ovpn: ca: no CA certificate" "validation went on past the noticed line"

printf 'port 1194\ndev tun\nserver 10.8.0.1 255.255.255.0\n' > "$T_TMP/srv.conf"
t_status 1 "a bad server network fails" "$BURROW" server "$T_TMP/srv.conf"
t_grep "srv.conf:3: server: 10.8.0.1 is not a network address" "the server line is named"
t_done
