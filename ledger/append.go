package ledger

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/docindex"
	"github.com/verbatim-ledger/verbatim/internal/gitstore"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/records"
)

// Signer is a private key that signs entries and checkpoints;
// *keys.PrivateKey implements it.
type Signer interface {
	Sign(msg []byte) ([]byte, error)
	Public() *keys.PublicKey
}

// AppendOptions configures an Appender.
type AppendOptions struct {
	// Now is the clock; nil means time.Now. An entry's time is never before
	// the previous entry's.
	Now func() time.Time
}

// NewDocument is a document version to register.
type NewDocument struct {
	ID        string // a valid document id (records.CheckDocID)
	Content   []byte
	MediaType string // "" detects it from the content
	Title     string
	Source    string
	Language  string
	Note      string
	// HashOnly records the digests (and sketch) but not the bytes
	// (FORMAT.md §3.3): the entry has no document file.
	HashOnly bool
	// NoSketch leaves the similarity sketch out of the text identity.
	NoSketch bool
	// TranslationOf, if set, is the version this document translates;
	// Language must then be set. It is checked against its signed entry.
	TranslationOf *Version
}

// Result is what registering one document did.
type Result struct {
	Version   *Version // the new version, or the existing one if Unchanged
	Unchanged bool     // the content equals the document's latest version; nothing was added
}

// Appender adds entries to a ledger under its write lock. Entries become
// part of the ledger, all together, when Flush moves the branch; until then
// nothing on disk refers to them, so an interrupted process leaves the
// ledger as it was at the last Flush. Close releases the lock and discards
// unflushed entries.
type Appender struct {
	l      *Ledger
	signer Signer
	fp     string
	now    func() time.Time
	unlock func()
	batch  *gitstore.Batch // objects staged for the next Flush
	// flushing is the batch StartFlush is writing; nil if none.
	flushing *inflight
	head     plumbing.Hash // newest commit, flushed or not
	pending  int
	cp       *checkpoint.Checkpoint // checkpoint of the newest staged entry
	flushed  bool                   // some entries were flushed: the state cache is stale
	broken   error
	// base is the newest commit's trees and size when the Appender began:
	// versions before base come from the state's index (maybe the cache)
	// and are verified against the signed entries there before a new
	// version links to them.
	base     pathTrees
	baseSize uint64
	baseCP   *checkpoint.Checkpoint // the newest checkpoint when the Appender began
	// written is the newest commit's tree on disk (base, or the last
	// Flush's) and writtenSize its entries: a lean state reads older
	// versions from there (readIndexed).
	written     pathTrees
	writtenSize uint64
	// staged holds the versions added since the last Flush (lean state
	// only): a translation may link to one that a newer version replaced
	// before it reached the disk, where state.older looks (readIndexed).
	staged map[uint64]*Version
	// docFile, when set (by tamper tests), overrides whether a document
	// entry's directory gets its document file.
	docFile func(*records.Document) bool
	// indexHook, when set (by tamper tests), alters the index files entry
	// n's commit adds before they are written.
	indexHook func(n uint64, c *docindex.Completed)
	cpSigner  Signer // signs the next checkpoint instead of signer (a rotation's, appendkeys.go)
}

// Append takes the ledger's write lock and returns an Appender that signs
// with signer. If another process appended since Open, the ledger is
// re-read first. signer must be a key the ledger authorizes.
func (l *Ledger) Append(signer Signer, opts AppendOptions) (*Appender, error) {
	unlock, err := l.r.lock()
	if err != nil {
		return nil, err
	}
	a := &Appender{l: l, signer: signer, fp: string(signer.Public().Fingerprint()), now: opts.Now, unlock: unlock, batch: l.r.st.NewBatch()}
	if a.now == nil {
		a.now = time.Now
	}
	if l.st.size > 0 {
		if _, head, err := l.r.head(); err != nil || head != l.head {
			if err == nil {
				err = l.load()
			}
			if err != nil {
				unlock()
				return nil, err
			}
		}
		if _, err := l.st.signer(a.fp); err != nil {
			unlock()
			return nil, fmt.Errorf("%w: key %s is not authorized to sign in ledger %s (its root key is %s): %w",
				ErrInput, signer.Public().Fingerprint().Short(), l.st.name, l.st.rootKey.Fingerprint().Short(), err)
		}
	}
	if err := storeError(l.r.st.CheckRefLock(l.branch)); err != nil {
		unlock()
		return nil, err
	}
	if err := l.r.checkWorkTree(l.head); err != nil {
		unlock()
		return nil, err
	}
	a.head = l.head
	// A copy: adding entries rewrites l.tip's root tree in place, and base
	// must stay the commit the Appender started on (previous, linked).
	a.base, a.baseSize, a.baseCP = pathTrees{root: slices.Clone(l.tip.root)}, l.st.size, l.cp
	a.written, a.writtenSize = a.base, a.baseSize
	if records.HasIndex(l.st.format) {
		l.toIndexed()
		a.readIndexed()
	}
	if records.HasIndex(l.st.format) && l.st.index == nil {
		cur := a.base
		if l.st.index, err = indexBlocksAt(l.r, &cur, l.st.size); err != nil {
			unlock()
			return nil, fmt.Errorf("reading the index of ledger %s: %w", l.st.name, err)
		}
	}
	return a, nil
}

