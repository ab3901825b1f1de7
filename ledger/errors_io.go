package ledger

import "errors"

// Sentinels for failures that are neither the caller's input nor the
// ledger's content: the CLI maps them to their own messages and exit codes.
var (
	// ErrLocked means a git lock file (such as refs/heads/main.lock) exists:
	// git is changing the ledger, or a git process was interrupted. Nothing
	// was changed; the error names the file to remove once no git or
	// verbatim process is running.
	ErrLocked = errors.New("ledger is locked")
)
