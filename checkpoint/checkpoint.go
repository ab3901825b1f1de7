// Package checkpoint reads and writes the signed checkpoints of a verbatim
// ledger: C2SP tlog-checkpoint notes (https://c2sp.org/tlog-checkpoint)
// signed with a ledger key, ECDSA P-256 or Ed25519, as C2SP signed-note
// (https://c2sp.org/signed-note) defines the signature lines. FORMAT.md §5
// is the specification.
//
// Parse accepts only the canonical checkpoint body (origin, decimal size
// without leading zeros, base64 of a 32-byte root, and exactly one extension
// line, "entries " and the git tree ID of the ledger's entries/ directory in
// lowercase hex) with signature lines in canonical base64, and verifies the
// ledger key's signature (low-S for ECDSA, see keys); it never trusts the
// note's own claim of who signed it.
package checkpoint

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"

	"github.com/verbatim-ledger/verbatim/keys"
)

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

// Signer signs checkpoints; *keys.PrivateKey implements it.
type Signer interface {
	Sign(msg []byte) ([]byte, error)
	Public() *keys.PublicKey
}

func newNoteKey(name string, pub *keys.PublicKey) *noteKey {
	return &noteKey{name: name, hash: noteKeyHash(name, pub), pub: pub}
}

// noteKeyHash is the signed-note key hash: for Ed25519 SHA-256(name || "\n"
// || 0x01 || key)[:4] (C2SP signed-note); for ECDSA SHA-256(SPKI DER)[:4]
// (transparency-dev/formats NewECDSAVerifier).
func noteKeyHash(name string, pub *keys.PublicKey) uint32 {
	var h [32]byte
	if k := publicEd25519(pub); k != nil {
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
	// Entries is the git tree ID (SHA-1) of the ledger's entries/ directory
	// holding the first Size entries: it lets an audit compare what lies
	// below an earlier checkpoint by tree IDs instead of re-reading every
	// entry (FORMAT.md §5).
	Entries [20]byte
	Raw     []byte     // the signed note as stored
	Note    *note.Note // the parsed note, with any signatures not verified in UnverifiedSigs
}

// Sign returns the signed checkpoint note for a ledger named origin of size
// entries with root hash root, whose entries/ directory is the git tree
// entries.
func Sign(origin string, size uint64, root [32]byte, entries [20]byte, priv Signer) ([]byte, error) {
	k := newNoteKey(origin, priv.Public())
	k.priv = priv
	return note.Sign(&note.Note{Text: body(origin, size, root, entries)}, k)
}

// entriesLine starts the checkpoint's one extension line.
const entriesLine = "entries "

// body is the canonical checkpoint text: what log.Checkpoint.Marshal writes
// (C2SP tlog-checkpoint: origin, decimal size, base64 root, each on a line)
// and the entries line.
func body(origin string, size uint64, root [32]byte, entries [20]byte) string {
	b := make([]byte, 0, len(origin)+len(entriesLine)+2*len(entries)+80)
	b = append(b, origin...)
	b = append(b, '\n')
	b = strconv.AppendUint(b, size, 10)
	b = append(b, '\n')
	b = base64.StdEncoding.AppendEncode(b, root[:])
	b = append(b, '\n')
	b = append(b, entriesLine...)
	b = hex.AppendEncode(b, entries[:])
	return string(append(b, '\n'))
}

// maxCheckpointSize bounds a checkpoint note: real ones are under 300 bytes,
// plus about 120 per witness cosignature.
const maxCheckpointSize = 16 << 10

// Parse verifies a checkpoint note signed by pub under the ledger name
// origin, with no other signature (the form a ledger stores).
func Parse(data []byte, origin string, pub *keys.PublicKey) (*Checkpoint, error) {
	return open(data, origin, newNoteKey(origin, pub), true)
}

// ParseCosigned is Parse for a checkpoint that may carry other signatures
// too, such as witness cosignatures; they are returned unverified in Others.
func ParseCosigned(data []byte, origin string, pub *keys.PublicKey) (*Checkpoint, error) {
	return open(data, origin, newNoteKey(origin, pub), false)
}

// ParseChained is Parse for a checkpoint whose bytes are authenticated
// otherwise: in a ledger, every checkpoint but the newest is covered by the
// next entry's signed previousCheckpoint hash (FORMAT.md §5). Its form, key
// name and key hash are checked; its signature is not verified again.
func ParseChained(data []byte, origin string, pub *keys.PublicKey) (*Checkpoint, error) {
	return open(data, origin, chainedKey{newNoteKey(origin, pub)}, true)
}

// chainedKey is a note verifier for bytes already authenticated otherwise.
type chainedKey struct{ *noteKey }

func (chainedKey) Verify(msg, sig []byte) bool { return len(sig) > 0 }

func open(data []byte, origin string, v note.Verifier, alone bool) (*Checkpoint, error) {
	if len(data) > maxCheckpointSize {
		return nil, errors.New("checkpoint is too large")
	}
	if !bytes.Contains(data, []byte("\n\n\u2014 ")) {
		return nil, errors.New("not a checkpoint: a checkpoint is a signed note (origin, size, root hash, a blank line, signature lines)")
	}
	if first, _, ok := bytes.Cut(data, []byte("\n")); ok && string(first) != origin && utf8.Valid(first) && len(first) < 256 {
		return nil, fmt.Errorf("checkpoint origin %q is not the ledger name %q: it is another ledger's checkpoint", first, origin)
	}
	if err := checkSignatureLines(data); err != nil {
		return nil, err
	}
	n, err := note.Open(data, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return nil, fmt.Errorf("checkpoint is not signed by the expected key %s", v.Name()+"+"+fmt.Sprintf("%08x", v.KeyHash()))
		}
		if strings.Contains(err.Error(), "invalid signature") {
			return nil, errors.New("checkpoint signature does not verify: the checkpoint was altered")
		}
		return nil, fmt.Errorf("checkpoint is not a valid signed note: %w", err)
	}
	var c log.Checkpoint
	rest, err := c.Unmarshal([]byte(n.Text))
	if err != nil {
		return nil, fmt.Errorf("checkpoint body: %w", err)
	}
	ext, ok := strings.CutPrefix(string(rest), entriesLine)
	entries, err := hex.DecodeString(strings.TrimSuffix(ext, "\n"))
	if !ok || err != nil || len(entries) != 20 {
		return nil, errors.New("checkpoint body does not end with the line \"entries\" and the git tree ID of the ledger's entries: it is not a verbatim checkpoint, or it was made by an earlier draft of the format")
	}
	out := &Checkpoint{Origin: c.Origin, Size: c.Size, Raw: data, Note: n}
	copy(out.Root[:], c.Hash)
	copy(out.Entries[:], entries)
	if len(c.Hash) != 32 || body(c.Origin, c.Size, out.Root, out.Entries) != n.Text ||
		strconv.FormatUint(c.Size, 10)+"\n" != strings.SplitAfterN(n.Text, "\n", 3)[1] {
		return nil, errors.New("checkpoint body is not canonical")
	}
	if c.Origin != origin {
		return nil, fmt.Errorf("checkpoint origin %q is not the ledger name %q", c.Origin, origin)
	}
	if len(n.Sigs) != 1 || alone && len(n.UnverifiedSigs) != 0 {
		return nil, fmt.Errorf("checkpoint has %d signatures, want 1", len(n.Sigs)+len(n.UnverifiedSigs))
	}
	return out, nil
}

// VerifierKeyEd25519 is the signed-note verifier key string of a raw
// Ed25519 public key under name: "<name>+<hash>+<base64(0x01 || key)>".
func VerifierKeyEd25519(name string, key []byte) string {
	b := append([]byte{algEd25519}, key...)
	h := sha256.Sum256(append([]byte(name+"\n"), b...))
	return fmt.Sprintf("%s+%08x+%s", name, binary.BigEndian.Uint32(h[:4]), base64.StdEncoding.EncodeToString(b))
}

// publicEd25519 returns the raw 32 bytes of an Ed25519 key, or nil. It
// parses the key only if it is one: a ledger's checkpoints are parsed one
// per entry, and an ECDSA key's parse would cost more than the rest.
func publicEd25519(k *keys.PublicKey) []byte {
	if k.Algorithm() != keys.Ed25519 {
		return nil
	}
	if e, ok := k.Crypto().(ed25519.PublicKey); ok {
		return e
	}
	return nil
}
