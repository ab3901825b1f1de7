package bundle

import (
	"encoding/json"
	"errors"
	"testing"
)

// TestParseKeepsCause: a malformed bundle's error is ErrMalformed and keeps
// the JSON decoder's error, for errors.As.
func TestParseKeepsCause(t *testing.T) {
	_, err := Parse([]byte(`{"format": nope}`))
	var syntax *json.SyntaxError
	if !errors.Is(err, ErrMalformed) || !errors.As(err, &syntax) {
		t.Fatalf("Parse(malformed) = %v; want ErrMalformed wrapping a *json.SyntaxError", err)
	}
}
