package ledger

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"

	"github.com/verbatim-ledger/verbatim/keys"
)

// Checkpoints (FORMAT.md §5). Every commit's tree holds a file "checkpoint":
// a C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) for the ledger
// after that commit's entry, a signed note whose origin and key name are the
// ledger name, signed by the key that signed the entry.

// Note signature algorithm bytes (C2SP signed-note): Ed25519 is 0x01; ECDSA
// P-256 over SHA-256 is 0x02 as Rekor and transparency-dev/formats use it.
const (
	algEd25519 = 0x01
	algECDSA   = 0x02
)

// noteKey adapts a ledger key to the signed-note interfaces.
type noteKey struct {
	name string
	hash uint32
	pub  *keys.PublicKey
	priv Signer
}

func newNoteKey(name string, pub *keys.PublicKey) *noteKey {
	return &noteKey{name: name, hash: noteKeyHash(name, pub), pub: pub}
}

// noteKeyHash is the signed-note key hash: for Ed25519 SHA-256(name || "\n"
// || 0x01 || key)[:4] (C2SP signed-note); for ECDSA SHA-256(SPKI DER)[:4]
// (transparency-dev/formats NewECDSAVerifier).
func noteKeyHash(name string, pub *keys.PublicKey) uint32 {
	var h [32]byte
	if k, ok := pub.Crypto().(ed25519.PublicKey); ok {
		h = sha256.Sum256(append([]byte(name+"\n\x01"), k...))
	} else {
		h = sha256.Sum256(pub.DER())
	}
	return binary.BigEndian.Uint32(h[:4])
}

// VerifierKey returns the signed-note verifier key string for the ledger key
// pub: "<name>+<hash>+<base64(alg || key)>", usable with note and formats.
func VerifierKey(name string, pub *keys.PublicKey) string {
	var b []byte
	if k, ok := pub.Crypto().(ed25519.PublicKey); ok {
		b = append([]byte{algEd25519}, k...)
	} else {
		b = append([]byte{algECDSA}, pub.DER()...)
	}
	return fmt.Sprintf("%s+%08x+%s", name, noteKeyHash(name, pub), base64.StdEncoding.EncodeToString(b))
}

func (k *noteKey) Name() string    { return k.name }
func (k *noteKey) KeyHash() uint32 { return k.hash }
func (k *noteKey) Sign(msg []byte) ([]byte, error) {
	return k.priv.Sign(msg)
}
func (k *noteKey) Verify(msg, sig []byte) bool { return k.pub.Verify(msg, sig) == nil }

// Checkpoint is a parsed, verified checkpoint.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   [32]byte
	Raw    []byte // the signed note as stored
}

// signCheckpoint returns the signed note for a ledger of size entries with root hash root.
func signCheckpoint(origin string, size uint64, root [32]byte, priv Signer) ([]byte, error) {
	k := newNoteKey(origin, priv.Public())
	k.priv = priv
	body := log.Checkpoint{Origin: origin, Size: size, Hash: root[:]}.Marshal()
	return note.Sign(&note.Note{Text: string(body)}, k)
}

// maxCheckpointSize bounds a checkpoint note; real ones are under 300 bytes.
const maxCheckpointSize = 4096

// parseCheckpoint verifies a checkpoint note signed by pub under the ledger
// name origin, and accepts only the canonical body: origin, decimal size
// without leading zeros, base64 of a 32-byte hash, and no extension lines.
func parseCheckpoint(data []byte, origin string, pub *keys.PublicKey) (*Checkpoint, error) {
	return openCheckpoint(data, origin, newNoteKey(origin, pub))
}

// parseChainedCheckpoint is parseCheckpoint for a checkpoint that is not the
// newest: its bytes are authenticated by the next entry's signed
// previousCheckpoint hash, so its own signature is not verified again; its
// form, key name and key hash are.
func parseChainedCheckpoint(data []byte, origin string, pub *keys.PublicKey) (*Checkpoint, error) {
	return openCheckpoint(data, origin, chainedKey{newNoteKey(origin, pub)})
}

// chainedKey is a note verifier for bytes already authenticated otherwise.
type chainedKey struct{ *noteKey }

func (chainedKey) Verify(msg, sig []byte) bool { return len(sig) > 0 }

func openCheckpoint(data []byte, origin string, v note.Verifier) (*Checkpoint, error) {
	if len(data) > maxCheckpointSize {
		return nil, errors.New("checkpoint is too large")
	}
	n, err := note.Open(data, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return nil, errors.New("checkpoint is not signed by the entry's key")
		}
		return nil, fmt.Errorf("checkpoint is not a valid signed note: %v", err)
	}
	var c log.Checkpoint
	rest, err := c.Unmarshal([]byte(n.Text))
	if err != nil {
		return nil, fmt.Errorf("checkpoint body: %v", err)
	}
	if len(rest) != 0 || len(c.Hash) != 32 || !bytes.Equal(c.Marshal(), []byte(n.Text)) ||
		strconv.FormatUint(c.Size, 10)+"\n" != string(bytes.SplitAfterN([]byte(n.Text), []byte("\n"), 3)[1]) {
		return nil, errors.New("checkpoint body is not canonical")
	}
	if c.Origin != origin {
		return nil, fmt.Errorf("checkpoint origin %q is not the ledger name %q", c.Origin, origin)
	}
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 0 {
		return nil, fmt.Errorf("checkpoint has %d signatures, want 1", len(n.Sigs))
	}
	out := &Checkpoint{Origin: c.Origin, Size: c.Size, Raw: data}
	copy(out.Root[:], c.Hash)
	return out, nil
}
