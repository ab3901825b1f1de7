#!/usr/bin/env bash
# Issue 10's benchmark: a ledger of ENTRIES (default 1,000,000) small
# synthetic document versions (SIZE bytes, default 256; ENTRIES/10 documents
# of ten versions each), then the targets, each with the command that
# measures it:
#   register  >= 5,000 versions/s in bulk, the last 100,000 no slower than
#             1.2x the first 100,000            (bench/million build)
#   gc        disk bytes per entry before and after        (verbatim gc)
#   verify    >= 15,000 entries/s, peak RSS < 256 MiB       (verbatim verify)
#   audit     < 1 s after 100 new entries                   (verbatim audit)
#   fresh clone: first check FILE, history ID, proof ID < 2 s each
# WORK (default a temporary directory, removed at the end unless KEEP=1)
# holds the ledger: about 6 GB of disk before gc at a million entries.
set -euo pipefail
cd "$(dirname "$0")/.."
ENTRIES=${ENTRIES:-1000000}
SIZE=${SIZE:-256}
WORK=${WORK:-$(mktemp -d)}
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin"
go build -o "$WORK/bin/verbatim" ./cmd/verbatim
go build -o "$WORK/bin/million" ./bench/million
V="$WORK/bin/verbatim"
L="$WORK/ledger"
export VERBATIM_PASSWORD=bench

timed() { # timed LABEL CMD...: wall seconds and peak RSS of CMD
  local label=$1; shift
  /usr/bin/time -f "$label: %e s wall, %U s user, peak RSS %M KiB" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/out" "$WORK/err"; exit 1; }
  tail -n 1 "$WORK/err"
}
bytes() { du -s --block-size=1 "$1" | cut -f1; }

echo "== register $ENTRIES versions of $SIZE bytes ($(nproc) cores)"
"$WORK/bin/million" build -dir "$L" -entries "$ENTRIES" -size "$SIZE" | tee "$WORK/build.txt"
sample_id=$(sed -n 's/^sample: .* is a version of //p' "$WORK/build.txt")

echo "== gc"
before=$(bytes "$L")
timed "gc" "$V" gc --ledger "$L"
after=$(bytes "$L")
echo "disk: $before bytes before gc ($((before / ENTRIES)) per entry), $after after ($((after / ENTRIES)) per entry)"

echo "== verify"
timed "verify" "$V" verify --ledger "$L" --trust "$L.pub"
secs=$(sed -n 's/^verify: \([0-9.]*\) s wall.*/\1/p' "$WORK/err" | tail -n 1)
echo "verify: $(awk -v n="$ENTRIES" -v s="$secs" 'BEGIN { printf "%.0f", (n + 1) / s }') entries/s"

echo "== audit after 100 new entries"
"$V" checkpoint --ledger "$L" --output "$WORK/before.cp"
"$WORK/bin/million" append -dir "$L" -n 100
timed "audit" "$V" audit --ledger "$L" --since "$WORK/before.cp" --trust "$L.pub"

echo "== a fresh clone's first answers"
git clone -q --bare "$L" "$WORK/clone"
timed "check FILE (fresh clone)" "$V" check --ledger "$WORK/clone" --trust "$L.pub" "$L.sample"
grep -m1 . "$WORK/out"
timed "history $sample_id (fresh clone)" "$V" history --ledger "$WORK/clone" "$sample_id"
timed "proof $sample_id (fresh clone)" "$V" proof --ledger "$WORK/clone" "$sample_id" --output "$WORK/sample.proof"
