// Command million builds the benchmark ledger of issue 10: a ledger of a
// million small synthetic document versions, registered in bulk through
// the library as `verbatim register` does (one Appender, a commit every
// 1,000 versions), and reports the registration rate per 100,000 versions.
// bench/million.sh runs it and then times verify, gc, audit and the first
// answers of a fresh clone with the verbatim binary.
//
//	million build -dir DIR [-entries N] [-size BYTES]
//	million append -dir DIR -n N
//
// build writes DIR (the ledger), DIR.key and DIR.pub (an ECDSA P-256 key
// pair encrypted with the password "bench") and DIR.sample (a registered
// version's bytes; its id is printed).
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
)

const (
	password = "bench"
	report   = 100_000
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := fs.String("dir", "", "the ledger directory")
	entries := fs.Int("entries", 1_000_000, "document versions to register (build)")
	size := fs.Int("size", 256, "bytes per document (build)")
	n := fs.Int("n", 100, "versions to add (append)")
	flushEvery := fs.Int("flush", 1000, "versions per Flush, as internal/cli's registerFlushEvery (build)")
	memprofile := fs.String("memprofile", "", "write a heap profile to this file once the versions are registered (build)")
	profile := fs.String("cpuprofile", "", "write CPU profiles of the first and the last block of 100,000 to PREFIX-first.prof and PREFIX-last.prof (build)")
	fs.Parse(os.Args[2:])
	if *dir == "" {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "build":
		err = build(*dir, *entries, *size, *flushEvery, *profile, *memprofile)
	case "append":
		err = appendNew(*dir, *n)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "million:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: million build -dir DIR [-entries N] [-size BYTES] | million append -dir DIR -n N")
	os.Exit(2)
}

// content returns about size bytes of text unique to version i.
func content(rng *rand.Rand, i, size int) []byte {
	const words = "letter prisoners conference justice massacre nineteen eighty eight evin prison families truth "
	b := fmt.Appendf(make([]byte, 0, size+16), "document version %d\n", i)
	for len(b) < size {
		j := rng.Intn(len(words) - 10)
		b = append(b, words[j:j+10]...)
	}
	return b
}

// cpuSeconds is the user and system CPU time the process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// startProfile starts a CPU profile to path, if prefix is set; the returned
// function stops it.
func startProfile(prefix, which string) (func(), error) {
	if prefix == "" {
		return func() {}, nil
	}
	f, err := os.Create(prefix + "-" + which + ".prof")
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func build(dir string, total, size, flushEvery int, profile, memprofile string) error {
	privPEM, pubPEM, err := keys.Generate(keys.ECDSAP256, []byte(password))
	if err != nil {
		return err
	}
	if err := os.WriteFile(dir+".key", privPEM, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(dir+".pub", pubPEM, 0o644); err != nil {
		return err
	}
	key, err := keys.ParsePrivateKey(privPEM, []byte(password))
	if err != nil {
		return err
	}
	l, err := ledger.Init(dir, "bench.example.org/million", key, ledger.AppendOptions{})
	if err != nil {
		return err
	}
	defer l.Close()
	a, err := l.Append(key, ledger.AppendOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	docs := max(total/10, 1) // ten versions each, registered round-robin
	rng := rand.New(rand.NewSource(1))
	start, block, cpu := time.Now(), time.Now(), cpuSeconds()
	var first, last float64
	var flushing time.Duration // waiting in StartFlush, this block of report versions
	stop, err := startProfile(profile, "first")
	if err != nil {
		return err
	}
	for i := 0; i < total; i++ {
		body := content(rng, i, size)
		id := fmt.Sprintf("doc-%07d", i%docs)
		if _, err := a.Add(ledger.NewDocument{ID: id, Content: body, Title: "benchmark document"}); err != nil {
			return fmt.Errorf("version %d: %w", i, err)
		}
		if i == total/2 {
			if err := os.WriteFile(dir+".sample", body, 0o644); err != nil {
				return err
			}
			fmt.Printf("sample: %s.sample is a version of %s\n", dir, id)
		}
		if a.Pending() == flushEvery {
			t := time.Now() // as `verbatim register`: the batch is written while the next is signed
			if err := a.StartFlush(); err != nil {
				return err
			}
			flushing += time.Since(t)
		}
		if (i+1)%report == 0 {
			rate := report / time.Since(block).Seconds()
			if first == 0 {
				first = rate
			}
			last = rate
			now := cpuSeconds()
			fmt.Printf("registered %7d: %6.0f versions/s over the last %d; per version %5.1f µs of CPU, %5.1f µs waiting for Flush\n",
				i+1, rate, report, (now-cpu)*1e6/report, flushing.Seconds()*1e6/report)
			block, cpu, flushing = time.Now(), now, 0
			if i+1 == report {
				stop()
				stop = func() {}
			}
			if i+1 == total-report {
				if stop, err = startProfile(profile, "last"); err != nil {
					return err
				}
			}
		}
	}
	stop()
	if err := a.Flush(); err != nil {
		return err
	}
	if memprofile != "" {
		f, err := os.Create(memprofile)
		if err != nil {
			return err
		}
		runtime.GC()
		err = pprof.WriteHeapProfile(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	elapsed := time.Since(start)
	fmt.Printf("register: %d versions of %d bytes in %.1f s: %.0f versions/s\n", total, size, elapsed.Seconds(), float64(total)/elapsed.Seconds())
	if first > 0 {
		fmt.Printf("register: first %d at %.0f/s, last %d at %.0f/s: the last took %.2fx the first's time\n", report, first, report, last, first/last)
	}
	return nil
}

func appendNew(dir string, n int) error {
	privPEM, err := os.ReadFile(dir + ".key")
	if err != nil {
		return err
	}
	key, err := keys.ParsePrivateKey(privPEM, []byte(password))
	if err != nil {
		return err
	}
	l, err := ledger.Open(dir)
	if err != nil {
		return err
	}
	defer l.Close()
	a, err := l.Append(key, ledger.AppendOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	stamp := time.Now().UnixNano()
	for i := 0; i < n; i++ {
		doc := ledger.NewDocument{ID: fmt.Sprintf("new-%d-%d", stamp, i), Content: fmt.Appendf(nil, "new document %d %d\n", stamp, i)}
		if _, err := a.Add(doc); err != nil {
			return err
		}
	}
	return a.Flush()
}
