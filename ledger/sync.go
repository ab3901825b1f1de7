package ledger

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/records"
)

// syncRef is where a sync builds the re-signed entries on top of the
// remote's branch before it moves the local branch there.
const syncRef = plumbing.ReferenceName("refs/verbatim/sync")

// SyncOptions configures Sync.
type SyncOptions struct {
	RemoteOptions
	// Attempts bounds how many times Sync fetches again when another clone
	// pushed in between; 0 means 5.
	Attempts int
	// Now is the clock for re-signed entries; nil means time.Now.
	Now func() time.Time
}

// SyncResult says what a sync did.
type SyncResult struct {
	Fetched   uint64 // entries the remote had that this clone did not
	Resigned  uint64 // unpublished entries re-signed on top of the remote
	Published uint64 // entries pushed
	Attempts  int
	Size      uint64 // entries in the ledger now, here and at the remote
}

// Sync pulls, re-signs this clone's unpublished entries on top of the
// remote's (FORMAT.md §7.3: each entry commits to its predecessor, so an
// entry moved after the remote's entries is a new entry, signed again),
// and pushes, retrying when another clone pushed in between. The
// unpublished entries are the local entries after the longest prefix the
// local branch shares with the remote's; each must be signed by signer,
// and is re-added with the same document id, bytes and metadata (its
// version number follows the remote's versions). The local branch moves
// only to a ledger that holds all of them, so a sync killed at any moment
// and run again loses and duplicates nothing.
func Sync(dir string, signer Signer, opts SyncOptions) (*SyncResult, error) {
	if opts.Attempts <= 0 {
		opts.Attempts = 5
	}
	res := &SyncResult{}
	for res.Attempts < opts.Attempts {
		res.Attempts++
		done, err := syncOnce(dir, signer, opts, res)
		if err == nil && done {
			return res, nil
		}
		if err != nil && !errors.Is(err, ErrRemoteMoved) {
			return res, err
		}
	}
	return res, fmt.Errorf("%w (tried %d times; run sync again)", ErrRemoteMoved, res.Attempts)
}

// syncOnce is one round: fetch and audit, rebuild if needed, move the
// local branch, push. It returns done when the remote and the local branch
// hold the same ledger.
func syncOnce(dir string, signer Signer, opts SyncOptions, res *SyncResult) (bool, error) {
	f, err := fetchAudited(dir, opts.RemoteOptions)
	if err != nil {
		return false, err
	}
	r, err := openRepo(dir)
	if err != nil {
		return false, err
	}
	defer r.close()
	// The remote extends the trusted state: it is the new trusted state.
	if err := writeTrusted(r.gitDir, opts.name(), f.rep.Checkpoint.Raw); err != nil {
		return false, err
	}
	branch, local, err := r.head()
	if err != nil {
		return false, err
	}
	div, err := diverge(r, local, f.head)
	if err != nil {
		return false, err
	}
	target := local
	if div.common < div.remoteSize {
		res.Fetched += div.remoteSize - div.common
		if target, err = rebuild(dir, signer, opts, f.head, div); err != nil {
			return false, err
		}
		res.Resigned += div.localSize - div.common
		if err := moveBranch(r, branch, local, target); err != nil {
			return false, err
		}
	}
	if target == f.head {
		res.Size = div.remoteSize
		return true, nil
	}
	if err := pushRef(r.gitDir, opts.name(), branch, branch, f.head); err != nil {
		return false, err
	}
	l, err := Open(dir)
	if err != nil {
		return false, err
	}
	defer l.Close()
	res.Published += l.Size() - div.remoteSize
	res.Size = l.Size()
	return true, writeTrusted(r.gitDir, opts.name(), l.Checkpoint().Raw)
}

// moveBranch moves the local branch from old to h under the ledger lock.
// If a local register moved it meanwhile, the round is tried again.
func moveBranch(r *repo, branch plumbing.ReferenceName, old, h plumbing.Hash) error {
	unlock, err := r.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := r.setRef(branch, old, h); err != nil {
		return fmt.Errorf("%w: %w", ErrRemoteMoved, err)
	}
	remoteStep("local-moved")
	return nil
}

