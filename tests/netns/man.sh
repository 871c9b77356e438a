#!/usr/bin/env bash
# The manual page keeps up with the binary: every command `burrow --help` lists has its own
# section, every option a command's usage line offers is described, and the page renders
# without groff warnings.
. "$(dirname "$0")/lib.sh"

PAGE=$BURROW_SRC/man/burrow.8
[ -r "$PAGE" ] || t_fail "no manual page at $PAGE (it is part of the source tree)"
# The roff source with \- and font escapes removed: what a reader sees, without hyphenation.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\~/ /g' "$PAGE" > "$T_TMP/page"

t_status 0 "burrow --help exits 0" "$BURROW" --help
cmds=$(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p' "$T_TMP/out")
t_check "--help lists commands" test -n "$cmds"
for c in $cmds; do
	t_check "man page has a section for '$c'" grep -qE "^\.SS $c( |$)" "$T_TMP/page"
	# ...with an example: an .EX block before the next section.
	t_check "man page gives an example of '$c'" sh -c "sed -n '/^\.SS $c\( \|\$\)/,/^\.S[SH] /p' '$T_TMP/page' | grep -q '^\.EX'"
	# Options on the usage lines ("[--json]", "--type tun|tap"): each must be in the page.
	"$BURROW" help "$c" > "$T_TMP/usage" 2>&1
	opts=$(sed -n '/^Usage:/,/^$/p' "$T_TMP/usage" | grep -oE -- '(^|[ [])--[a-z][a-z-]*' |
		grep -oE -- '--[a-z-]+' | sort -u)
	for o in $opts; do
		[ "$o" = "--DIRECTIVE" ] && continue
		t_check "man page describes '$c $o'" grep -qF -- "$o" "$T_TMP/page"
	done
done
for s in add set show del; do
	t_check "man page describes 'dev $s'" grep -qE "^\.B dev $s " "$T_TMP/page"
done
t_check "man page points to 'burrow help directives'" grep -qF "burrow help directives" "$T_TMP/page"
for sec in SYNOPSIS DESCRIPTION "EXIT STATUS" SIGNALS FILES ENVIRONMENT SECURITY "SEE ALSO"; do
	t_check "man page has $sec" grep -qE "^\.SH \"?$sec\"?$" "$T_TMP/page"
done
t_check "exit status 2 (usage) is documented" grep -qE "^\.B 2$" "$T_TMP/page"

if command -v groff >/dev/null 2>&1; then
	groff -man -Tutf8 -ww -z "$PAGE" > "$T_TMP/groff" 2>&1
	t_check "groff renders the page" test $? = 0
	t_check "groff -ww gives no warnings" test ! -s "$T_TMP/groff"
	sed 's/^/    /' "$T_TMP/groff"
else
	t_skip_part "needs groff (groff-base; scripts/bootstrap installs it) for the rendering checks"
fi
t_done
