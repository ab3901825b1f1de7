package ledger

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/records"
)

// Commit identity: every ledger commit has this author and committer, and
// the entry's time, so a commit is a pure function of its tree, parent and
// entry (FORMAT.md §2.3).
const (
	commitName  = "verbatim"
	commitEmail = "ledger@verbatim.invalid"
)

// commitMessage is the message of the commit that adds the entry s.
func commitMessage(s *records.Statement) string {
	p := &s.Predicate
	var what string
	switch {
	case p.Genesis != nil:
		what = "genesis of ledger " + p.Ledger
	case p.Document != nil:
		what = p.Document.ID + " version " + strconv.FormatUint(p.Document.Version, 10)
	case p.Key != nil:
		what = "key " + p.Key.Action + " " + p.Key.Key.Fingerprint
	}
	return fmt.Sprintf("verbatim entry %d: %s\n\nsigner %s\n", p.Entry, what, p.Signer)
}

// encodeCommit returns the content of the canonical commit object adding
// entry s with tree treeHash on top of parent (zero for the genesis).
func encodeCommit(treeHash, parent plumbing.Hash, s *records.Statement) []byte {
	t := s.Predicate.TimeValue().Unix()
	var b bytes.Buffer
	fmt.Fprintf(&b, "tree %s\n", treeHash)
	if !parent.IsZero() {
		fmt.Fprintf(&b, "parent %s\n", parent)
	}
	fmt.Fprintf(&b, "author %s <%s> %d +0000\n", commitName, commitEmail, t)
	fmt.Fprintf(&b, "committer %s <%s> %d +0000\n\n", commitName, commitEmail, t)
	b.WriteString(commitMessage(s))
	return b.Bytes()
}
