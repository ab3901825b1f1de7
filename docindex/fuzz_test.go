package docindex

import (
	"slices"
	"testing"
)

// FuzzSearch searches arbitrary bytes (an index file from a ledger) and,
// for runs Encode made, checks that Search finds exactly the records.
func FuzzSearch(f *testing.F) {
	f.Add([]byte{}, []byte("a"))
	f.Add(Encode([]Record{{DocKey("a"), 1}, {DocKey("b"), 2}}), []byte("a"))
	f.Fuzz(func(t *testing.T, run, label []byte) {
		k := keyOf(string(label))
		Search(run, k)
		recs, err := ParseRun(run)
		if err != nil {
			return
		}
		var want []uint64
		for _, r := range recs {
			if r.Key == k {
				want = append(want, r.Entry)
			}
		}
		sorted := Encode(slices.Clone(recs))
		got, err := Search(sorted, k)
		slices.Sort(want)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("Search = %v, %v; want %v", got, err, want)
		}
	})
}
