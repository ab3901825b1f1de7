// Package match answers the journalist's question "is this text
// registered?" against a ledger, with one of four answers (docs/TEXT.md
// §5, README "Checking a text"):
//
//   - Exact: these bytes are a registered version (their SHA-256 is its
//     subject digest).
//   - Text: other bytes, but the normalised text form (package textform) is
//     a registered version's text identity; the answer says which
//     normalisations made the difference.
//   - Nearest: not registered; the registered version most similar to it,
//     with its similarity and a word diff.
//   - None: nothing registered is at least MinSimilarity similar.
//
// Guarantees: every version an answer names is read from its signed entry
// (ledger.VerifiedVersion), never from the state cache, which only proposes
// candidates. A nearest answer's similarity is the exact Jaccard similarity
// of the word shingles of the copy and of the registered bytes, read and
// checked against their signed digest; the signed sketch alone decides only
// for a hash-only version, whose bytes the ledger does not hold, and the
// answer then says so (Estimated). The nearest search reads at most
// Candidates documents, whatever the ledger's size.
package match

import (
	"errors"
	"fmt"
	"sync"

	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/nearest"
	"github.com/verbatim-ledger/verbatim/sketch"
	"github.com/verbatim-ledger/verbatim/textform"
	"github.com/verbatim-ledger/verbatim/worddiff"
)

// Kind is one of the four answers.
type Kind string

// The answers, as `check --json` and the web API spell them.
const (
	Exact   Kind = "exact"
	Text    Kind = "text"
	Nearest Kind = "nearest"
	None    Kind = "none"
)

// MinSimilarity is the exact Jaccard similarity of word shingles below
// which a nearest version is not named and the answer is None. At 0.3 a
// copy of a 600-word text still has it with about 100 words changed
// (each change breaks up to three shingles), while unrelated texts in the
// same language stay well below it (0.0–0.05 in the benchmark corpus).
// The LSH index finds a version at 0.3 with probability 0.68 and at 0.5
// with 0.996 (docs/TEXT.md §5).
const MinSimilarity = 0.3

// Candidates is how many of the index's best candidates are compared exactly.
const Candidates = 5

// Result is the answer for one text.
type Result struct {
	Kind Kind
	// Versions are the registered versions the answer is about, each read
	// from its verified entry: every exact or text match, or the nearest.
	Versions []*ledger.Version
	// NotText is set when the content is not valid UTF-8, so only an exact
	// match is possible.
	NotText bool
	// Changes are, for Text, the normalisations that made the bytes differ
	// from the first version's: the copy's changes minus the registered
	// bytes' (docs/TEXT.md §2.2); all the copy's for a hash-only version.
	Changes textform.Changes
	// Similarity is, for Nearest, the Jaccard similarity in [0, 1].
	Similarity float64
	// Estimated is set when Similarity is the signed sketch's estimate
	// (the nearest version is hash-only).
	Estimated bool
	// Diff is, for Nearest, the word diff from the registered version's
	// normalised text to the copy's; nil for a hash-only version.
	Diff *worddiff.Diff
}

// Finder matches texts against a ledger. Its nearest-version index is
// built from the ledger's sketches on first use and rebuilt when the
// ledger has grown; it is safe for concurrent use.
type Finder struct {
	mu   sync.Mutex
	idx  *nearest.Index[*ledger.Version]
	size uint64 // ledger size the index was built for
	head string
}

// Find answers for content in l.
func (f *Finder) Find(l *ledger.Ledger, content []byte) (*Result, error) {
	vs, err := l.FindContent(content)
	if err != nil {
		return nil, err
	}
	if len(vs) > 0 {
		return &Result{Kind: Exact, Versions: vs}, nil
	}
	norm, changes, err := textform.Normalize(content)
	if errors.Is(err, textform.ErrNotUTF8) {
		return &Result{Kind: None, NotText: true}, nil
	}
	if err != nil {
		return nil, err
	}
	if vs, err = l.FindText(ledger.ContentDigest(norm)); err != nil {
		return nil, err
	}
	if len(vs) > 0 {
		return textResult(l, vs, changes)
	}
	return f.nearest(l, norm)
}

// textResult is a Text answer, with the copy's changes minus those of the
// first version's registered bytes.
func textResult(l *ledger.Ledger, vs []*ledger.Version, changes textform.Changes) (*Result, error) {
	r := &Result{Kind: Text, Versions: vs, Changes: changes}
	data, err := l.Content(vs[0])
	if errors.Is(err, ledger.ErrWithheld) {
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	_, own, err := textform.Normalize(data)
	if err != nil {
		return nil, fmt.Errorf("%s version %d: its text identity is recorded, but its bytes are not text: %w", vs[0].Doc, vs[0].Version, ledger.ErrTampered)
	}
	r.Changes = changes &^ own
	return r, nil
}

// index returns the nearest-version index for l, building it if needed.
func (f *Finder) index(l *ledger.Ledger) (*nearest.Index[*ledger.Version], error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.idx != nil && f.size == l.Size() && f.head == l.Head() {
		return f.idx, nil
	}
	idx := &nearest.Index[*ledger.Version]{}
	if err := l.Sketched(func(v *ledger.Version) { idx.Add(v, v.Sketch) }); err != nil {
		return nil, err
	}
	f.idx, f.size, f.head = idx, l.Size(), l.Head()
	return idx, nil
}

// nearest finds the most similar registered version to the normalised
// text norm, comparing the index's best candidates exactly.
func (f *Finder) nearest(l *ledger.Ledger, norm []byte) (*Result, error) {
	q, err := sketch.Of(norm)
	if err != nil {
		return &Result{Kind: None}, nil // no words: nothing to compare
	}
	idx, err := f.index(l)
	if err != nil {
		return nil, err
	}
	shingles := sketch.Shingles(norm)
	texts := map[*ledger.Version][]byte{}
	verified := map[*ledger.Version]*ledger.Version{}
	best, ok, err := idx.Nearest(&q, Candidates, func(cand *ledger.Version) (float64, error) {
		v, err := l.VerifiedVersion(cand)
		if err != nil {
			return 0, err
		}
		verified[cand] = v
		if v.HashOnly {
			if v.Sketch == nil {
				return 0, nil
			}
			return q.Similarity(v.Sketch), nil
		}
		data, err := l.Content(v)
		if err != nil {
			return 0, err
		}
		t, _, err := textform.Normalize(data)
		if err != nil {
			return 0, nil
		}
		texts[cand] = t
		return sketch.Jaccard(shingles, sketch.Shingles(t)), nil
	})
	if err != nil {
		return nil, err
	}
	if !ok || best.Similarity < MinSimilarity {
		return &Result{Kind: None}, nil
	}
	v := verified[best.Key]
	r := &Result{Kind: Nearest, Versions: []*ledger.Version{v}, Similarity: best.Similarity, Estimated: v.HashOnly}
	if t, ok := texts[best.Key]; ok {
		if d, err := worddiff.Compare(string(t), string(norm)); err == nil {
			r.Diff = d
		}
	}
	return r, nil
}
