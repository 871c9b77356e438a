#!/usr/bin/env bash
# `burrow client` command line: help, usage errors and profile errors, without a network.
. "$(dirname "$0")/lib.sh"

t_status 0 "client --help exits 0" "$BURROW" client --help
t_grep "^Usage: burrow client" "--help shows the usage"
t_grep "auth-user-pass" "--help explains credentials"
t_status 2 "client without a profile exits 2" "$BURROW" client
t_grep "missing the config file \(PROFILE.ovpn\)" "missing profile is named"
t_status 2 "two profiles exit 2" "$BURROW" client --config a.ovpn --config b.ovpn
t_status 1 "missing profile file exits 1" "$BURROW" client "$T_TMP/nope.ovpn"
t_grep "nope.ovpn" "the missing file is named"
printf 'client\nremote 127.0.0.1\ndev tun\nbogus-directive 1\n' > "$T_TMP/bad.ovpn"
t_status 1 "unknown directive exits 1" "$BURROW" client "$T_TMP/bad.ovpn"
t_grep "bad.ovpn:4" "the error names file:line"
t_done