// rebuild appends the local entries after the common prefix, re-signed,
// on top of the remote's head, in syncRef, and returns the new head. The
// local branch is not touched.
func rebuild(dir string, signer Signer, opts SyncOptions, remote plumbing.Hash, div *divergence) (plumbing.Hash, error) {
	if div.common == div.localSize {
		return remote, nil // nothing unpublished: a fast-forward
	}
	local, err := Open(dir)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	defer local.Close()
	var moved []*records.Statement
	fp := string(signer.Public().Fingerprint())
	for n := div.common; n < div.localSize; n++ {
		st, err := local.Statement(n)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if st.Predicate.Signer != fp {
			return plumbing.ZeroHash, fmt.Errorf("%w: unpublished entry %d is signed by key %s, not by the key given; sync re-signs unpublished entries, so run it with that entry's key", ErrInput, n, short(st.Predicate.Signer))
		}
		d := st.Predicate.Document
		if d == nil {
			return plumbing.ZeroHash, fmt.Errorf("%w: unpublished entry %d is a key entry; publish key entries with push before others register (sync re-signs document entries only)", ErrInput, n)
		}
		moved = append(moved, st)
	}
	r, err := openRepo(dir)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	defer r.close()
	os.Remove(r.git.RefPath(syncRef) + ".lock")
	if err := writeFileAtomic(r.git.RefPath(syncRef), []byte(remote.String()+"\n"), 0o644); err != nil {
		return plumbing.ZeroHash, err
	}
	r.ref = syncRef
	if err := r.readFast(); err != nil {
		return plumbing.ZeroHash, err
	}
	l := &Ledger{dir: dir, r: r, noCache: true, needFull: true}
	if err := l.load(); err != nil {
		return plumbing.ZeroHash, err
	}
	a, err := l.Append(signer, AppendOptions{Now: opts.Now})
	if err != nil {
		return plumbing.ZeroHash, err
	}
	defer a.Close()
	now := map[uint64]*Version{} // where each moved entry's version now is
	for _, st := range moved {
		res, err := resign(local, a, st, now)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		now[st.Predicate.Entry] = res.Version
	}
	if err := a.Flush(); err != nil {
		return plumbing.ZeroHash, err
	}
	remoteStep("rebuilt")
	return l.head, nil
}

// resign re-adds the unpublished document entry st of local through a,
// which appends to the remote's ledger: the same id, bytes (or, for a
// hash-only version, digests and text identity), metadata and sketch or
// none. A translation links to its original where it now is: moved (in
// now, by its old entry), or in the prefix both ledgers share, where it is
// the same entry.
func resign(local *Ledger, a *Appender, st *records.Statement, now map[uint64]*Version) (Result, error) {
	d := st.Predicate.Document
	doc := NewDocument{ID: d.ID, MediaType: d.MediaType, Title: d.Title, Source: d.Source, Language: d.Language, Note: d.Note,
		HashOnly: d.HashOnly, NoSketch: d.Text != nil && d.Text.Sketch == ""}
	if d.Relations != nil && d.Relations.TranslationOf != nil {
		t := d.Relations.TranslationOf
		doc.TranslationOf = now[t.Entry]
		if doc.TranslationOf == nil {
			v, err := local.Lookup(t.ID, t.Version)
			if err != nil {
				return Result{}, fmt.Errorf("re-signing %s version %d, a translation of %s version %d: %w", d.ID, d.Version, t.ID, t.Version, err)
			}
			doc.TranslationOf = v
		}
	}
	if d.HashOnly {
		if err := checkNewDocument(&doc); err != nil {
			return Result{}, err
		}
		return a.addDocument(&doc, st.Subject[0].Digest.SHA256, d.Size, d)
	}
	content, err := local.Content(versionOf(st))
	if err != nil {
		return Result{}, err
	}
	doc.Content = content
	return a.Add(doc)
}
