#!/usr/bin/env bash
# The main job on the bundled example: build verbatim, make a key, create a
# ledger, register the 2016 prisoners' letter and a corrected version,
# verify the ledger, show and check the texts. Runs in ./demo-out (made anew).
set -euo pipefail
cd "$(dirname "$0")"

export VERBATIM_PASSWORD="${VERBATIM_PASSWORD:-demo-password}"
out=demo-out
rm -rf "$out" && mkdir -p "$out"
go build -o "$out/verbatim" ./cmd/verbatim
v="$out/verbatim"
run() { printf '\n$ %s\n' "$*"; "$@"; }

run $v keys generate --output "$out/archivist"
run $v init --ledger "$out/ledger" --name example.org/prisoners-letters --key "$out/archivist.key"
export VERBATIM_LEDGER="$out/ledger"
run $v register examples/prisoners-letter-2016.txt --key "$out/archivist.key" \
  --title "Letter by eleven political prisoners to the Paris conference" \
  --source "https://www.iran-hrm.com/" --language en
run $v register examples/prisoners-letter-2016-corrected.txt --doc prisoners-letter-2016 \
  --key "$out/archivist.key" --note "spelling made consistent (organisers)"
run $v register examples/prisoners-letter-2016-corrected.txt --doc prisoners-letter-2016 --key "$out/archivist.key"   # already the latest version: adds nothing
run $v verify --trust "$out/archivist.pub"
run $v history prisoners-letter-2016
printf '\n$ %s\n' "$v show prisoners-letter-2016@1 > $out/v1.txt"
$v show prisoners-letter-2016@1 > "$out/v1.txt"
cmp "$out/v1.txt" examples/prisoners-letter-2016.txt
echo "(the bytes shown are exactly examples/prisoners-letter-2016.txt)"
run $v check examples/prisoners-letter-2016.txt examples/prisoners-letter-2016-corrected.txt --trust "$out/archivist.pub"

# A copy altered by one character is not a registered version (exit 1);
# check names the nearest version and the changed word.
sed 's/30,000/3,000/' examples/prisoners-letter-2016.txt > "$out/altered.txt"
if run $v check "$out/altered.txt" --trust "$out/archivist.pub"; then
  echo "demo: an altered copy was accepted" >&2; exit 1
fi
echo
echo "demo: all steps behaved as expected; the ledger is in $out/ledger (git log --git-dir=$out/ledger)"
