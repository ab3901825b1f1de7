package records_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/verbatim-ledger/verbatim/records"
)

// ed25519Key is a records.Signer and records.Verifier; in verbatim the keys
// package provides them.
type ed25519Key struct{ priv ed25519.PrivateKey }

func (k ed25519Key) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(k.priv, msg), nil }

func (k ed25519Key) Verify(msg, sig []byte) error {
	if !ed25519.Verify(k.priv.Public().(ed25519.PublicKey), msg, sig) {
		return errors.New("invalid signature")
	}
	return nil
}

// This example builds the genesis of a ledger and a document entry after
// it, signs both, and parses and verifies the document entry as a verifier
// would.
func Example() {
	// A fixed key, so that the output is reproducible; a real ledger key
	// comes from keys.Generate.
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i + 1)
	}
	key := ed25519Key{ed25519.NewKeyFromSeed(seed)}
	der, err := x509.MarshalPKIXPublicKey(key.priv.Public())
	if err != nil {
		log.Fatal(err)
	}
	sum := sha256.Sum256(der)
	fingerprint := hex.EncodeToString(sum[:])

	const ledger = "archive.example.org/letters"
	when := records.FormatTime(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))

	// Entry 0, the genesis, is signed by the root key it names.
	genesis := &records.Statement{
		Type:          records.StatementType,
		Subject:       []records.Subject{{Name: ledger, Digest: records.Digest{SHA256: fingerprint}}},
		PredicateType: records.GenesisType,
		Predicate: records.Predicate{
			Ledger:     ledger,
			Entry:      0,
			MerkleRoot: hex.EncodeToString(sha256.New().Sum(nil)), // the empty tree
			Time:       when,
			Signer:     fingerprint,
			Genesis: &records.Genesis{Format: records.FormatVersion, RootKey: records.KeySpec{
				Fingerprint: fingerprint,
				Algorithm:   "ed25519",
				PublicKey:   base64.StdEncoding.EncodeToString(der),
			}},
		},
	}
	genesisEnv, err := records.Sign(genesis, fingerprint, key)
	if err != nil {
		log.Fatal(err)
	}

	// Entry 1 registers a document. It chains to the genesis envelope and
	// records the Merkle root of the entries before it (one leaf), and the
	// hash of the checkpoint stored with entry 0 (the ledger package makes
	// checkpoints; a placeholder stands in for it here).
	content := []byte("Dear friends in Paris, …\n")
	docID, err := records.DocIDFromPath("letters/Letter to Paris (2016).txt")
	if err != nil {
		log.Fatal(err)
	}
	prevEntry, leaf := records.EntryHash(genesisEnv), records.LeafHash(genesisEnv)
	checkpoint0 := sha256.Sum256([]byte("checkpoint of entry 0"))
	digest := sha256.Sum256(content)
	doc := &records.Statement{
		Type:          records.StatementType,
		Subject:       []records.Subject{{Name: docID, Digest: records.Digest{SHA256: hex.EncodeToString(digest[:])}}},
		PredicateType: records.DocumentType,
		Predicate: records.Predicate{
			Ledger:             ledger,
			Entry:              1,
			PreviousEntry:      hex.EncodeToString(prevEntry[:]),
			PreviousCheckpoint: hex.EncodeToString(checkpoint0[:]),
			MerkleRoot:         hex.EncodeToString(leaf[:]),
			Time:               when,
			Signer:             fingerprint,
			Document: &records.Document{
				ID:        docID,
				Version:   1,
				MediaType: "text/plain; charset=utf-8",
				Size:      int64(len(content)),
				Title:     "Letter to the Paris conference",
			},
		},
	}
	docEnv, err := records.Sign(doc, fingerprint, key)
	if err != nil {
		log.Fatal(err)
	}

	// A verifier parses the stored bytes (only the canonical encoding is
	// accepted) and checks the signature with the key the ledger authorizes.
	entry, err := records.ParseEnvelope(docEnv)
	if err != nil {
		log.Fatal(err)
	}
	if err := entry.Verify(key); err != nil {
		log.Fatal(err)
	}
	d := entry.Statement.Predicate.Document
	fmt.Printf("entry %d of %s: %s version %d, %d bytes, %q\n",
		entry.Statement.Predicate.Entry, entry.Statement.Predicate.Ledger, d.ID, d.Version, d.Size, d.Title)
	fmt.Println("signed by", entry.KeyID[:16])

	// Any other encoding of the same statement is refused.
	_, err = records.ParseEnvelope(append(docEnv, '\n'))
	fmt.Println(errors.Is(err, records.ErrMalformed))

	// Output:
	// entry 1 of archive.example.org/letters: letter-to-paris-2016 version 1, 27 bytes, "Letter to the Paris conference"
	// signed by 646d6be49d9f0048
	// true
}
