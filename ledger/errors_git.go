package ledger

import (
	"fmt"
)

// Sentinel errors about the git repository a ledger lives in, as opposed to
// its contents: the repository is not in a state verbatim can read the
// ledger from, and saying how to fix it is more use than a verdict. Both
// wrap ErrInput (exit status 2).
var (
	// ErrHead means HEAD names a branch without commits while the
	// repository has other branches: which one holds the ledger is for the
	// user to say (FORMAT.md §2.1). The message lists them and the git
	// command that selects one.
	ErrHead = fmt.Errorf("%w: HEAD does not name the ledger's branch", ErrInput)
	// ErrShallow means the repository is a shallow clone: the history
	// before its cut-off commits is missing, so it cannot be verified
	// (FORMAT.md §2.1).
	ErrShallow = fmt.Errorf("%w: shallow clone", ErrInput)
)
