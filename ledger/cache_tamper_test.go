package ledger

import (
	"bytes"
	"encoding/gob"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/keys"
)

// The state cache (FORMAT.md §7.1) is outside the ledger and unsigned:
// anyone who can write the git directory can edit it. These tests edit it
// and check that nothing a caller shows (every field of a Version or an
// EntryInfo) or signs (a new entry's links) comes from it.

// editCache rewrites dir's state cache through edit.
func editCache(t *testing.T, dir string, edit func(c *cachedState)) {
	t.Helper()
	path := filepath.Join(dir, cacheFile)
	var c cachedState
	if err := gob.NewDecoder(bytes.NewReader(tamperRead(t, path))).Decode(&c); err != nil {
		t.Fatalf("no state cache to edit: %v", err)
	}
	edit(&c)
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&c); err != nil {
		t.Fatal(err)
	}
	tamperWrite(t, path, buf.Bytes())
}

// answers is everything the query functions return, as a caller sees it.
type answers struct {
	entries  []EntryInfo
	versions map[string][]Version // History
	latest   map[string]Version   // Lookup(id, 0)
	found    map[string][]Version // FindContent, by content
}

func queryAll(t *testing.T, dir string) (answers, error) {
	t.Helper()
	l, err := Open(dir)
	if err != nil {
		return answers{}, err
	}
	defer l.Close()
	a := answers{versions: map[string][]Version{}, latest: map[string]Version{}, found: map[string][]Version{}}
	if a.entries, err = l.Entries(); err != nil {
		return a, err
	}
	for _, d := range sampleDocs {
		vs, err := l.History(d.id)
		if err != nil {
			return a, err
		}
		for _, v := range vs {
			a.versions[d.id] = append(a.versions[d.id], *v)
		}
		v, err := l.Lookup(d.id, 0)
		if err != nil {
			return a, err
		}
		a.latest[d.id] = *v
		found, err := l.FindContent([]byte(d.content))
		if err != nil {
			return a, err
		}
		for _, v := range found {
			a.found[d.content] = append(a.found[d.content], *v)
		}
	}
	return a, nil
}

