package docindex

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/verbatim-ledger/verbatim/records"
)

// RecordSize is the size of an encoded record: a 32-byte key and an 8-byte
// entry number.
const RecordSize = 40

// Key is the SHA-256 of a label.
type Key [32]byte

// Record says that entry Entry has the label whose hash is Key.
type Record struct {
	Key   Key
	Entry uint64
}

// Label kinds (FORMAT.md §2.4).
const (
	kindDoc         = "doc "
	kindSHA256      = "sha256 "
	kindText        = "text "
	kindTranslation = "translation-of "
	labelKeys       = "keys"
)

func keyOf(label string) Key { return sha256.Sum256([]byte(label)) }

// DocKey is the key of the label of every version of document id.
func DocKey(id string) Key { return keyOf(kindDoc + id) }

// DigestKey is the key of the label of the document entries whose bytes
// have the SHA-256 sum (lowercase hex).
func DigestKey(sum string) Key { return keyOf(kindSHA256 + sum) }

// TextKey is the key of the label of the document entries whose text
// identity is sum (lowercase hex, docs/TEXT.md).
func TextKey(sum string) Key { return keyOf(kindText + sum) }

// TranslationKey is the key of the label of the document entries that
// translate a version of document id.
func TranslationKey(id string) Key { return keyOf(kindTranslation + id) }

// KeysKey is the key of the label every key entry has.
func KeysKey() Key { return keyOf(labelKeys) }

// Records returns the records entry n contributes, whose statement is st,
// appended to dst.
func Records(dst []Record, n uint64, st *records.Statement) []Record {
	p := &st.Predicate
	switch {
	case p.Document != nil:
		d := p.Document
		dst = append(dst, Record{DocKey(d.ID), n}, Record{DigestKey(st.Subject[0].Digest.SHA256), n})
		if d.Text != nil {
			dst = append(dst, Record{TextKey(d.Text.SHA256), n})
		}
		if d.Relations != nil && d.Relations.TranslationOf != nil {
			dst = append(dst, Record{TranslationKey(d.Relations.TranslationOf.ID), n})
		}
	case p.Key != nil:
		dst = append(dst, Record{KeysKey(), n})
	}
	return dst
}

// append encodes r at the end of b.
func (r Record) append(b []byte) []byte {
	b = append(b, r.Key[:]...)
	return binary.BigEndian.AppendUint64(b, r.Entry)
}

// String is the record as hex key, a space and the entry number.
func (r Record) String() string {
	return hex.EncodeToString(r.Key[:]) + " " + strconv.FormatUint(r.Entry, 10)
}
