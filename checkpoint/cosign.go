package checkpoint

import (
	"errors"
	"fmt"
	"strings"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/verbatim-ledger/verbatim/keys"
)

// Witness is a witness's name and Ed25519 public key. A witness cosigns a
// checkpoint (C2SP tlog-cosignature, cosignature/v1) to attest that it saw
// it and that it is consistent with every checkpoint of the ledger it
// cosigned before.
type Witness struct {
	Name string
	Key  *keys.PublicKey
}

// WitnessName is the name a witness has when none is given: "witness-"
// and the first 16 hex digits of its key's fingerprint.
func WitnessName(pub *keys.PublicKey) string { return "witness-" + pub.Fingerprint().Short() }

// verifier returns the cosignature/v1 verifier for w.
func (w Witness) verifier() (note.Verifier, error) {
	if w.Key.Algorithm() != keys.Ed25519 {
		return nil, fmt.Errorf("witness %s: witness keys are Ed25519", w.Name)
	}
	return fnote.NewVerifierForCosignatureV1(VerifierKeyEd25519(w.Name, publicEd25519(w.Key)))
}

// Cosign returns the checkpoint note cp with the witness cosignature of
// priv under name added after its existing signatures (replacing an
// earlier cosignature by the same witness).
func Cosign(cp *Checkpoint, name string, priv *keys.PrivateKey) ([]byte, error) {
	skey, err := priv.NoteSignerKey(name)
	if err != nil {
		return nil, err
	}
	signer, err := fnote.NewSignerForCosignatureV1(skey)
	if err != nil {
		return nil, fmt.Errorf("witness key: %w", err)
	}
	n := &note.Note{Text: cp.Note.Text}
	for _, s := range append(append([]note.Signature{}, cp.Note.Sigs...), cp.Note.UnverifiedSigs...) {
		if s.Name == signer.Name() && s.Hash == signer.KeyHash() {
			continue
		}
		n.Sigs = append(n.Sigs, s)
	}
	return note.Sign(n, signer)
}

// Cosigners returns the names of the witnesses whose cosignatures on the
// checkpoint note raw (signed by the ledger key under origin) verify. A
// cosignature by one of the witnesses that does not verify is an error.
func Cosigners(raw []byte, origin string, ledgerKey *keys.PublicKey, witnesses []Witness) ([]string, error) {
	vs := []note.Verifier{newNoteKey(origin, ledgerKey)}
	names := map[string]bool{}
	for _, w := range witnesses {
		v, err := w.verifier()
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
		names[w.Name] = true
	}
	if err := checkSignatureLines(raw); err != nil {
		return nil, fmt.Errorf("checkpoint cosignatures: %w", err)
	}
	n, err := note.Open(raw, note.VerifierList(vs...))
	if err != nil {
		return nil, fmt.Errorf("checkpoint cosignatures: %w", err)
	}
	var out []string
	for _, s := range n.Sigs {
		if names[s.Name] {
			out = append(out, s.Name)
		}
	}
	return out, nil
}

// ErrQuorum means fewer witnesses cosigned a checkpoint than required.
var ErrQuorum = errors.New("not enough witness cosignatures")

// RequireQuorum checks that at least quorum of witnesses cosigned raw.
func RequireQuorum(raw []byte, origin string, ledgerKey *keys.PublicKey, witnesses []Witness, quorum int) error {
	if quorum <= 0 {
		return nil
	}
	got, err := Cosigners(raw, origin, ledgerKey, witnesses)
	if err != nil {
		return err
	}
	if len(got) < quorum {
		return fmt.Errorf("%w: %d of the %d witnesses given cosigned the checkpoint (%s), %d required", ErrQuorum, len(got), len(witnesses), strings.Join(got, ", "), quorum)
	}
	return nil
}
