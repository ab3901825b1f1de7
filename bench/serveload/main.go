// Command serveload is the load benchmark of verbatim serve (issue 9): it
// builds a ledger, starts the web server in a child process on loopback, and
// runs many concurrent clients for a bounded time and number of requests,
// mixing page views and verifications. It prints requests/s, p50 and p99
// latency, errors (which must be 0: it exits 1 otherwise) and the server
// process's peak resident memory (VmHWM).
//
//	go run ./bench/serveload -clients 200 -duration 10s
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/web"
)

func main() {
	clients := flag.Int("clients", 200, "concurrent clients")
	duration := flag.Duration("duration", 10*time.Second, "how long the load runs")
	maxRequests := flag.Int64("max-requests", 2_000_000, "stop after this many requests")
	docs := flag.Int("docs", 1000, "documents of about 4 KiB in the ledger")
	serve := flag.String("serve", "", "internal: serve the ledger in this directory and print the address")
	flag.Parse()
	if *serve != "" {
		serveChild(*serve)
		return
	}
	if err := run(*clients, *duration, *maxRequests, *docs); err != nil {
		fmt.Fprintln(os.Stderr, "serveload:", err)
		os.Exit(1)
	}
}

// serveChild is the server process: it prints its address, then serves
// until stdin closes.
func serveChild(dir string) {
	s, err := web.New(web.Options{Dir: dir, CheckEvery: time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hs := s.HTTPServer("127.0.0.1:0")
	ln, err := netListen()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	go hs.Serve(ln)
	io.Copy(io.Discard, os.Stdin)
}

func run(clients int, duration time.Duration, maxRequests int64, docs int) error {
	tmp, err := os.MkdirTemp("", "serveload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	letter, err := os.ReadFile(filepath.Join("examples", "prisoners-letter-2016.txt"))
	if err != nil {
		return fmt.Errorf("run from the repository's root: %w", err)
	}
	dir := filepath.Join(tmp, "ledger")
	start := time.Now()
	if err := buildLedger(dir, letter, docs); err != nil {
		return err
	}
	fmt.Printf("ledger: %d documents of about 4 KiB and the letter, built in %v\n", docs, time.Since(start).Round(time.Millisecond))

	child := exec.Command(os.Args[0], "-serve", dir)
	child.Stderr = os.Stderr
	stdin, _ := child.StdinPipe()
	stdout, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		return err
	}
	defer func() { stdin.Close(); child.Wait() }()
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return fmt.Errorf("the server did not start: %w", err)
	}
	base := "http://" + strings.TrimSpace(addr)

	res := load(base, letter, clients, duration, maxRequests)
	lat := res.latencies
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	n := len(lat)
	if n == 0 {
		return fmt.Errorf("no request completed")
	}
	fmt.Printf("clients %d, %v: %d requests (%d page views, %d verifications), %.0f requests/s\n",
		clients, res.elapsed.Round(time.Millisecond), n, res.pages, res.verifies, float64(n)/res.elapsed.Seconds())
	fmt.Printf("latency p50 %v, p99 %v, max %v\n", lat[n/2].Round(10*time.Microsecond), lat[n*99/100].Round(10*time.Microsecond), lat[n-1].Round(10*time.Microsecond))
	fmt.Printf("errors %d\n", res.errors)
	fmt.Printf("server peak memory (VmHWM) %s\n", peakRSS(child.Process.Pid))
	if res.errors > 0 {
		return fmt.Errorf("%d errors (first: %v)", res.errors, res.firstErr)
	}
	return nil
}

func buildLedger(dir string, letter []byte, docs int) error {
	priv, _, err := keys.Generate(keys.ECDSAP256, []byte("bench"))
	if err != nil {
		return err
	}
	key, err := keys.ParsePrivateKey(priv, []byte("bench"))
	if err != nil {
		return err
	}
	l, err := ledger.Init(dir, "example.org/serveload", key, ledger.AppendOptions{})
	if err != nil {
		return err
	}
	defer l.Close()
	a, err := l.Append(key, ledger.AppendOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Add(ledger.NewDocument{ID: "letter", Content: letter, Title: "The prisoners' letter", Language: "en"}); err != nil {
		return err
	}
	for i := 0; i < docs; i++ {
		content := bytes.Repeat([]byte(fmt.Sprintf("Document %d, a line of about sixty-four bytes of filler text.\n", i)), 64)
		if _, err := a.Add(ledger.NewDocument{ID: fmt.Sprintf("doc-%d", i), Content: content, Title: fmt.Sprintf("Document number %d", i)}); err != nil {
			return err
		}
	}
	return a.Flush()
}

type result struct {
	latencies       []time.Duration
	pages, verifies int
	errors          int
	firstErr        error
	elapsed         time.Duration
}

// request is one kind of request the clients send, with the status it must get.
type request struct {
	verify bool
	make   func() (*http.Request, error)
}

func requests(base string, letter []byte) []request {
	get := func(path string) request {
		return request{make: func() (*http.Request, error) { return http.NewRequest("GET", base+path, nil) }}
	}
	form := func(field string, content []byte) request {
		return request{verify: true, make: func() (*http.Request, error) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			if field == "file" {
				w, _ := mw.CreateFormFile("file", "letter.txt")
				w.Write(content)
			} else {
				mw.WriteField("text", string(content))
			}
			mw.Close()
			req, err := http.NewRequest("POST", base+"/verify", &buf)
			if err == nil {
				req.Header.Set("Content-Type", mw.FormDataContentType())
			}
			return req, err
		}}
	}
	altered := bytes.Replace(letter, []byte("30,000"), []byte("3,000"), 1)
	return []request{
		get("/"), get("/documents?q=number+42"), get("/doc/doc-17"), get("/doc/letter/1"), get("/doc/doc-400/1"),
		get("/api/history/doc-9"), get("/doc/letter/1/bundle.json"),
		form("file", letter), form("text", altered),
		{verify: true, make: func() (*http.Request, error) {
			req, err := http.NewRequest("POST", base+"/api/check", bytes.NewReader(letter))
			if err == nil {
				req.Header.Set("Content-Type", "application/octet-stream")
			}
			return req, err
		}},
	}
}

func load(base string, letter []byte, clients int, duration time.Duration, maxRequests int64) result {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxIdleConns: clients}}
	reqs := requests(base, letter)
	var (
		mu    sync.Mutex
		res   result
		count atomic.Int64
		wg    sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(duration)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var lat []time.Duration
			var pages, verifies, errs int
			var firstErr error
			for i := c; time.Now().Before(deadline) && count.Add(1) <= maxRequests; i++ {
				r := reqs[i%len(reqs)]
				req, err := r.make()
				t0 := time.Now()
				if err == nil {
					err = do(client, req)
				}
				lat = append(lat, time.Since(t0))
				switch {
				case err != nil:
					errs++
					if firstErr == nil {
						firstErr = err
					}
				case r.verify:
					verifies++
				default:
					pages++
				}
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.pages += pages
			res.verifies += verifies
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = firstErr
			}
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

func do(client *http.Client, req *http.Request) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return nil
}

// peakRSS is a process's peak resident set size, from Linux's /proc.
func peakRSS(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown (no /proc)"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