// truth is what the ledger answers when the cache is removed (a replay).
func truth(t *testing.T, dir string) answers {
	t.Helper()
	os.Remove(filepath.Join(dir, cacheFile))
	a, err := queryAll(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCacheTamperShowsOnlySigned(t *testing.T) {
	forgedTime := time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)
	forgedSigner := testOtherKey(t).Public().Fingerprint()
	for _, tc := range []struct {
		name string
		edit func(c *cachedState)
	}{
		{"title", func(c *cachedState) {
			for i := range c.Versions {
				c.Versions[i].Title = "A forged title"
			}
		}},
		{"time", func(c *cachedState) {
			for i := range c.Versions {
				c.Versions[i].Time = forgedTime
			}
			for i := range c.Entries {
				c.Entries[i].Time = forgedTime
			}
		}},
		{"signer", func(c *cachedState) {
			for i := range c.Versions {
				c.Versions[i].Signer = forgedSigner
			}
			for i := range c.Entries {
				c.Entries[i].Signer = forgedSigner
			}
		}},
		{"empty signer", func(c *cachedState) { // log used to panic on it
			for i := range c.Entries {
				c.Entries[i].Signer = ""
			}
		}},
		{"other fields", func(c *cachedState) {
			for i := range c.Versions {
				v := &c.Versions[i]
				v.MediaType, v.Source, v.Language, v.Note = "application/forged", "forged source", "xx", "forged note"
			}
		}},
		{"entry summaries", func(c *cachedState) {
			for i := range c.Entries {
				c.Entries[i].Kind, c.Entries[i].Doc, c.Entries[i].Version = "document", "forged", 7
			}
		}},
		{"version numbers", func(c *cachedState) {
			for i := range c.Versions {
				c.Versions[i].Version += 1
			}
		}},
		{"entry numbers", func(c *cachedState) {
			for i := range c.Versions {
				c.Versions[i].Entry = uint64(len(c.Entries)) - 1 - c.Versions[i].Entry%uint64(len(c.Entries))
			}
		}},
		{"digest", func(c *cachedState) {
			for i := range c.Versions {
				c.Versions[i].SHA256 = ContentDigest([]byte("forged"))
				c.Versions[i].Size = 6
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ledger")
			buildLedger(t, dir, sampleDocs).Close()
			want := truth(t, dir)
			Open(dir) // rewrite the cache
			editCache(t, dir, tc.edit)
			// A cache that does not match the signed entries is dropped
			// and every entry replayed: the answers are the signed ones.
			got, err := queryAll(t, dir)
			if err != nil {
				t.Fatalf("with an edited cache: %v", err)
			}
			compareAnswers(t, got, want)
		})
	}
}

// compareAnswers names the first field that differs.
func compareAnswers(t *testing.T, got, want answers) {
	t.Helper()
	if len(got.entries) != len(want.entries) {
		t.Fatalf("Entries: %d, want %d", len(got.entries), len(want.entries))
	}
	for i := range want.entries {
		if g, w := got.entries[i], want.entries[i]; g != w {
			t.Errorf("Entries()[%d] = %+v, want the signed %+v", i, g, w)
		}
	}
	for _, m := range []struct {
		name      string
		got, want map[string][]Version
	}{{"History", got.versions, want.versions}, {"FindContent", got.found, want.found}} {
		for k, wvs := range m.want {
			gvs := m.got[k]
			if len(gvs) != len(wvs) {
				t.Errorf("%s(%q): %d versions, want %d", m.name, k, len(gvs), len(wvs))
				continue
			}
			for i := range wvs {
				compareVersion(t, m.name+"("+k+")", gvs[i], wvs[i])
			}
		}
	}
	for id, w := range want.latest {
		compareVersion(t, "Lookup("+id+")", got.latest[id], w)
	}
}

func compareVersion(t *testing.T, what string, got, want Version) {
	t.Helper()
	for _, f := range []struct {
		field     string
		got, want any
	}{
		{"doc", got.Doc, want.Doc}, {"version", got.Version, want.Version}, {"entry", got.Entry, want.Entry},
		{"digest", got.SHA256, want.SHA256}, {"size", got.Size, want.Size}, {"title", got.Title, want.Title},
		{"time", got.Time, want.Time}, {"signer", got.Signer, want.Signer}, {"media type", got.MediaType, want.MediaType},
		{"source", got.Source, want.Source}, {"language", got.Language, want.Language}, {"note", got.Note, want.Note},
	} {
		if !reflect.DeepEqual(f.got, f.want) {
			t.Errorf("%s: %s is %v, but the signed entry says %v", what, f.field, f.got, f.want)
		}
	}
}

// TestCacheTamperRegister: an edited cache never makes register sign a
// wrong link. It registers a new version of "letter" (whose latest version
// the cache describes) and another document, and the ledger must verify;
// refusing is allowed, and must leave the ledger as it was.
func TestCacheTamperRegister(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *cachedState)
	}{
		{"previous digest", func(c *cachedState) {
			for i := range c.Versions {
				if c.Versions[i].Doc == "letter" {
					c.Versions[i].SHA256 = ContentDigest([]byte("forged"))
				}
			}
		}},
		{"previous entry", func(c *cachedState) {
			for i := range c.Versions {
				if c.Versions[i].Doc == "letter" {
					c.Versions[i].Entry = 2 // the translation's entry
				}
			}
		}},
		{"previous version", func(c *cachedState) {
			for i := range c.Versions {
				if c.Versions[i].Doc == "letter" {
					c.Versions[i].Version += 5
				}
			}
		}},
		{"previous digest is the new content's", func(c *cachedState) { // an old register said "unchanged"
			for i := range c.Versions {
				if c.Versions[i].Doc == "letter" && c.Versions[i].Version == 2 {
					c.Versions[i].SHA256 = ContentDigest([]byte("Letter, a third transcript.\n"))
				}
			}
		}},
		{"last entry hash", func(c *cachedState) { c.LastHash[0] ^= 1 }},
		{"last time", func(c *cachedState) { c.LastTime = "2099-01-01T00:00:00Z" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ledger")
			buildLedger(t, dir, sampleDocs).Close()
			size := uint64(1 + len(sampleDocs))
			editCache(t, dir, tc.edit)
			l, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			a, err := l.Append(testKey(t, keys.ECDSAP256), AppendOptions{Now: testClock()})
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.Add(NewDocument{ID: "letter", Content: []byte("Letter, a third transcript.\n")})
			if err == nil {
				_, err = a.Add(NewDocument{ID: "annex", Content: []byte("Annex.\n")})
			}
			if err == nil {
				err = a.Flush()
				size += 2
			}
			a.Close()
			if err != nil && !errors.Is(err, ErrTampered) {
				t.Fatalf("register with an edited cache: %v, want success or ErrTampered", err)
			}
			checkLedger(t, dir, size)
			if err == nil {
				os.Remove(filepath.Join(dir, cacheFile))
				l2, _ := Open(dir)
				defer l2.Close()
				v, _ := l2.Lookup("letter", 0)
				if v.Version != 3 || v.Entry != size-2 {
					t.Errorf("the new letter is version %d at entry %d, want version 3 at entry %d", v.Version, v.Entry, size-2)
				}
				if v.Time.Year() >= 2099 {
					t.Errorf("the new entry took its time %s from the cache's last time", v.Time)
				}
			}
		})
	}
}