// Add registers doc as the next version of its document, unless its content
// equals the latest version's. Invalid input returns an error wrapping
// ErrInput and changes nothing.
func (a *Appender) Add(doc NewDocument) (Result, error) {
	if a.broken != nil {
		return Result{}, a.broken
	}
	if err := checkNewDocument(&doc); err != nil {
		return Result{}, err
	}
	sum := sha256.Sum256(doc.Content)
	return a.addDocument(&doc, hex.EncodeToString(sum[:]), int64(len(doc.Content)), nil)
}

// addDocument is Add for a checked document whose digest and size are
// known. resigned, if set, is the signed document Sync re-signs as doc: its
// text identity (or none) is recorded instead of one computed from
// doc.Content, which a hash-only version's ledger never held.
func (a *Appender) addDocument(doc *NewDocument, digest string, size int64, resigned *records.Document) (Result, error) {
	prev, err := a.previous(doc.ID)
	if err != nil {
		return Result{}, err
	}
	if prev != nil && prev.SHA256 == digest {
		return Result{Version: prev, Unchanged: true}, nil
	}
	d := &records.Document{
		ID: doc.ID, Version: 1, MediaType: doc.MediaType, Size: size,
		Title: doc.Title, Source: doc.Source, Language: doc.Language, Note: doc.Note,
	}
	typ := records.DocumentTypeFor(a.l.st.format)
	if err := a.textFields(d, typ, doc); err != nil {
		return Result{}, err
	}
	if resigned != nil && typ == records.DocumentType {
		d.Text = resigned.Text
	}
	if prev != nil {
		d.Version = prev.Version + 1
		d.Previous = &records.VersionLink{Version: prev.Version, Entry: prev.Entry, SHA256: prev.SHA256}
	}
	st := a.statement(typ, records.Subject{Name: doc.ID, Digest: records.Digest{SHA256: digest}})
	st.Predicate.Document = d
	if err := a.add(st, doc.Content); err != nil {
		return Result{}, err
	}
	return Result{Version: versionOf(st)}, nil
}

// previous returns the latest version of id, or nil, as its signed entry
// records it: a new version's link (FORMAT.md §3.3) is signed from what the
// previous version's verified statement says, never from the state cache.
func (a *Appender) previous(id string) (*Version, error) {
	prev := a.l.st.latest(id)
	if prev == nil && a.l.lazy {
		return a.indexedLatest(id)
	}
	if prev == nil || prev.Entry >= a.baseSize {
		return prev, nil // none, or added by this Appender
	}
	env, _, err := a.l.entryAtCP(&a.base, prev.Entry, a.baseCP)
	if err == nil {
		err = a.l.checkVersion(prev, env)
	}
	if err != nil {
		return nil, fmt.Errorf("checking %s version %d before linking to it: %w", id, prev.Version, err)
	}
	return versionOf(env.Statement), nil
}

