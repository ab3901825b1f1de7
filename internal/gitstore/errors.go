package gitstore

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
)

// Sentinel errors callers branch on. The errors that wrap them do not repeat
// their text: a caller gives them its own (the ledger calls a corrupt
// object tampering).
var (
	// ErrCorrupt means a pack, its index or an object is not what git
	// writes or does not hash to its name.
	ErrCorrupt = errors.New("corrupt git object store")
	// ErrMissing means an object is in none of the object directories.
	ErrMissing = errors.New("git object missing")
	// ErrLocked means a git lock file (such as refs/heads/main.lock) exists:
	// git is changing the repository, or a git process was interrupted.
	// Nothing was changed; the error names the file.
	ErrLocked = errors.New("git lock file exists")
	// ErrAlternates means the repository's alternates cannot be followed: a
	// directory they name does not exist, or they nest too deep.
	ErrAlternates = errors.New("bad alternates")
)

// kindError is err, with the message of err only, wrapping kind too.
func kindError(kind, err error) error { return &kinded{kind: kind, err: err} }

type kinded struct{ kind, err error }

func (e *kinded) Error() string   { return e.err.Error() }
func (e *kinded) Unwrap() []error { return []error{e.kind, e.err} }

// ObjectError is a git object that is missing (Err is ErrMissing),
// unreadable or corrupt. It wraps ErrCorrupt unless the object is missing.
type ObjectError struct {
	Type plumbing.ObjectType
	Hash plumbing.Hash
	Path string // where the object is in a commit's tree, if the caller knows
	Err  error
}

func (e *ObjectError) Error() string {
	msg := e.Err.Error()
	if errors.Is(e.Err, ErrMissing) {
		msg = "missing"
	}
	if e.Path != "" {
		return fmt.Sprintf("git %s object %s (%s): %s", e.Type, e.Hash, e.Path, msg)
	}
	return fmt.Sprintf("git %s object %s: %s", e.Type, e.Hash, msg)
}

// Unwrap returns the cause, and ErrCorrupt unless the object is missing.
func (e *ObjectError) Unwrap() []error {
	if errors.Is(e.Err, ErrMissing) {
		return []error{e.Err}
	}
	return []error{ErrCorrupt, e.Err}
}
