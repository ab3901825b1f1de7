package records

import (
	"bytes"
	"strconv"
	"sync"
)

// A record has one valid encoding (FORMAT.md §3), so a parser need not
// understand JSON in general: scanStatement and scanEnvelope read the
// canonical form only, field by field in the canonical order, and give up
// (ok false) on anything else, including any string with an escape. The
// parsers then fall back to encoding/json, which decides what is wrong and
// says so as it always has. A fast scan that succeeds has read exactly what
// encoding/json would have decoded from the same bytes (FuzzParseStatementAgrees
// and FuzzParseEnvelopeAgrees check it against the reference parsers).

// scanner reads canonical JSON from b; the first mismatch sets bad, and
// every later read is then a no-op.
type scanner struct {
	b   []byte
	i   int
	bad bool
}

// lit consumes s, which must come next.
func (r *scanner) lit(s string) {
	if r.bad || len(r.b)-r.i < len(s) || string(r.b[r.i:r.i+len(s)]) != s {
		r.bad = true
		return
	}
	r.i += len(s)
}

// opt consumes s and reports true if it comes next.
func (r *scanner) opt(s string) bool {
	if r.bad || len(r.b)-r.i < len(s) || string(r.b[r.i:r.i+len(s)]) != s {
		return false
	}
	r.i += len(s)
	return true
}

// str reads a string without escapes. Control characters, invalid UTF-8
// and U+2028/U+2029 are taken as they are: the canonical encoding escapes
// them, so the re-encoding a caller compares with refuses them.
func (r *scanner) str() string { return string(r.raw()) }

// raw is str, returning the string's bytes in b (nil after a mismatch).
func (r *scanner) raw() []byte {
	if r.bad || r.i >= len(r.b) || r.b[r.i] != '"' {
		r.bad = true
		return nil
	}
	rest := r.b[r.i+1:]
	end := bytes.IndexByte(rest, '"')
	if end < 0 || bytes.IndexByte(rest[:end], '\\') >= 0 {
		r.bad = true
		return nil
	}
	r.i += end + 2
	return rest[:end:end]
}

// num reads the digits of a non-negative integer, without leading zeros.
func (r *scanner) num() []byte {
	j := r.i
	for j < len(r.b) && r.b[j] >= '0' && r.b[j] <= '9' {
		j++
	}
	if r.bad || j == r.i || r.b[r.i] == '0' && j > r.i+1 {
		r.bad = true
		return nil
	}
	d := r.b[r.i:j]
	r.i = j
	return d
}

func (r *scanner) uint() uint64 {
	d := r.num()
	if r.bad {
		return 0
	}
	v, err := strconv.ParseUint(string(d), 10, 64)
	r.bad = err != nil
	return v
}

func (r *scanner) int() int64 {
	d := r.num()
	if r.bad {
		return 0
	}
	v, err := strconv.ParseInt(string(d), 10, 64)
	r.bad = err != nil
	return v
}

// end reports whether all of b was read without a mismatch.
func (r *scanner) end() bool { return !r.bad && r.i == len(r.b) }

// scanStatement decodes b if it is the canonical encoding of a statement
// with one subject, whatever the statement's validity.
func scanStatement(b []byte) (*Statement, bool) {
	r := &scanner{b: b}
	s := &Statement{Subject: make([]Subject, 1)}
	r.lit(`{"_type":`)
	s.Type = r.str()
	r.lit(`,"subject":[{"name":`)
	s.Subject[0].Name = r.str()
	r.lit(`,"digest":{"sha256":`)
	s.Subject[0].Digest.SHA256 = r.str()
	r.lit(`}}],"predicateType":`)
	s.PredicateType = r.str()
	r.lit(`,"predicate":`)
	r.predicate(&s.Predicate)
	r.lit(`}`)
	if !r.end() || !encodesTo(s, b) {
		return nil, false
	}
	return s, true
}

// encodesTo reports whether b is the canonical encoding of s.
func encodesTo(s *Statement, b []byte) bool {
	buf := encodeBuf.Get().(*[]byte)
	defer encodeBuf.Put(buf)
	*buf = appendStatement((*buf)[:0], s)
	return bytes.Equal(*buf, b)
}

// encodeBuf holds buffers (*[]byte) for the encodings scanStatement
// compares with what it read, then drops: a verifier parses a statement
// for each entry.
var encodeBuf = sync.Pool{New: func() any { return new([]byte) }}

