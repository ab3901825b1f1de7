package records

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"
)

// The canonical encoding (FORMAT.md §3) is what encoding/json writes for the
// record structs with HTML escaping off and no trailing newline
// (canonicalJSON). The functions here write the same bytes directly, with
// no reflection, because every entry is encoded when it is signed and
// re-created when it is parsed; FuzzEncodeAgrees checks them against
// canonicalJSON.

// appendStatement appends the canonical encoding of s.
func appendStatement(b []byte, s *Statement) []byte {
	b = append(b, `{"_type":`...)
	b = appendString(b, s.Type)
	b = append(b, `,"subject":`...)
	if s.Subject == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range s.Subject {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendString(b, s.Subject[i].Name)
			b = append(b, `,"digest":{"sha256":`...)
			b = appendString(b, s.Subject[i].Digest.SHA256)
			b = append(b, "}}"...)
		}
		b = append(b, ']')
	}
	b = append(b, `,"predicateType":`...)
	b = appendString(b, s.PredicateType)
	b = append(b, `,"predicate":`...)
	b = appendPredicate(b, &s.Predicate)
	return append(b, '}')
}

func appendPredicate(b []byte, p *Predicate) []byte {
	b = append(b, `{"ledger":`...)
	b = appendString(b, p.Ledger)
	b = append(b, `,"entry":`...)
	b = strconv.AppendUint(b, p.Entry, 10)
	b = append(b, `,"previousEntry":`...)
	b = appendString(b, p.PreviousEntry)
	b = append(b, `,"previousCheckpoint":`...)
	b = appendString(b, p.PreviousCheckpoint)
	b = append(b, `,"merkleRoot":`...)
	b = appendString(b, p.MerkleRoot)
	b = append(b, `,"time":`...)
	b = appendString(b, p.Time)
	b = append(b, `,"signer":`...)
	b = appendString(b, p.Signer)
	if g := p.Genesis; g != nil {
		b = append(b, `,"genesis":{"format":`...)
		b = appendString(b, g.Format)
		b = append(b, `,"rootKey":`...)
		b = appendKeySpec(b, &g.RootKey)
		b = append(b, '}')
	}
	if p.Document != nil {
		b = append(b, `,"document":`...)
		b = appendDocument(b, p.Document)
	}
	if k := p.Key; k != nil {
		b = append(b, `,"key":{"action":`...)
		b = appendString(b, k.Action)
		b = append(b, `,"key":`...)
		b = appendKeySpec(b, &k.Key)
		b = appendOptional(b, `,"name":`, k.Name)
		b = appendOptional(b, `,"reason":`, k.Reason)
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendKeySpec(b []byte, k *KeySpec) []byte {
	b = append(b, `{"fingerprint":`...)
	b = appendString(b, k.Fingerprint)
	b = append(b, `,"algorithm":`...)
	b = appendString(b, k.Algorithm)
	b = append(b, `,"publicKey":`...)
	b = appendString(b, k.PublicKey)
	return append(b, '}')
}

func appendDocument(b []byte, d *Document) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, d.ID)
	b = append(b, `,"version":`...)
	b = strconv.AppendUint(b, d.Version, 10)
	if l := d.Previous; l != nil {
		b = append(b, `,"previous":{"version":`...)
		b = strconv.AppendUint(b, l.Version, 10)
		b = append(b, `,"entry":`...)
		b = strconv.AppendUint(b, l.Entry, 10)
		b = append(b, `,"sha256":`...)
		b = appendString(b, l.SHA256)
		b = append(b, '}')
	}
	b = append(b, `,"mediaType":`...)
	b = appendString(b, d.MediaType)
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, d.Size, 10)
	if t := d.Text; t != nil {
		b = append(b, `,"text":{"sha256":`...)
		b = appendString(b, t.SHA256)
		b = appendOptional(b, `,"sketch":`, t.Sketch)
		b = append(b, '}')
	}
	if d.HashOnly {
		b = append(b, `,"hashOnly":true`...)
	}
	if r := d.Relations; r != nil {
		b = append(b, `,"relations":{`...)
		if l := r.TranslationOf; l != nil {
			b = append(b, `"translationOf":{"id":`...)
			b = appendString(b, l.ID)
			b = append(b, `,"version":`...)
			b = strconv.AppendUint(b, l.Version, 10)
			b = append(b, `,"entry":`...)
			b = strconv.AppendUint(b, l.Entry, 10)
			b = append(b, `,"sha256":`...)
			b = appendString(b, l.SHA256)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	b = appendOptional(b, `,"title":`, d.Title)
	b = appendOptional(b, `,"source":`, d.Source)
	b = appendOptional(b, `,"language":`, d.Language)
	b = appendOptional(b, `,"note":`, d.Note)
	return append(b, '}')
}

// appendOptional appends a string field tagged omitempty: key and value,
// or nothing when v is empty.
func appendOptional(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(append(b, key...), v)
}

// appendEnvelope appends the canonical encoding of the one-signature
// envelope of payload.
func appendEnvelope(b, payload []byte, keyID string, sig []byte) []byte {
	b = append(b, `{"payloadType":`...)
	b = appendString(b, PayloadType)
	b = append(b, `,"payload":"`...)
	b = base64.StdEncoding.AppendEncode(b, payload)
	b = append(b, `","signatures":[{"keyid":`...)
	b = appendString(b, keyID)
	b = append(b, `,"sig":"`...)
	b = base64.StdEncoding.AppendEncode(b, sig)
	return append(b, `"}]}`...)
}

// envelopeSize is an upper bound of appendEnvelope's length, for one allocation.
func envelopeSize(payload []byte, keyID string, sig []byte) int {
	return 96 + base64.StdEncoding.EncodedLen(len(payload)) + 6*len(keyID) + base64.StdEncoding.EncodedLen(len(sig))
}

const hexDigits = "0123456789abcdef"

// appendString is encoding/json's string encoding with HTML escaping off
// (Go 1.26 encoding/json appendString): `"` and `\` and the control
// characters escaped (\b \f \n \r \t or \u00XX), each byte of invalid UTF-8
// replaced by \ufffd, U+2028 and U+2029 escaped, everything else as is.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
