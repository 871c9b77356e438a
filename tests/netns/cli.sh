#!/usr/bin/env bash
# The burrow binary's command line: help, version, errors and exit statuses.
. "$(dirname "$0")/lib.sh"

t_status 0 "burrow --help exits 0" "$BURROW" --help
t_grep "^Commands:" "--help lists the commands"
t_grep "version" "--help names the version command"
t_status 0 "burrow version exits 0" "$BURROW" version
t_grep "^burrow [0-9]+\.[0-9]+\.[0-9]+" "version prints burrow's version"
t_grep "OpenSSL 3" "version prints the OpenSSL version"
t_status 2 "unknown command exits 2" "$BURROW" nosuchcmd
t_grep "unknown command 'nosuchcmd'" "unknown command is named"
t_grep "burrow --help" "unknown command gives a hint"
t_status 2 "unknown global option exits 2" "$BURROW" --bogus version
t_grep "unknown option '--bogus'" "unknown option is named"
t_status 2 "extra argument to version exits 2" "$BURROW" version extra
t_grep "burrow help version" "usage error hints at help"
t_status 0 "burrow help version exits 0" "$BURROW" help version
t_grep "^Usage: burrow version" "help prints the usage"
t_status 2 "no command exits 2" "$BURROW"
t_status 0 "-V prints version" "$BURROW" -V
t_done
