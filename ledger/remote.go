package ledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/keys"
)

// Remotes (FORMAT.md §7.3). A clone keeps, for each remote, the checkpoint
// it last verified there: its trusted state. A pull accepts the remote only
// if an audit (Audit) proves that it extends that state; a push publishes
// only on top of the remote's state; a sync re-signs this clone's
// unpublished entries on top of the remote's.

// DefaultRemote is the remote clone creates and pull, push and sync use.
const DefaultRemote = "origin"

// incomingRef is where a fetch puts the remote's branch until it is audited.
const incomingRef = plumbing.ReferenceName("refs/verbatim/incoming")

// ErrRemoteMoved is wrapped when a push finds that the remote has entries
// this clone has not pulled.
var ErrRemoteMoved = errors.New("the remote has entries this clone has not pulled: pull first")

// RemoteOptions names the remote and pins the root key.
type RemoteOptions struct {
	Remote string           // "" means DefaultRemote
	Trust  keys.Fingerprint // optional: the root (or a later root) the remote's ledger must have
}

func (o RemoteOptions) name() string {
	if o.Remote == "" {
		return DefaultRemote
	}
	return o.Remote
}

// trustedPath is the file holding the trusted checkpoint of remote.
func trustedPath(gitDir, remote string) string {
	return filepath.Join(gitDir, "verbatim", "remote-"+remote+".checkpoint")
}

// readTrusted returns the trusted checkpoint of remote.
func readTrusted(gitDir, remote string) ([]byte, error) {
	raw, err := os.ReadFile(trustedPath(gitDir, remote))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: this clone has no trusted state for remote %q (%s): it was not made by 'verbatim clone'", ErrInput, remote, trustedPath(gitDir, remote))
	}
	return raw, err
}

// writeTrusted records raw as the trusted checkpoint of remote, atomically.
func writeTrusted(gitDir, remote string, raw []byte) error {
	path := trustedPath(gitDir, remote)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(path, raw, 0o644)
}

// Clone clones the ledger at url into dir (a new bare repository), verifies
// it in full (pinned to opts.Trust if given) and records its newest
// checkpoint as the trusted state of the remote. On any failure dir is
// removed.
func Clone(url, dir string, opts RemoteOptions) (rep *Report, err error) {
	if err := CanInit(dir); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	if _, err := git.PlainClone(dir, true, &git.CloneOptions{URL: url, RemoteName: opts.name(), Tags: git.NoTags}); err != nil {
		return nil, fmt.Errorf("%w: cloning %s: %w", ErrRemote, url, err)
	}
	if rep, err = Verify(dir, VerifyOptions{Trust: opts.Trust}); err != nil {
		return nil, err
	}
	if err := writeTrusted(dir, opts.name(), rep.Checkpoint.Raw); err != nil {
		return nil, err
	}
	return rep, nil
}

// ErrRemote is wrapped when a remote cannot be reached or refuses a request.
var ErrRemote = errors.New("remote")

// fetched is a remote's branch, fetched into incomingRef and audited.
type fetched struct {
	head plumbing.Hash
	rep  *AuditReport
}

// fetchAudited fetches the remote's branch into incomingRef and audits it
// against the trusted checkpoint. It changes no branch and no trusted state.
func fetchAudited(dir string, opts RemoteOptions) (*fetched, error) {
	r, err := openRepo(dir)
	if err != nil {
		return nil, err
	}
	branch, _, err := r.head()
	r.close()
	if err != nil {
		return nil, err
	}
	g, err := git.PlainOpen(r.gitDir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRemote, err)
	}
	spec := config.RefSpec("+" + branch.String() + ":" + incomingRef.String())
	err = g.Fetch(&git.FetchOptions{RemoteName: opts.name(), RefSpecs: []config.RefSpec{spec}, Tags: git.NoTags, Force: true})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil, fmt.Errorf("%w: fetching %s from %s: %w", ErrRemote, branch.Short(), opts.name(), err)
	}
	remoteStep("fetched")
	ref, err := g.Reference(incomingRef, false)
	if err != nil {
		return nil, fmt.Errorf("%w: the remote %s has no branch %s", ErrRemote, opts.name(), branch.Short())
	}
	trusted, err := readTrusted(r.gitDir, opts.name())
	if err != nil {
		return nil, err
	}
	rep, err := auditAt(dir, ref.Hash(), AuditOptions{Since: trusted, Trust: opts.Trust})
	if err != nil {
		os.Remove(r.git.RefPath(incomingRef))
		return nil, fmt.Errorf("the remote %s was refused, nothing changed here: %w", opts.name(), err)
	}
	return &fetched{head: ref.Hash(), rep: rep}, nil
}

// PullResult says what a pull did.
type PullResult struct {
	Before, After uint64 // local entries
	Remote        uint64 // the remote's entries
	Unpublished   uint64 // local entries the remote does not have
}

