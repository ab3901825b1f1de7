package ledger

import (
	"fmt"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/internal/gitstore"
)

// commitInfo is a commit of the ledger's history and its root tree.
type commitInfo struct {
	hash, tree plumbing.Hash
}

// commitList is a run of the ledger's history as walkHistory reads it,
// from the newest commit back: entries first to len()-1. It is kept in
// chunks, so that the history of a million entries is never copied as it
// grows, and holds no pointer for the garbage collector to follow.
type commitList struct {
	chunks [][]commitInfo // newest first
	count  uint64         // commits held
	first  uint64         // the entry the oldest commit held adds
}

// commitChunk is the number of commits in a chunk of a commitList.
const commitChunk = 1 << 14

func (l *commitList) push(c commitInfo) {
	if l.count%commitChunk == 0 {
		l.chunks = append(l.chunks, make([]commitInfo, 0, commitChunk))
	}
	last := &l.chunks[len(l.chunks)-1]
	*last = append(*last, c)
	l.count++
}

// len is the number of entries up to the newest commit held.
func (l *commitList) len() uint64 { return l.first + l.count }

// at is the commit that adds entry n, which must be held.
func (l *commitList) at(n uint64) commitInfo {
	if n < l.first || n >= l.len() {
		panic(fmt.Sprintf("ledger: commit of entry %d is not among entries %d to %d", n, l.first, l.len()-1))
	}
	i := l.len() - 1 - n
	return l.chunks[i/commitChunk][i%commitChunk]
}

// walkHistory reads the history ending at head back to the genesis, or m
// commits of it if it is longer. The list's entries are numbered from 0 (its
// first field); a caller that stopped short of the genesis sets first.
func (r *repo) walkHistory(head plumbing.Hash, m uint64) (*commitList, error) {
	l := &commitList{}
	for h := head; l.count < m; {
		data, err := r.object(plumbing.CommitObject, h)
		if err != nil && r.shallow() {
			return nil, r.shallowError(r.gitDir)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: reading history: %w", ErrTampered, err)
		}
		c, err := gitstore.ParseCommitHeader(data)
		if err != nil {
			return nil, fmt.Errorf("%w: commit %s: %w", ErrTampered, shortHash(h), err)
		}
		if len(c.Parents) > 1 {
			return nil, fmt.Errorf("%w: commit %s is a merge; a ledger's history is a single line", ErrTampered, shortHash(h))
		}
		l.push(commitInfo{hash: h, tree: c.Tree})
		if len(c.Parents) == 0 {
			break
		}
		h = c.Parents[0]
	}
	return l, nil
}

// errHistoryTooLong is a history with more commits than a ledger may have
// entries.
var errHistoryTooLong = fmt.Errorf("%w: history is longer than the format allows", ErrTampered)

// history walks from head to the genesis and returns the commits oldest first.
func (r *repo) history(head plumbing.Hash) ([]commitInfo, error) {
	out, err := r.historyTail(head, MaxEntries+1)
	if err == nil && len(out) > MaxEntries {
		err = errHistoryTooLong
	}
	return out, err
}

// historyTail returns the last m commits of the history ending at head,
// oldest first (fewer if the history is shorter).
func (r *repo) historyTail(head plumbing.Hash, m uint64) ([]commitInfo, error) {
	l, err := r.walkHistory(head, m)
	if err != nil {
		return nil, err
	}
	out := make([]commitInfo, 0, l.count)
	for _, c := range l.chunks {
		out = append(out, c...)
	}
	slices.Reverse(out)
	return out, nil
}
