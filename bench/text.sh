#!/usr/bin/env bash
# Benchmarks of the journalist's check machinery (issue 7, docs/TEXT.md):
# normalising and sketching a ~4 KiB text (target: sketch well under 1 ms),
# word diffs, and nearest-version search over 100,000 synthetic 4 KiB
# versions (target: lookup of an altered copy well under 100 ms once the
# index is built; right version found for copies with 1, 10 and 50 changed
# words — the hit-rate metric). The index build (about a minute on two busy
# cores, sketching included) is reported once as build-s and index-MiB.
# VERSIONS=N changes the corpus size; HITS=0 skips the hit-rate test.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchmem ./textform/ ./sketch/ ./worddiff/
n="${VERSIONS:-100000}"
go test -run '^$' -bench 'BenchmarkNearest|BenchmarkCandidates' -benchtime 200x -benchmem -timeout 30m ./nearest/ -corpus "$n"
if [ "${HITS:-1}" = 1 ]; then
  go test -run TestFindsAlteredCopies -v -timeout 30m ./nearest/ -corpus "$n" | grep -E 'words changed|^(ok|FAIL|---)'
fi
# End to end through a ledger (package match, what 'verbatim check' runs):
# VERSIONS versions registered through the library in bulk, then lookups of
# altered copies (1, 10, 50 changed words) after the index is built; found-%
# is how often the answer is the version the copy was made from.
go test -run '^$' -bench BenchmarkFind -benchtime 50x -timeout 60m ./match/ -versions "$n"