// Pull fetches the remote and, if it extends the trusted state, moves the
// local branch to it when the local branch has no entries of its own
// beyond the remote's. A remote that rolled back, forked or rewrote an
// entry is refused and the ledger left exactly as it was.
func Pull(dir string, opts RemoteOptions) (*PullResult, error) {
	f, err := fetchAudited(dir, opts)
	if err != nil {
		return nil, err
	}
	r, err := openRepo(dir)
	if err != nil {
		return nil, err
	}
	defer r.close()
	unlock, err := r.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	branch, local, err := r.head()
	if err != nil {
		return nil, err
	}
	div, err := diverge(r, local, f.head)
	if err != nil {
		return nil, err
	}
	res := &PullResult{Before: div.localSize, After: div.localSize, Remote: div.remoteSize, Unpublished: div.localSize - div.common}
	if res.Unpublished == 0 && div.remoteSize > div.localSize {
		if err := r.setRef(branch, local, f.head); err != nil {
			return nil, err
		}
		res.After = div.remoteSize
	}
	if err := writeTrusted(r.gitDir, opts.name(), f.rep.Checkpoint.Raw); err != nil {
		return nil, err
	}
	return res, nil
}

// divergence compares the local branch with the remote's: both are single
// lines of commits, so they share a prefix of common commits.
type divergence struct {
	localSize, remoteSize, common uint64
	local                         []commitInfo
}

func diverge(r *repo, local, remote plumbing.Hash) (*divergence, error) {
	lc, err := r.history(local)
	if err != nil {
		return nil, err
	}
	rc, err := r.history(remote)
	if err != nil {
		return nil, err
	}
	d := &divergence{localSize: uint64(len(lc)), remoteSize: uint64(len(rc)), local: lc}
	// Equal commits mean equal histories up to them (each names its parent).
	lo, hi := 0, min(len(lc), len(rc))
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if lc[mid-1].hash == rc[mid-1].hash {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	d.common = uint64(lo)
	return d, nil
}

// Push publishes the local branch to the remote if the remote has not moved
// since the trusted state: its branch must be the trusted checkpoint's
// commit, or already hold the local entries. Otherwise it fails with
// ErrRemoteMoved ("pull first").
func Push(dir string, opts RemoteOptions) (uint64, error) {
	f, err := fetchAudited(dir, opts)
	if err != nil {
		return 0, err
	}
	r, err := openRepo(dir)
	if err != nil {
		return 0, err
	}
	defer r.close()
	branch, local, err := r.head()
	if err != nil {
		return 0, err
	}
	div, err := diverge(r, local, f.head)
	if err != nil {
		return 0, err
	}
	if div.common < div.remoteSize {
		return 0, fmt.Errorf("%w (the remote has %d entries, %d of them not in this clone)", ErrRemoteMoved, div.remoteSize, div.remoteSize-div.common)
	}
	if div.localSize == div.remoteSize {
		return 0, writeTrusted(r.gitDir, opts.name(), f.rep.Checkpoint.Raw)
	}
	if err := pushRef(r.gitDir, opts.name(), branch, branch, f.head); err != nil {
		return 0, err
	}
	l, err := Open(dir)
	if err != nil {
		return 0, err
	}
	defer l.Close()
	if err := writeTrusted(r.gitDir, opts.name(), l.Checkpoint().Raw); err != nil {
		return 0, err
	}
	return div.localSize - div.remoteSize, nil
}

// pushRef pushes the local ref src to the remote's branch dst, only if the
// remote's branch is still old (the server checks it too: receive-pack
// updates a ref only from the old value the client names).
func pushRef(gitDir, remote string, src, dst plumbing.ReferenceName, old plumbing.Hash) error {
	g, err := git.PlainOpen(gitDir)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRemote, err)
	}
	remoteStep("push")
	err = g.Push(&git.PushOptions{
		RemoteName:        remote,
		RefSpecs:          []config.RefSpec{config.RefSpec(src.String() + ":" + dst.String())},
		RequireRemoteRefs: []config.RefSpec{config.RefSpec(old.String() + ":" + dst.String())},
	})
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
		remoteStep("pushed")
		return nil
	case isRaceError(err):
		return ErrRemoteMoved
	default:
		return fmt.Errorf("%w: pushing to %s: %w", ErrRemote, remote, err)
	}
}

// isRaceError reports whether a push failed because the remote's branch
// moved since it was fetched.
func isRaceError(err error) bool {
	s := err.Error()
	for _, w := range []string{"non-fast-forward", "remote ref", "failed to update ref", "cannot lock ref", "fetch first", "object not found", "reference has changed"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// testHookRemote, when set, is called at each named step of a pull, push or
// sync: a crash test kills the process there.
var testHookRemote func(step string)

func remoteStep(step string) {
	if testHookRemote != nil {
		testHookRemote(step)
	}
}
