package ledger

import (
	"encoding/hex"
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
	return string(appendCommitMessage(nil, s))
}

func appendCommitMessage(b []byte, s *records.Statement) []byte {
	p := &s.Predicate
	b = append(b, "verbatim entry "...)
	b = strconv.AppendUint(b, p.Entry, 10)
	b = append(b, ": "...)
	switch {
	case p.Genesis != nil:
		b = append(b, "genesis of ledger "...)
		b = append(b, p.Ledger...)
	case p.Document != nil:
		b = append(b, p.Document.ID...)
		b = append(b, " version "...)
		b = strconv.AppendUint(b, p.Document.Version, 10)
	case p.Key != nil:
		b = append(b, "key "...)
		b = append(b, p.Key.Action...)
		b = append(b, ' ')
		b = append(b, p.Key.Key.Fingerprint...)
	}
	b = append(b, "\n\nsigner "...)
	b = append(b, p.Signer...)
	return append(b, '\n')
}

// encodeCommit returns the content of the canonical commit object adding
// entry s with tree treeHash on top of parent (zero for the genesis).
func encodeCommit(treeHash, parent plumbing.Hash, s *records.Statement) []byte {
	return appendCommit(nil, treeHash, parent, s)
}

// appendCommit appends encodeCommit(treeHash, parent, s) to b: a verifier
// encodes the commit of every entry, into a buffer it reuses.
func appendCommit(b []byte, treeHash, parent plumbing.Hash, s *records.Statement) []byte {
	t := s.Predicate.TimeValue().Unix()
	b = append(b, "tree "...)
	b = hex.AppendEncode(b, treeHash[:])
	if !parent.IsZero() {
		b = append(b, "\nparent "...)
		b = hex.AppendEncode(b, parent[:])
	}
	for _, role := range []string{"\nauthor ", "\ncommitter "} {
		b = append(b, role...)
		b = append(b, commitName+" <"+commitEmail+"> "...)
		b = strconv.AppendInt(b, t, 10)
		b = append(b, " +0000"...)
	}
	b = append(b, "\n\n"...)
	return appendCommitMessage(b, s)
}
