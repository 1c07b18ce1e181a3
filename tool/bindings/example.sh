#!/bin/sh
# example.sh — prints a README example, so the tests run the very code the
# README shows and compare with the very output it promises.
#
#   sh tool/bindings/example.sh README NAME code      the code block
#   sh tool/bindings/example.sh README NAME output    the output block
#
# In the README an example is a marker line, then a fenced code block, then
# a fenced block of what it prints:
#   <!-- example: NAME -->
#   ```js            (any language)
#   ...code...
#   ```
#   ```text
#   ...output...
#   ```
# Exits non-zero when the example or the block is not there.
#
# README "use-it-from" means the "Use it from…" section: README.md once it
# holds the example (the lead pastes tool/examples/use-it-from.md there),
# else tool/examples/use-it-from.md.  Run from the repository root.
set -e
[ $# = 3 ] || { echo "usage: example.sh README NAME code|output" >&2; exit 2; }
readme=$1
if [ "$readme" = use-it-from ]; then
  readme=tool/examples/use-it-from.md
  grep -qxF "<!-- example: $2 -->" README.md 2>/dev/null && readme=README.md
fi
awk -v name="$2" -v part="$3" '
  $0 == "<!-- example: " name " -->" { found = 1; next }
  found && /^```/ {
    if (!inb) { inb = 1; block++; next }
    inb = 0
    if (block == 2) exit
    next
  }
  found && inb && ((part == "code" && block == 1) || (part == "output" && block == 2)) {
    print; n++
  }
  END { if (!n) { print "example.sh: no " part " for example " name > "/dev/stderr"; exit 1 } }
' "$readme"
