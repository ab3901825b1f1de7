// Command verbatim keeps a provenance ledger of documents: it registers
// signed versions of documents in a git-backed, append-only ledger and
// verifies them. See README.md and docs/FORMAT.md.
package main

import (
	"os"

	"github.com/verbatim-ledger/verbatim/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
