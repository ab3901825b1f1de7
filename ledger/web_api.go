package ledger

// What a long-running reader (verbatim serve) needs beyond Open.

// Changed reports whether the ledger's branch now points to another commit
// than the one l was opened at: a git pull or fetch into the ledger, or a
// register by another process. It reads only the branch reference, so a
// server can call it often; a caller that sees true opens the ledger again.
// An unreadable reference is an error.
func (l *Ledger) Changed() (bool, error) {
	_, head, err := l.r.head()
	if err != nil {
		return false, err
	}
	return head != l.head, nil
}
