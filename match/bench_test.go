package match

import (
	"crypto/ed25519"
	"crypto/x509"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
)

// The benchmark corpus (issue 7): -versions versions of about 4 KiB,
// registered through the library in bulk (versionsPerDoc versions per
// document, each the previous one with 5 words replaced), words drawn from
// a 20,000-word vocabulary with a Zipf distribution so that common words
// and phrases recur across documents. Everything follows from fixed seeds.
var benchVersions = flag.Int("versions", 100_000, "versions in the BenchmarkFind ledger")

const (
	vocabSize      = 20000
	versionsPerDoc = 4
	textBytes      = 4096
)

var vocab = func() []string {
	r := rand.New(rand.NewPCG(1, 1))
	v := make([]string, vocabSize)
	for i := range v {
		w := make([]byte, 2+r.IntN(9))
		for j := range w {
			w[j] = byte('a' + r.IntN(26))
		}
		v[i] = string(w)
	}
	return v
}()

// docWords is the words of version v (0-based) of document d.
func docWords(d, v int) []string {
	r := rand.New(rand.NewPCG(2, uint64(d)))
	z := rand.NewZipf(r, 1.1, 1, vocabSize-1)
	var ws []string
	for n := 0; ; {
		w := vocab[z.Uint64()]
		if n+len(w)+1 > textBytes {
			break
		}
		ws, n = append(ws, w), n+len(w)+1
	}
	for i := 1; i <= v; i++ {
		replaceWords(ws, 5, rand.New(rand.NewPCG(3, uint64(d*versionsPerDoc+i))))
	}
	return ws
}

func replaceWords(ws []string, k int, r *rand.Rand) {
	for _, i := range r.Perm(len(ws))[:k] {
		ws[i] = vocab[r.IntN(vocabSize)]
	}
}

func text(ws []string) []byte { return []byte(strings.Join(ws, " ") + "\n") }

type edSigner struct {
	priv ed25519.PrivateKey
	pub  *keys.PublicKey
}

func (s edSigner) Sign(m []byte) ([]byte, error) { return ed25519.Sign(s.priv, m), nil }
func (s edSigner) Public() *keys.PublicKey       { return s.pub }

func newEdSigner(tb testing.TB) edSigner {
	seed := make([]byte, ed25519.SeedSize)
	priv := ed25519.NewKeyFromSeed(seed)
	der, _ := x509.MarshalPKIXPublicKey(priv.Public())
	pub, err := keys.PublicKeyFromDER(der)
	if err != nil {
		tb.Fatal(err)
	}
	return edSigner{priv, pub}
}

var (
	corpusOnce sync.Once
	corpusDir  string
	corpusErr  error
	buildTime  time.Duration
)

// benchLedger builds the corpus ledger once per process.
func benchLedger(b *testing.B, n int) string {
	corpusOnce.Do(func() {
		start := time.Now()
		corpusDir, corpusErr = os.MkdirTemp("", "verbatim-match-bench")
		if corpusErr != nil {
			return
		}
		corpusDir = filepath.Join(corpusDir, "ledger")
		corpusErr = buildCorpus(corpusDir, n, newEdSigner(b))
		buildTime = time.Since(start)
	})
	if corpusErr != nil {
		b.Fatal(corpusErr)
	}
	return corpusDir
}

func buildCorpus(dir string, n int, key edSigner) error {
	l, err := ledger.Init(dir, "example.org/match-bench", key, ledger.AppendOptions{})
	if err != nil {
		return err
	}
	defer l.Close()
	a, err := l.Append(key, ledger.AppendOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	for i := 0; i < n; i++ {
		d, v := i/versionsPerDoc, i%versionsPerDoc
		if _, err := a.Add(ledger.NewDocument{ID: fmt.Sprintf("doc-%06d", d), Content: text(docWords(d, v))}); err != nil {
			return err
		}
		if a.Pending() == 2000 {
			if err := a.Flush(); err != nil {
				return err
			}
		}
	}
	return a.Flush()
}

// BenchmarkFind measures a nearest-version lookup of an altered copy in a
// ledger of -versions versions, after the index is built, for copies with
// 1, 10 and 50 words changed; found-% is how often the answer is the
// version the copy was made from. Run through bench/text.sh.
func BenchmarkFind(b *testing.B) {
	n := *benchVersions
	dir := benchLedger(b, n)
	l, err := ledger.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	var f Finder
	start := time.Now()
	if _, err := f.index(l); err != nil {
		b.Fatal(err)
	}
	indexTime := time.Since(start)
	for _, k := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("changed=%d", k), func(b *testing.B) {
			r := rand.New(rand.NewPCG(4, uint64(k)))
			type query struct {
				copy []byte
				want string
			}
			qs := make([]query, 50)
			for i := range qs {
				j := r.IntN(n)
				d, v := j/versionsPerDoc, j%versionsPerDoc
				ws := docWords(d, v)
				replaceWords(ws, k, r)
				qs[i] = query{text(ws), fmt.Sprintf("doc-%06d@%d", d, v+1)}
			}
			found := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				q := qs[i%len(qs)]
				res, err := f.Find(l, q.copy)
				if err != nil {
					b.Fatal(err)
				}
				if res.Kind == Nearest && res.Versions[0].String() == q.want {
					found++
				}
			}
			b.StopTimer()
			b.ReportMetric(100*float64(found)/float64(b.N), "found-%")
			b.ReportMetric(buildTime.Seconds(), "ledger-build-s")
			b.ReportMetric(indexTime.Seconds(), "index-build-s")
		})
	}
}
