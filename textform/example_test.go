package textform_test

import (
	"fmt"

	"github.com/verbatim-ledger/verbatim/textform"
)

// A CRLF copy of a text with a byte-order mark has the same text identity as
// the original.
func ExampleSum() {
	orig, _, _ := textform.Sum([]byte("Hails and salutes\nto all the sponsors\n"))
	copy, changes, _ := textform.Sum([]byte("\uFEFFHails and salutes\r\nto all the sponsors\r\n"))
	fmt.Println(orig == copy)
	fmt.Println(changes)
	fmt.Println(changes.Names())
	// Output:
	// true
	// byte-order mark removed, line endings CRLF→LF
	// [bom crlf]
}
