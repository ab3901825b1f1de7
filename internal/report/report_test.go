package report

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/records"
)

func TestVersionOf(t *testing.T) {
	at := time.Date(2016, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		v    ledger.Version
		who  string
		trs  []string
		want string
	}{
		{"plain", ledger.Version{Version: 1, Entry: 1, SHA256: "ab", Size: 3, MediaType: "text/plain", Time: at, Signer: "ff"}, "", nil,
			`{"version":1,"entry":1,"sha256":"ab","size":3,"media_type":"text/plain","time":"2016-11-26T12:00:00Z","signer":"ff"}`},
		{"named, hash-only translation", ledger.Version{Version: 2, Entry: 5, SHA256: "cd", Size: 4, MediaType: "text/plain", Language: "fa", Time: at, Signer: "ee",
			HashOnly: true, TranslationOf: &records.DocumentLink{ID: "letter", Version: 1}}, "Alice", []string{"letter-en@1 (en)"},
			`{"version":2,"entry":5,"sha256":"cd","size":4,"media_type":"text/plain","language":"fa","time":"2016-11-26T12:00:00Z","signer":"ee","signer_name":"Alice","hash_only":true,"translation_of":"letter@1","translations":["letter-en@1 (en)"]}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(VersionOf(&tt.v, tt.who, tt.trs))
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: VersionOf = %s, %v; want %s", tt.name, got, err, tt.want)
		}
	}
}
