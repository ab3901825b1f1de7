package docindex

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/verbatim-ledger/verbatim/records"
)

func docStatement(id, sum string, text *records.TextID, translationOf string) *records.Statement {
	d := &records.Document{ID: id, Version: 1, Text: text}
	if translationOf != "" {
		d.Relations = &records.Relations{TranslationOf: &records.DocumentLink{ID: translationOf, Version: 1}}
	}
	return &records.Statement{Subject: []records.Subject{{Name: id, Digest: records.Digest{SHA256: sum}}}, Predicate: records.Predicate{Document: d}}
}

func TestRecords(t *testing.T) {
	sum := "5f0c2b4e0e4e1d0f4b1a7c1c1f3b9e2a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a"
	text := &records.TextID{SHA256: "0b9a8f7e6d5c4b3a5f0c2b4e0e4e1d0f4b1a7c1c1f3b9e2a8d7c6b5a4f3e2d1c"}
	for _, tc := range []struct {
		name string
		st   *records.Statement
		want []Record
	}{
		{"genesis", &records.Statement{Predicate: records.Predicate{Genesis: &records.Genesis{}}}, nil},
		{"key entry", &records.Statement{Predicate: records.Predicate{Key: &records.KeyEvent{}}}, []Record{{KeysKey(), 7}}},
		{"bytes only", docStatement("letter", sum, nil, ""), []Record{{DocKey("letter"), 7}, {DigestKey(sum), 7}}},
		{"text", docStatement("letter", sum, text, ""), []Record{{DocKey("letter"), 7}, {DigestKey(sum), 7}, {TextKey(text.SHA256), 7}}},
		{"translation", docStatement("نامه", sum, text, "letter"), []Record{{DocKey("نامه"), 7}, {DigestKey(sum), 7}, {TextKey(text.SHA256), 7}, {TranslationKey("letter"), 7}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Records(nil, 7, tc.st); !slices.Equal(got, tc.want) {
				t.Errorf("Records = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLabelsDiffer(t *testing.T) {
	// The kinds keep labels apart: an id that looks like a digest is not one.
	sum := "5f0c2b4e0e4e1d0f4b1a7c1c1f3b9e2a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a"
	keys := []Key{DocKey(sum), DigestKey(sum), TextKey(sum), TranslationKey(sum), KeysKey(), DocKey("keys")}
	for i := range keys {
		for j := range i {
			if keys[i] == keys[j] {
				t.Errorf("labels %d and %d have one key", i, j)
			}
		}
	}
}

func TestSearch(t *testing.T) {
	a, b, c := DocKey("a"), DocKey("b"), DocKey("c")
	run := Encode([]Record{{b, 9}, {a, 3}, {b, 2}, {b, 5}, {c, 1}})
	if len(run) != 5*RecordSize {
		t.Fatalf("run is %d bytes", len(run))
	}
	for _, tc := range []struct {
		k    Key
		want []uint64
	}{{a, []uint64{3}}, {b, []uint64{2, 5, 9}}, {c, []uint64{1}}, {DocKey("d"), nil}} {
		got, err := Search(run, tc.k)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Search(%x) = %v, %v; want %v", tc.k[:4], got, err, tc.want)
		}
	}
	if got, err := Search(nil, a); err != nil || got != nil {
		t.Errorf("Search(empty) = %v, %v", got, err)
	}
	if _, err := Search(run[:RecordSize+1], a); !errors.Is(err, ErrMalformed) {
		t.Errorf("Search(41 bytes) = %v, want ErrMalformed", err)
	}
}

func TestSplit(t *testing.T) {
	var recs []Record
	for i := range 1000 {
		recs = append(recs, Record{DocKey(fmt.Sprint(i)), uint64(i)})
	}
	parts := Split(slices.Clone(recs))
	total := 0
	for p, run := range parts {
		got, err := ParseRun(run)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range got {
			if Part(r.Key) != p {
				t.Errorf("record %v in part %d", r, p)
			}
		}
		if !slices.IsSortedFunc(got, func(a, b Record) int { return bytes.Compare(a.Key[:], b.Key[:]) }) {
			t.Errorf("part %d is not sorted", p)
		}
		total += len(got)
	}
	if total != len(recs) {
		t.Errorf("parts hold %d records, want %d", total, len(recs))
	}
	if PartName(0) != "0" || PartName(15) != "f" {
		t.Errorf("PartName: %q %q", PartName(0), PartName(15))
	}
}

// entryRecords gives entry n one or two synthetic records.
func entryRecords(n uint64) []Record {
	out := []Record{{DocKey(fmt.Sprint("doc-", n%37)), n}}
	if n%3 == 0 {
		out = append(out, Record{KeysKey(), n})
	}
	return out
}

func TestBlocks(t *testing.T) {
	const n = 2*LargeBlock + 250
	full := NewBlocks(1, nil, nil)
	var small, large int
	smallRuns := map[uint64][]byte{}
	for i := uint64(1); i < n; i++ {
		c := full.Add(i, entryRecords(i))
		if (c.Small != nil) != (i%SmallBlock == SmallBlock-1) {
			t.Fatalf("entry %d: small run %v", i, c.Small != nil)
		}
		if (c.Large != nil) != (i%LargeBlock == LargeBlock-1) {
			t.Fatalf("entry %d: large run %v", i, c.Large != nil)
		}
		if c.Small != nil {
			small++
			smallRuns[i/SmallBlock] = c.Small
			var want []Record
			for j := i - i%SmallBlock; j <= i; j++ {
				if j > 0 {
					want = append(want, entryRecords(j)...)
				}
			}
			if !bytes.Equal(c.Small, Encode(want)) {
				t.Fatalf("entry %d: small run differs", i)
			}
		}
		if c.Large != nil {
			large++
		}
	}
	if small != n/SmallBlock || large != 2 {
		t.Errorf("%d small and %d large runs", small, large)
	}
	// Resuming mid-block from the complete small runs and the entries of
	// the current small block gives the same runs as gathering from the start.
	for _, start := range []uint64{LargeBlock + 1, LargeBlock + 5*SmallBlock, LargeBlock + 5*SmallBlock + 42, 2*LargeBlock - 1} {
		var lg, sm []Record
		first := start - start%SmallBlock
		for blk := (start - start%LargeBlock) / SmallBlock; blk < first/SmallBlock; blk++ {
			recs, err := ParseRun(smallRuns[blk])
			if err != nil {
				t.Fatal(err)
			}
			lg = append(lg, recs...)
		}
		for j := first; j < start; j++ {
			sm = append(sm, entryRecords(j)...)
		}
		lg = append(lg, sm...)
		resumed, again := NewBlocks(start, lg, sm), NewBlocks(1, nil, nil)
		for j := uint64(1); j < start; j++ {
			again.Add(j, entryRecords(j))
		}
		for j := start; j < 2*LargeBlock; j++ {
			c1, c2 := resumed.Add(j, entryRecords(j)), again.Add(j, entryRecords(j))
			if !bytes.Equal(c1.Small, c2.Small) || (c1.Large == nil) != (c2.Large == nil) || (c1.Large != nil && !slices.EqualFunc(c1.Large[:], c2.Large[:], bytes.Equal)) {
				t.Fatalf("resumed at %d: entry %d's runs differ", start, j)
			}
		}
	}
}

// TestVectors pins the encoding (FORMAT.md §2.4, §9): the keys of labels and
// a run, as testdata/vectors.txt lists them.
func TestVectors(t *testing.T) {
	var b bytes.Buffer
	for _, l := range []struct {
		label string
		k     Key
	}{
		{"doc prisoners-letter-2016", DocKey("prisoners-letter-2016")},
		{"doc نامه", DocKey("نامه")},
		{"sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", DigestKey("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")},
		{"text e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", TextKey("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")},
		{"translation-of prisoners-letter-2016", TranslationKey("prisoners-letter-2016")},
		{"keys", KeysKey()},
	} {
		fmt.Fprintf(&b, "label %q\nkey %x\n", l.label, l.k)
	}
	run := Encode([]Record{{DocKey("prisoners-letter-2016"), 2}, {KeysKey(), 1}, {DocKey("prisoners-letter-2016"), 1}})
	fmt.Fprintf(&b, "run of entry 1 (keys) and entries 1, 2 (doc prisoners-letter-2016)\n%s\n", hex.EncodeToString(run))
	checkGolden(t, "testdata/vectors.txt", b.Bytes())
}
