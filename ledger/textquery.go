package ledger

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/verbatim-ledger/verbatim/docindex"
)

// FindText returns the registered versions whose text identity is sum (the
// hex SHA-256 of a normalised text form, docs/TEXT.md §2), each read from
// its verified entry. Like FindContent, the index that finds them may be
// the state cache's: a damaged cache can hide a version, never invent one.
func (l *Ledger) FindText(sum string) ([]*Version, error) {
	vs, err := l.findText(sum)
	if l.replayed(err) {
		vs, err = l.findText(sum)
	}
	return vs, err
}

func (l *Ledger) findText(sum string) ([]*Version, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	if l.lazy {
		return l.indexedVersions(docindex.TextKey(sum), func(v *Version) bool { return v.TextSHA256 == sum })
	}
	var out []*Version
	for _, v := range l.st.byText[sum] {
		got, err := l.VerifiedVersion(v)
		if err != nil {
			return nil, err
		}
		if got.TextSHA256 != sum {
			return nil, l.indexError(v)
		}
		out = append(out, got)
	}
	return out, nil
}

// Sketched calls fn for every registered version that has a similarity
// sketch, in entry order, as the ledger's index (maybe the state cache)
// records it: unverified. It is for building a nearest.Index, which only
// proposes candidates; every answer must come from VerifiedVersion and
// the version's verified bytes.
func (l *Ledger) Sketched(fn func(v *Version)) error {
	if err := l.refresh(); err != nil {
		return err
	}
	if err := l.full(); err != nil {
		return err
	}
	var all []*Version
	for _, vs := range l.st.docs {
		for _, v := range vs {
			if v.Sketch != nil {
				all = append(all, v)
			}
		}
	}
	slices.SortFunc(all, func(a, b *Version) int { return cmp.Compare(a.Entry, b.Entry) })
	for _, v := range all {
		fn(v)
	}
	return nil
}

// Translations returns the versions registered as translations of any
// version of document id, as the index records them, each read from its
// verified entry.
func (l *Ledger) Translations(id string) ([]*Version, error) {
	if err := l.refresh(); err != nil {
		return nil, err
	}
	if l.lazy {
		return l.indexedVersions(docindex.TranslationKey(id), func(v *Version) bool { return v.TranslationOf != nil && v.TranslationOf.ID == id })
	}
	var out []*Version
	for _, vs := range l.st.docs {
		for _, v := range vs {
			if v.TranslationOf == nil || v.TranslationOf.ID != id {
				continue
			}
			got, err := l.VerifiedVersion(v)
			if err != nil {
				return nil, err
			}
			out = append(out, got)
		}
	}
	slices.SortFunc(out, func(a, b *Version) int { return cmp.Compare(a.Entry, b.Entry) })
	return out, nil
}

// String is "ID@N".
func (v *Version) String() string { return v.Doc + "@" + strconv.FormatUint(v.Version, 10) }
