#!/usr/bin/env bash
# Runs verbatim's performance benchmarks: bulk registration and full
# verification of a ledger of 10,000 document versions of about 4 KiB.
# Targets (core issue): >= 1,000 versions/s in bulk; last 1,000 no slower
# than 1.5x the first 1,000 (last/first <= 1.5); verify >= 10,000 entries/s
# on two cores; verify's peak heap the same for 4 KiB and 16 KiB documents.
# Set LARGE=0 to skip the 100,000-entry benchmark (about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench 'BenchmarkRegister|BenchmarkVerify' -benchtime 1x -count "${COUNT:-1}" ./ledger/
# Issue 3's figures on 100,000 entries (VERBATIM_BENCH_ENTRIES to change):
# full verify vs an audit after 100 new entries (target: audit >= 20x faster,
# the verify/audit metric), proof generation (Open from the state cache, then
# a bundle whose proof is read from the stored hashes files), and bundle
# verification (target: well under a millisecond).
if [ "${LARGE:-1}" = 1 ]; then
  go test -run '^$' -bench 'BenchmarkLarge' -benchtime 1x -timeout 30m ./ledger/
fi
# Issue 9: load on verbatim serve, on loopback: 200 clients for 10 s mixing
# page views and verifications; requests/s, p50/p99 latency, errors (must be
# 0) and the server's peak memory.
go run ./bench/serveload -clients 200 -duration 10s
