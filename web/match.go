package web

import (
	"time"

	"github.com/verbatim-ledger/verbatim/ledger"
)

// The four answers to "is this text registered?", as `verbatim check` gives
// them (issue 7).
const (
	MatchExact   = "exact"   // these exact bytes are a registered version
	MatchText    = "text"    // other bytes, but the same normalised text as a registered version
	MatchNearest = "nearest" // not registered; the most similar registered version is named
	MatchNone    = "none"    // not registered, and nothing similar
)

// Answer is what the verify page and POST /api/check say about one upload.
type Answer struct {
	Match  string `json:"match"` // MatchExact, MatchText, MatchNearest or MatchNone
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
	// Document and Version name the version the answer is about (the first
	// of Matches for exact and text, the nearest for nearest).
	Document string `json:"document,omitempty"`
	Version  uint64 `json:"version,omitempty"`
	// Similarity is in [0, 1], for nearest.
	Similarity float64 `json:"similarity,omitempty"`
	// Normalisations say what made the bytes differ, for text
	// (e.g. "line endings CRLF→LF").
	Normalisations []string `json:"normalisations,omitempty"`
	// Diff is a word-level diff from the registered version to the upload,
	// for nearest.
	Diff []DiffPart `json:"diff,omitempty"`
	// Matches are the registered versions the answer names, each checked
	// against its signed entry.
	Matches []VersionRef `json:"matches"`
}

// DiffPart is one run of a word-level diff.
type DiffPart struct {
	Op   string `json:"op"` // "=" same, "-" only in the registered version, "+" only in the upload
	Text string `json:"text"`
}

// VersionRef names one registered version and who signed it when.
type VersionRef struct {
	Doc     string    `json:"doc"`
	Version uint64    `json:"version"`
	Title   string    `json:"title,omitempty"`
	Signer  string    `json:"signer"`
	Time    time.Time `json:"time"`
	Entry   uint64    `json:"entry"`
}

// Matcher finds what an upload is in a ledger. The server calls it with the
// ledger locked for its exclusive use. A Matcher must check every version it
// names against its signed entry (ledger.VerifyVersion).
type Matcher interface {
	Match(l *ledger.Ledger, content []byte) (*Answer, error)
}

// ExactMatcher answers exact or none: whether the upload's SHA-256 is that
// of a registered version.
var ExactMatcher Matcher = exactMatcher{}

type exactMatcher struct{}

func (exactMatcher) Match(l *ledger.Ledger, content []byte) (*Answer, error) {
	a := &Answer{Match: MatchNone, SHA256: ledger.ContentDigest(content), Size: len(content), Matches: []VersionRef{}}
	vs, err := l.FindContent(content)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if err := l.VerifyVersion(v); err != nil {
			return nil, err
		}
		a.Matches = append(a.Matches, refOf(v))
	}
	if len(a.Matches) > 0 {
		a.Match, a.Document, a.Version = MatchExact, a.Matches[0].Doc, a.Matches[0].Version
	}
	return a, nil
}

func refOf(v *ledger.Version) VersionRef {
	return VersionRef{Doc: v.Doc, Version: v.Version, Title: v.Title, Signer: string(v.Signer), Time: v.Time, Entry: v.Entry}
}
