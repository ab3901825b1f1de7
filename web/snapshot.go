package web

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/verbatim-ledger/verbatim/checkpoint"
	"github.com/verbatim-ledger/verbatim/ledger"
)

// snapshot is one opened state of the ledger. What pages list (entries,
// documents, versions) is copied out at open time and never changes; the
// ledger itself, which reads git objects and is not safe for concurrent
// use, is used under mu.
type snapshot struct {
	mu sync.Mutex
	l  *ledger.Ledger

	name, head, rootFP, verifierKey string
	size                            uint64
	cp                              *checkpoint.Checkpoint
	entries                         []ledger.EntryInfo
	docs                            []docSummary // sorted by id
	byID                            map[string]*docSummary
	opened                          time.Time

	// files caches version files read (and checked) through the ledger,
	// by entry and name: the snapshot's commit is fixed and git objects are
	// named by their hashes, so they cannot change. Guarded by mu.
	files     map[fileKey][]byte
	filesSize int

	refs    int  // requests using it; guarded by Server.mu
	retired bool // replaced by a newer snapshot; guarded by Server.mu
}

// docSummary is one document and its versions, oldest first.
type docSummary struct {
	ID       string
	Versions []*ledger.Version
	search   string // lowercase id and every version's title, for search
}

// Latest is the document's newest version.
func (d *docSummary) Latest() *ledger.Version { return d.Versions[len(d.Versions)-1] }

func openSnapshot(dir string) (*snapshot, error) {
	l, err := ledger.Open(dir)
	if err != nil {
		return nil, err
	}
	s, err := newSnapshot(l)
	if err != nil {
		l.Close()
		return nil, err
	}
	return s, nil
}

func newSnapshot(l *ledger.Ledger) (*snapshot, error) {
	entries, err := l.Entries()
	if err != nil {
		return nil, err
	}
	s := &snapshot{
		l: l, name: l.Name(), head: l.Head(), rootFP: l.RootFingerprint(), verifierKey: l.VerifierKey(),
		size: l.Size(), cp: l.Checkpoint(), entries: entries, byID: map[string]*docSummary{}, opened: time.Now(),
	}
	for _, e := range entries {
		if _, seen := s.byID[e.Doc]; e.Kind != "document" || seen {
			continue
		}
		vs, err := l.History(e.Doc)
		if err != nil {
			return nil, err
		}
		s.docs = append(s.docs, docSummary{ID: e.Doc, Versions: vs})
		s.byID[e.Doc] = nil // placeholder: pointers are taken after sorting
	}
	sort.Slice(s.docs, func(i, j int) bool { return s.docs[i].ID < s.docs[j].ID })
	for i := range s.docs {
		d := &s.docs[i]
		var b strings.Builder
		b.WriteString(d.ID)
		for _, v := range d.Versions {
			b.WriteString("\x00" + v.Title)
		}
		d.search = strings.ToLower(b.String())
		s.byID[d.ID] = d
	}
	return s, nil
}

// search returns the documents whose id or any version's title contains q,
// case-insensitively; an empty q matches every document.
func (s *snapshot) search(q string) []*docSummary {
	q = strings.ToLower(strings.TrimSpace(q))
	var out []*docSummary
	for i := range s.docs {
		if q == "" || strings.Contains(s.docs[i].search, q) {
			out = append(out, &s.docs[i])
		}
	}
	return out
}

// version returns version v of document id (v == 0: the latest), or nil.
func (s *snapshot) version(id string, v uint64) *ledger.Version {
	d := s.byID[id]
	switch {
	case d == nil:
		return nil
	case v == 0:
		return d.Latest()
	case v > uint64(len(d.Versions)):
		return nil
	}
	return d.Versions[v-1]
}

type fileKey struct {
	entry uint64
	name  string
}

// Bounds of the file cache: small files only, and a total per snapshot.
const (
	maxCachedFile  = 256 << 10
	maxCachedBytes = 32 << 20
)

// cachedFile returns a version file from the cache, or reads it with read
// (the ledger locked) and caches it.
func (s *snapshot) cachedFile(k fileKey, read func(l *ledger.Ledger) ([]byte, error)) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if data, ok := s.files[k]; ok {
		return data, nil
	}
	data, err := read(s.l)
	if err != nil {
		return nil, err
	}
	if len(data) <= maxCachedFile && s.filesSize+len(data) <= maxCachedBytes {
		if s.files == nil {
			s.files = map[fileKey][]byte{}
		}
		s.files[k] = data
		s.filesSize += len(data)
	}
	return data, nil
}

// withLedger runs f with the ledger locked for its exclusive use.
func (s *snapshot) withLedger(f func(l *ledger.Ledger) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return f(s.l)
}
