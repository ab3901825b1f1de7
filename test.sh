#!/usr/bin/env bash
# The test command README.md gives: formatting, vet, and every test
# (unit, golden, tamper, fuzz seed corpora, and the end-to-end scripts that
# build the verbatim binary and run it as a user would).
set -euo pipefail
cd "$(dirname "$0")"

unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "gofmt would change these files:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
go test -count=1 ./...
