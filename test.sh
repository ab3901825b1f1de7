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

# The cosign interoperability test (cmd/verbatim/cosign_test.go) needs a
# cosign binary; without one it is skipped, and go test would not say so.
cosign_warning=""
if ! command -v cosign >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/cosign" ]; then
  cosign_warning="WARNING: cosign is not installed: TestCosignVerifiesEnvelopes (verbatim's envelopes and keys in stock cosign) is SKIPPED. Install it with: go install github.com/sigstore/cosign/v2/cmd/cosign@latest"
  echo "$cosign_warning" >&2
fi
go test -count=1 ./...
if [ -n "$cosign_warning" ]; then
  echo "$cosign_warning" >&2
fi
