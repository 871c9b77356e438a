#!/usr/bin/env bash
# The real openvpn 2.6 client against burrow server with tls-crypt-v2 (the server unwraps the
# client's key from its WKc), default data-ciphers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ovpn_lib.sh"

if ovpn_server_case "tls-crypt-v2 $PKI/v2srv.key" "tls-crypt-v2 $PKI/v2cli.key"; then
	t_check "server log names the cipher" grep -q "cipher AES-256-GCM" "$T_TMP/server.log"
fi
t_done
