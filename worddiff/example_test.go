package worddiff_test

import (
	"os"

	"github.com/verbatim-ledger/verbatim/worddiff"
)

func ExampleDiff_WriteContext() {
	registered := "Archive photo\n\nthe massacre of some 30,000 political prisoners in Iran in the summer of 1988\n"
	copy := "Archive photo\n\nthe massacre of some 3,000 political prisoners in Iran in the summer of 1988\n"
	d, err := worddiff.Compare(registered, copy)
	if err != nil {
		panic(err)
	}
	d.WriteContext(os.Stdout, 4, worddiff.Style{})
	// Output:
	// line 3: the massacre of some [-30,000-]{+3,000+} political prisoners in Iran…
}
