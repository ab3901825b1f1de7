package ledger

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// unbornHead explains why the branch HEAD names has no commits (FORMAT.md
// §2.1): in an empty repository there is no ledger (ErrNotLedger); if other
// branches exist, HEAD names the wrong one, as in a clone of a remote whose
// HEAD names an empty master while the ledger is on main. Then the error
// (ErrHead) lists the branches, says which hold a ledger and gives the git
// command that selects it. verbatim does not pick a branch itself: the
// ledger is the branch HEAD names, so that every reader sees the same one.
func (r *repo) unbornHead(dir string, branch plumbing.ReferenceName) error {
	refs := r.branchRefs()
	if len(refs) == 0 {
		return fmt.Errorf("%w: %s has no entries (its branch %s is empty)", ErrNotLedger, dir, branch.Short())
	}
	var names, ledgers []string
	var pick plumbing.ReferenceName
	for _, ref := range refs {
		names = append(names, ref.Name().Short())
		if r.holdsLedger(ref.Hash()) {
			ledgers = append(ledgers, ref.Name().Short())
			if pick == "" {
				pick = ref.Name()
			}
		}
	}
	what := fmt.Sprintf("HEAD names the branch %s, which does not exist (has no commits)", branch.Short())
	if pick == "" {
		return fmt.Errorf("%w: %s has no entries: %s, and none of its branches (%s) holds a ledger", ErrNotLedger, dir, what, strings.Join(names, ", "))
	}
	holds := "the ledger is on " + ledgers[0]
	if len(ledgers) > 1 {
		holds = "ledgers are on " + strings.Join(ledgers, ", ")
	}
	return fmt.Errorf("%w: %s: %s; %s (branches: %s); select the ledger's branch with: %s",
		ErrHead, dir, what, holds, strings.Join(names, ", "), selectCommand(dir, r.gitDir != dir, pick))
}

// selectCommand is the git command that makes HEAD name ref.
func selectCommand(dir string, worktree bool, ref plumbing.ReferenceName) string {
	git := "git -C " + shellQuote(dir)
	if ref.IsBranch() {
		return git + " symbolic-ref HEAD " + ref.String()
	}
	// A remote-tracking branch: make a local branch of it.
	short := ref.Short()
	local := short[strings.Index(short, "/")+1:]
	if worktree {
		return git + " checkout " + local
	}
	return git + " branch " + local + " " + short + " && " + git + " symbolic-ref HEAD refs/heads/" + local
}

// shellQuote quotes s for a POSIX shell if it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/._-+:@", c))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// branchRefs lists the repository's branches and remote-tracking branches
// that point at an object, in refRank order.
func (r *repo) branchRefs() []*plumbing.Reference {
	all, err := r.st.References()
	if err != nil {
		return nil
	}
	var refs []*plumbing.Reference
	for _, ref := range all {
		if ref.Type() == plumbing.HashReference && (ref.Name().IsBranch() || ref.Name().IsRemote()) {
			refs = append(refs, ref)
		}
	}
	sort.Slice(refs, func(i, j int) bool {
		a, b := refs[i].Name(), refs[j].Name()
		if pa, pb := refRank(a), refRank(b); pa != pb {
			return pa < pb
		}
		return a < b
	})
	return refs
}

// refRank orders the branches a ledger is looked for on: verbatim's
// default branch first, then other local branches, then remote-tracking
// ones, their main first.
func refRank(n plumbing.ReferenceName) int {
	switch {
	case n == defaultBranch:
		return 0
	case n.IsBranch():
		return 1
	case strings.HasSuffix(n.String(), "/main"):
		return 2
	}
	return 3
}

// holdsLedger reports whether commit h's tree has a ledger's top level.
func (r *repo) holdsLedger(h plumbing.Hash) bool {
	tree, err := r.commitTree(h)
	if err != nil {
		return false
	}
	root, err := r.tree(tree)
	return err == nil && checkRoot(root) == nil
}

// shallow reports whether the repository is a shallow clone: git lists the
// commits whose parents it lacks in the file shallow.
func (r *repo) shallow() bool { return r.git.Shallow() }

// shallowError is the error for reading the history of a shallow clone.
func (r *repo) shallowError(dir string) error {
	return fmt.Errorf("%w: %s: its history before the newest commits was not fetched, so the ledger cannot be checked from its genesis; fetch it with: git -C %s fetch --unshallow",
		ErrShallow, dir, shellQuote(dir))
}