func checkNewDocument(doc *NewDocument) error {
	if err := records.CheckDocID(doc.ID); err != nil {
		return fmt.Errorf("%w: %w", ErrInput, err)
	}
	for _, f := range []struct{ name, v string }{{"title", doc.Title}, {"source", doc.Source}, {"language", doc.Language}, {"note", doc.Note}} {
		if err := records.CheckText(f.name, f.v); err != nil {
			return fmt.Errorf("%w: %w", ErrInput, err)
		}
	}
	if len(doc.Content) > MaxDocumentSize {
		return fmt.Errorf("%w: the document is %d bytes, more than the %d (64 MiB) verbatim registers", ErrInput, len(doc.Content), MaxDocumentSize)
	}
	if doc.MediaType == "" {
		doc.MediaType = DetectMediaType(doc.Content)
	}
	return nil
}

// addGenesis adds entry 0, naming the ledger and making the signer its root key.
func (a *Appender) addGenesis(name string) error {
	pub := a.signer.Public()
	st := a.statement(records.GenesisType, records.Subject{Name: name, Digest: records.Digest{SHA256: a.fp}})
	st.Predicate.Ledger = name
	st.Predicate.Genesis = &records.Genesis{
		Format:  records.FormatVersion,
		RootKey: records.KeySpec{Fingerprint: a.fp, Algorithm: string(pub.Algorithm()), PublicKey: base64.StdEncoding.EncodeToString(pub.DER())},
	}
	return a.add(st, nil)
}

// statement fills in the predicate fields every entry has.
func (a *Appender) statement(typ string, subject records.Subject) *records.Statement {
	s := a.l.st
	t := records.FormatTime(a.now())
	if t < s.lastTime {
		t = s.lastTime
	}
	p := records.Predicate{Ledger: s.name, Entry: s.size, MerkleRoot: hexRoot(s.root()), Time: t, Signer: a.fp}
	if s.size > 0 {
		p.PreviousEntry = hex.EncodeToString(s.lastHash[:])
		p.PreviousCheckpoint = hex.EncodeToString(s.lastCheckpoint)
	}
	return &records.Statement{Type: records.StatementType, Subject: []records.Subject{subject}, PredicateType: typ, Predicate: p}
}

// add signs st, applies it to the state and stages its git objects.
func (a *Appender) add(st *records.Statement, content []byte) error {
	env, err := records.SignParsed(st, a.fp, a.signer)
	if err != nil {
		if errors.Is(err, records.ErrMalformed) {
			return fmt.Errorf("%w: %w", ErrInput, err)
		}
		return err
	}
	n := a.l.st.size
	if _, err := a.l.st.apply(env); err != nil {
		return fmt.Errorf("%w: %w", ErrInput, err)
	}
	if d := st.Predicate.Document; a.staged != nil && d != nil {
		a.staged[n] = &Version{Doc: d.ID, Version: d.Version, Entry: n, SHA256: st.Subject[0].Digest.SHA256}
	}
	// From here on the in-memory state has moved: a failure breaks the Appender.
	if err := a.stage(n, env, content); err != nil {
		a.broken = fmt.Errorf("appending entry %d: %w", n, err)
		return a.broken
	}
	a.pending++
	return nil
}

// stage creates the blobs, trees and commit that add entry n.
func (a *Appender) stage(n uint64, env *records.ParsedEnvelope, content []byte) error {
	s := a.l.st
	dir := tree{
		{Mode: modeFile, Name: envelopeFile, Hash: a.put(plumbing.BlobObject, env.Raw)},
		{Mode: modeFile, Name: hashesFile, Hash: a.put(plumbing.BlobObject, s.nodes)},
	}
	d := env.Statement.Predicate.Document
	withDoc := d != nil && !d.HashOnly
	if d != nil && a.docFile != nil {
		withDoc = a.docFile(d)
	}
	if withDoc {
		dir = dir.With(treeEntry{Mode: modeFile, Name: documentFile, Hash: a.put(plumbing.BlobObject, content)})
	}
	completed := s.indexed
	if a.indexHook != nil {
		a.indexHook(n, &completed)
	}
	idx := indexObjects(completed, a.put)
	entries := a.l.tip.add(n, a.put(plumbing.TreeObject, gitstore.EncodeTree(dir)), idx, a.put)
	cp, err := checkpoint.Sign(s.name, s.size, s.root(), entries, a.checkpointSigner())
	if err != nil {
		return fmt.Errorf("signing checkpoint: %w", err)
	}
	rootHash := a.l.tip.withCheckpoint(a.put(plumbing.BlobObject, cp), a.put)
	a.head = a.put(plumbing.CommitObject, encodeCommit(rootHash, a.head, env.Statement))
	a.cp = &checkpoint.Checkpoint{Origin: s.name, Size: s.size, Root: s.root(), Entries: entries, Raw: cp}
	s.checkpointed(cp)
	return nil
}

