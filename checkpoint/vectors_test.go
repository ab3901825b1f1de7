package checkpoint

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/verbatim-ledger/verbatim/keys"
)

// TestRecordsVectors: the checkpoints of the format's test vectors
// (records/testdata/vectors.json, FORMAT.md §9) are ones Parse accepts,
// with the vectors' entries tree IDs.
func TestRecordsVectors(t *testing.T) {
	raw, err := os.ReadFile("../records/testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		PublicKeyDER string `json:"publicKeyDER"`
		Entries      []struct {
			EntriesTree string `json:"entriesTree"`
			Checkpoint  string `json:"checkpoint"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	der, _ := base64.StdEncoding.DecodeString(v.PublicKeyDER)
	pub, err := keys.PublicKeyFromDER(der)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range v.Entries {
		cp, err := Parse([]byte(e.Checkpoint), "example.org/verbatim-test", pub)
		if err != nil {
			t.Fatalf("entry %d: Parse(vector checkpoint) = %v", i, err)
		}
		if cp.Size != uint64(i+1) || hex.EncodeToString(cp.Entries[:]) != e.EntriesTree {
			t.Errorf("entry %d: checkpoint size %d entries %x, want %d, %s", i, cp.Size, cp.Entries, i+1, e.EntriesTree)
		}
	}
}
