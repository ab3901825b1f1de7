package web

import (
	"strings"

	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/match"
	"github.com/verbatim-ledger/verbatim/worddiff"
)

// NewTextMatcher returns the Matcher `verbatim check` uses (package match):
// exact, text, nearest (with a word diff) or none. Its nearest-version
// index is built on first use and rebuilt when the ledger grows.
func NewTextMatcher() Matcher { return &textMatcher{} }

type textMatcher struct{ f match.Finder }

func (m *textMatcher) Match(l *ledger.Ledger, content []byte) (*Answer, error) {
	r, err := m.f.Find(l, content)
	if err != nil {
		return nil, err
	}
	a := &Answer{Match: string(r.Kind), SHA256: ledger.ContentDigest(content), Size: len(content), Matches: []VersionRef{}}
	for _, v := range r.Versions { // each read from its verified entry
		if err := l.VerifyTipEntry(v.Entry); err != nil {
			return nil, err
		}
		a.Matches = append(a.Matches, refOf(v))
	}
	if len(a.Matches) > 0 {
		a.Document, a.Version = a.Matches[0].Doc, a.Matches[0].Version
	}
	switch r.Kind {
	case match.Text:
		a.Normalisations = r.Changes.Descriptions()
	case match.Nearest:
		a.Similarity = r.Similarity
		if r.Diff != nil {
			a.Diff = diffParts(r.Diff, diffContext)
		}
	}
	return a, nil
}

// diffContext is how many words of unchanged text the page shows on each
// side of a change.
const diffContext = 8

// diffParts converts a word diff to the page's parts, cutting each long
// unchanged run down to n words of context around the changes.
func diffParts(d *worddiff.Diff, n int) []DiffPart {
	var out []DiffPart
	for i, c := range d.Chunks {
		switch c.Op {
		case worddiff.Delete:
			out = append(out, DiffPart{"-", c.Text})
		case worddiff.Insert:
			out = append(out, DiffPart{"+", c.Text})
		default:
			out = append(out, DiffPart{"=", trimEqual(c.Text, n, i > 0, i < len(d.Chunks)-1)})
		}
	}
	return out
}

// trimEqual cuts an unchanged run to its first n words when a change
// precedes it and its last n when one follows, with "…" for the rest.
func trimEqual(s string, n int, changeBefore, changeAfter bool) string {
	words := strings.Fields(s)
	if len(words) <= 2*n {
		return s
	}
	var head, tail string
	if changeBefore {
		head = strings.Join(words[:n], " ") + " "
	}
	if changeAfter {
		tail = " " + strings.Join(words[len(words)-n:], " ")
	}
	if strings.HasPrefix(s, " ") && head != "" {
		head = " " + head
	}
	if strings.HasSuffix(s, " ") && tail != "" {
		tail += " "
	}
	return head + "…" + tail
}