// put stages an object for the next Flush and returns its hash.
func (a *Appender) put(typ plumbing.ObjectType, content []byte) plumbing.Hash {
	h := gitstore.Hash(typ, content)
	a.batch.Add(typ, h, content)
	return h
}

// Pending is the number of entries added since the last Flush or
// StartFlush.
func (a *Appender) Pending() int { return a.pending }

// Flush writes the staged objects (one packfile, which a goroutine has been
// compressing while entries were added, or loose objects for a few), syncs
// them to disk, and only then moves the branch to the newest commit in one
// atomic rename: after a crash or a power loss the branch names either the
// old commit or a new one whose objects are all on disk. When Flush returns
// without an error, every entry added so far is in the ledger.
func (a *Appender) Flush() error {
	if err := a.StartFlush(); err != nil {
		return err
	}
	return a.finishFlush()
}

// StartFlush begins what Flush does for the entries added so far and
// returns without waiting for their objects to reach the disk: entries
// added next are signed while a goroutine syncs these. The branch moves to
// them (and they are in the ledger) when the next StartFlush, Flush or
// Close returns without an error, which that call reports; one flush at a
// time is in flight. A bulk import, which would otherwise wait for every
// batch's syncs, overlaps them with its signing this way.
func (a *Appender) StartFlush() error {
	if err := a.finishFlush(); err != nil {
		return err
	}
	if a.pending == 0 {
		return nil
	}
	f := &inflight{done: make(chan error, 1), head: a.head, cp: a.cp, root: slices.Clone(a.l.tip.root), size: a.l.st.size}
	batch := a.batch
	a.batch, a.pending, a.flushing = a.l.r.st.NewBatch(), 0, f
	go func() {
		w, err := batch.Finish() // only files: the Store stays this goroutine's
		f.written = w
		f.done <- err
	}()
	return nil
}

// inflight is a batch StartFlush is writing, and where the branch moves
// once it is on disk.
type inflight struct {
	done    chan error
	written gitstore.Written
	head    plumbing.Hash          // the batch's newest commit
	cp      *checkpoint.Checkpoint // and its checkpoint
	root    tree                   // and root tree
	size    uint64                 // entries once it is in
}

// finishFlush waits for the batch in flight, if any, makes its objects
// readable and moves the branch to its newest commit. It always waits, so
// that nothing writes to the repository once Close returns; and a batch
// that was whole when StartFlush took it is committed even if the
// Appender broke since.
func (a *Appender) finishFlush() error {
	f := a.flushing
	if f == nil {
		return a.broken
	}
	a.flushing = nil
	err := <-f.done
	if err == nil {
		err = storeError(a.l.r.st.AddWritten(f.written))
	}
	if err != nil {
		err = fmt.Errorf("writing git objects: %w", err)
	} else {
		err = a.l.r.setRef(a.l.branch, a.l.head, f.head)
	}
	if err != nil {
		if a.broken == nil {
			a.broken = err
		}
		return a.broken
	}
	old := a.l.head
	a.l.head, a.l.cp, a.flushed = f.head, f.cp, true
	a.written, a.writtenSize = pathTrees{root: f.root}, f.size
	for n := range a.staged {
		if n < f.size {
			delete(a.staged, n)
		}
	}
	if err := a.l.r.updateWorkTree(old, f.head); err != nil { // a clone with a working tree
		return err
	}
	return a.broken
}

// Close completes a StartFlush in flight and releases the write lock.
// Entries not flushed are discarded, and the Ledger re-reads its state on
// next use. The error is the flush's.
func (a *Appender) Close() error {
	if a.unlock == nil {
		return nil
	}
	reported := a.broken // returned already, by the call that broke the Appender
	err := a.finishFlush()
	a.batch.Discard()
	if a.pending > 0 || a.broken != nil {
		a.l.stale = true
	} else if a.flushed && !a.l.lazy {
		a.l.writeCache()
	}
	a.unlock()
	a.unlock = nil
	if reported != nil {
		return nil
	}
	return err
}
