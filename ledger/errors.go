package ledger

import (
	"errors"
	"fmt"
)

// Sentinel errors callers branch on. Verification failures wrap
// ErrTampered; the rest are the caller's input or a lookup that found nothing.
var (
	// ErrTampered means the ledger does not verify: something in it was
	// altered, removed, added or reordered, or signed by a key it does not
	// authorize, or its trust root is not the pinned one.
	ErrTampered = errors.New("ledger verification failed")
	// ErrNotLedger means the directory holds no verbatim ledger.
	ErrNotLedger = errors.New("not a verbatim ledger")
	// ErrNotFound means a document, version or content is not registered.
	ErrNotFound = errors.New("not registered")
	// ErrInput means the caller's input was refused before anything changed.
	ErrInput = errors.New("invalid input")
	// ErrExists means init was pointed at a directory that is not empty.
	ErrExists = errors.New("directory not empty")
)

// EntryError reports a verification failure in one entry: which entry, which
// document version (if known), which commit, and what is wrong.
type EntryError struct {
	Entry   uint64 `json:"entry"`
	Doc     string `json:"doc,omitempty"` // "" if unknown or not a document entry
	Version uint64 `json:"version,omitempty"`
	Commit  string `json:"commit,omitempty"` // abbreviated commit hash, "" if unknown
	Problem string `json:"problem"`          // what is wrong; Err's message when Err is set
	// Err is the cause, if known, kept so that callers can errors.Is and
	// errors.As it (a missing git object, a parse error of records).
	Err error `json:"-"`
}

func (e *EntryError) Error() string {
	where := fmt.Sprintf("entry %d", e.Entry)
	switch {
	case e.Doc != "" && e.Commit != "":
		where += fmt.Sprintf(" (%s version %d, commit %s)", e.Doc, e.Version, e.Commit)
	case e.Doc != "":
		where += fmt.Sprintf(" (%s version %d)", e.Doc, e.Version)
	case e.Commit != "":
		where += fmt.Sprintf(" (commit %s)", e.Commit)
	}
	problem := e.Problem
	if problem == "" && e.Err != nil {
		problem = e.Err.Error()
	}
	return where + ": " + problem
}

// Unwrap makes every EntryError an ErrTampered, and keeps its cause.
func (e *EntryError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrTampered}
	}
	return []error{ErrTampered, e.Err}
}
