package records

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// fieldRule is one value of a predicate field and whether a verifier
// accepts it: the "rules" of testdata/vectors.json (FORMAT.md §3.3, §9).
type fieldRule struct {
	Field  string `json:"field"` // mediaType or time
	Value  string `json:"value"`
	Accept bool   `json:"accept"`
	Why    string `json:"why"`
}

// fieldRules are the accepted and rejected values the vectors list.
func fieldRules() []fieldRule {
	return []fieldRule{
		{"mediaType", "text/plain; charset=utf-8", true, "a typical media type"},
		{"mediaType", "x", true, "1 byte, the shortest"},
		{"mediaType", strings.Repeat("m", 255), true, "255 bytes, the longest"},
		{"mediaType", "text/plain; name=\"نامه\u00a0é\"", true, "any UTF-8 other than U+0000–U+001F and U+007F"},
		{"mediaType", "text/plain\u0085", true, "U+0085 and the other C1 controls (U+0080–U+009F) are allowed"},
		{"mediaType", "", false, "empty"},
		{"mediaType", strings.Repeat("m", 256), false, "256 bytes"},
		{"mediaType", strings.Repeat("é", 128), false, "256 bytes in 128 characters: the limit is in bytes"},
		{"mediaType", "text/plain;\tcharset=utf-8", false, "U+0009 (tab) is a control character"},
		{"mediaType", "text/plain\n", false, "U+000A (newline)"},
		{"mediaType", "text/\u0000plain", false, "U+0000"},
		{"mediaType", "text/plain\u001f", false, "U+001F"},
		{"mediaType", "text/plain\u007f", false, "U+007F (DEL)"},

		{"time", "2026-11-28T12:00:00Z", true, "a typical time"},
		{"time", "1970-01-01T00:00:00Z", true, "the earliest: Unix time 0"},
		{"time", "9999-12-31T23:59:59Z", true, "the latest"},
		{"time", "2028-02-29T23:59:59Z", true, "a leap day"},
		{"time", "1969-12-31T23:59:59Z", false, "before 1970: a commit's time would be negative"},
		{"time", "0000-01-01T00:00:00Z", false, "year 0000"},
		{"time", "2016-12-31T23:59:60Z", false, "a leap second"},
		{"time", "2026-11-28T24:00:00Z", false, "hour 24"},
		{"time", "2026-02-29T12:00:00Z", false, "not a leap year"},
		{"time", "2026-11-28T12:00:00.0Z", false, "fractional seconds"},
		{"time", "2026-11-28T12:00:00+00:00", false, "a numeric zone"},
		{"time", "2026-11-28t12:00:00z", false, "lowercase t and z"},
		{"time", "2026-11-28 12:00:00Z", false, "a space for T"},
		{"time", "2026-1-28T12:00:00Z", false, "a one-digit month"},
		{"time", "10000-01-01T00:00:00Z", false, "a five-digit year"},
	}
}

// TestVectorRules applies every rule of the stored vectors to the document
// statement and checks that Validate accepts exactly the accepted values.
func TestVectorRules(t *testing.T) {
	raw, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if len(v.Rules) == 0 {
		t.Fatal("the vectors hold no rules")
	}
	f := newFixture(t)
	for _, r := range v.Rules {
		s := cloneStatement(f.doc)
		switch r.Field {
		case "mediaType":
			s.Predicate.Document.MediaType = r.Value
		case "time":
			s.Predicate.Time = r.Value
		default:
			t.Fatalf("rule for unknown field %q", r.Field)
		}
		if err := s.Validate(); (err == nil) != r.Accept {
			t.Errorf("%s %q (%s): Validate() = %v, want accept = %v", r.Field, r.Value, r.Why, err, r.Accept)
		}
	}
}