func (r *scanner) predicate(p *Predicate) {
	r.lit(`{"ledger":`)
	p.Ledger = r.str()
	r.lit(`,"entry":`)
	p.Entry = r.uint()
	r.lit(`,"previousEntry":`)
	p.PreviousEntry = r.str()
	r.lit(`,"previousCheckpoint":`)
	p.PreviousCheckpoint = r.str()
	r.lit(`,"merkleRoot":`)
	p.MerkleRoot = r.str()
	r.lit(`,"time":`)
	p.Time = r.str()
	r.lit(`,"signer":`)
	p.Signer = r.str()
	if r.opt(`,"genesis":{"format":`) {
		p.Genesis = &Genesis{Format: r.str()}
		r.lit(`,"rootKey":`)
		r.keySpec(&p.Genesis.RootKey)
		r.lit(`}`)
	}
	if r.opt(`,"document":`) {
		p.Document = r.document()
	}
	if r.opt(`,"key":{"action":`) {
		p.Key = &KeyEvent{Action: r.str()}
		r.lit(`,"key":`)
		r.keySpec(&p.Key.Key)
		p.Key.Name = r.optStr(`,"name":`)
		p.Key.Reason = r.optStr(`,"reason":`)
		r.lit(`}`)
	}
	r.lit(`}`)
}

// optStr reads an omitempty string field: key and value, or nothing.
func (r *scanner) optStr(key string) string {
	if !r.opt(key) {
		return ""
	}
	return r.str()
}

func (r *scanner) keySpec(k *KeySpec) {
	r.lit(`{"fingerprint":`)
	k.Fingerprint = r.str()
	r.lit(`,"algorithm":`)
	k.Algorithm = r.str()
	r.lit(`,"publicKey":`)
	k.PublicKey = r.str()
	r.lit(`}`)
}

func (r *scanner) document() *Document {
	d := &Document{}
	r.lit(`{"id":`)
	d.ID = r.str()
	r.lit(`,"version":`)
	d.Version = r.uint()
	if r.opt(`,"previous":{"version":`) {
		d.Previous = &VersionLink{Version: r.uint()}
		r.lit(`,"entry":`)
		d.Previous.Entry = r.uint()
		r.lit(`,"sha256":`)
		d.Previous.SHA256 = r.str()
		r.lit(`}`)
	}
	r.lit(`,"mediaType":`)
	d.MediaType = r.str()
	r.lit(`,"size":`)
	d.Size = r.int()
	if r.opt(`,"text":{"sha256":`) {
		d.Text = &TextID{SHA256: r.str()}
		d.Text.Sketch = r.optStr(`,"sketch":`)
		r.lit(`}`)
	}
	d.HashOnly = r.opt(`,"hashOnly":true`)
	if r.opt(`,"relations":{`) {
		d.Relations = &Relations{}
		if r.opt(`"translationOf":{"id":`) {
			l := &DocumentLink{ID: r.str()}
			r.lit(`,"version":`)
			l.Version = r.uint()
			r.lit(`,"entry":`)
			l.Entry = r.uint()
			r.lit(`,"sha256":`)
			l.SHA256 = r.str()
			r.lit(`}`)
			d.Relations.TranslationOf = l
		}
		r.lit(`}`)
	}
	d.Title = r.optStr(`,"title":`)
	d.Source = r.optStr(`,"source":`)
	d.Language = r.optStr(`,"language":`)
	d.Note = r.optStr(`,"note":`)
	r.lit(`}`)
	return d
}

// scanEnvelope finds the payload, key id and signature in b if b is the
// canonical encoding of an envelope of PayloadType with one signature whose
// payload and signature are made of base64 characters and whose key id of
// lowercase hex digits: bytes that encoding/json decodes to an envelope
// with these fields and re-encodes unchanged. The fields are parts of b.
func scanEnvelope(b []byte) (payload, keyID, sig []byte, ok bool) {
	r := &scanner{b: b}
	r.lit(`{"payloadType":"` + PayloadType + `","payload":`)
	payload = r.raw()
	r.lit(`,"signatures":[{"keyid":`)
	keyID = r.raw()
	r.lit(`,"sig":`)
	sig = r.raw()
	r.lit(`}]}`)
	if !r.end() || !isBase64Chars(payload) || !isBase64Chars(sig) || !isLowerHex(keyID) {
		return nil, nil, nil, false
	}
	return payload, keyID, sig, true
}

func isBase64Chars(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if !base64Chars[s[i]] {
			return false
		}
	}
	return true
}

// base64Chars holds the bytes of standard base64 with its padding: a table,
// as the payload of every envelope is scanned byte by byte.
var base64Chars = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=" {
		t[c] = true
	}
	return t
}()

func isLowerHex(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
