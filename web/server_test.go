package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/verbatim-ledger/verbatim/bundle"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
)

func TestPages(t *testing.T) {
	dir := testLedger(t, keys.ECDSAP256, testDocs(t))
	_, ts := newTestServer(t, dir, Options{})
	for _, tc := range []struct {
		path   string
		status int
		want   []string
	}{
		{"/", 200, []string{"Ledger <bdi>example.org/web-test</bdi>", "<dd>5</dd>", "Root key fingerprint", "example.org/web-test\n5\n", "prisoners-letter-2016</bdi> version 2"}},
		{"/documents", 200, []string{`<a href="/doc/prisoners-letter-2016">`, `<a href="/doc/prisoners-letter-2016-fa">`, `<a href="/doc/xss">`}},
		{"/documents?q=PARIS", 200, []string{"1 document matches", `<a href="/doc/prisoners-letter-2016">`}},
		{"/documents?q=%D8%B2%D9%86%D8%AF%D8%A7%D9%86%DB%8C%D8%A7%D9%86", 200, []string{"1 document matches", `<a href="/doc/prisoners-letter-2016-fa">`}},
		{"/documents?q=nothing-like-this", 200, []string{"No document matches"}},
		{"/doc/prisoners-letter-2016", 200, []string{"2 versions", `href="/doc/prisoners-letter-2016/1"`, `href="/doc/prisoners-letter-2016/2"`, "(corrected)"}},
		{"/doc/prisoners-letter-2016/1", 200, []string{"30,000 political prisoners", `href="/doc/prisoners-letter-2016/1/content"`, `href="/doc/prisoners-letter-2016/1/bundle.json"`, `href="/doc/prisoners-letter-2016/2"`, `lang="en"`}},
		{"/doc/prisoners-letter-2016-fa/1", 200, []string{`<pre class="text" dir="auto" lang="fa">نامه‌ی گروهی`, `<p class="lead" dir="auto" lang="fa">نامه‌ی زندانیان سیاسی</p>`}},
		{"/verify", 200, []string{`<form method="post" action="/verify" enctype="multipart/form-data"`, `<script src="/static/verify.js" defer></script>`, `id="offline-form"`}},
		{"/doc/nope", 404, []string{"Not registered", "has no document &#34;nope&#34;"}},
		{"/doc/prisoners-letter-2016/3", 404, []string{"has versions 1 to 2, not 3"}},
		{"/doc/prisoners-letter-2016/0", 400, []string{"not a version number"}},
		{"/doc/prisoners-letter-2016/01", 400, []string{"not a version number"}},
		{"/doc/Bad_ID", 400, []string{"Not a document id"}},
		{"/doc/prisoners-letter-2016/1/other", 404, []string{"content, envelope.json and bundle.json"}},
		{"/nowhere", 404, []string{"There is no page at this address"}},
		{"/static/style.css", 200, []string{"--accent"}},
		{"/static/verify.js", 200, []string{"rootFromInclusion"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, ts, tc.path)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			mustContain(t, tc.path, body, tc.want...)
		})
	}
}

func TestAPI(t *testing.T) {
	dir := testLedger(t, keys.Ed25519, testDocs(t))
	_, ts := newTestServer(t, dir, Options{})
	l, err := ledger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tc := range []struct {
		path   string
		status int
		fields map[string]any // JSON members and their values; nil value: must exist
	}{
		{"/api/", 200, map[string]any{"ledger": "example.org/web-test", "endpoints": nil}},
		{"/api/ledger", 200, map[string]any{"ledger": "example.org/web-test", "entries": 5.0, "documents": 3.0, "root_fingerprint": l.RootFingerprint(), "head": l.Head()}},
		{"/api/checkpoint", 200, map[string]any{"origin": "example.org/web-test", "size": 5.0, "checkpoint": string(l.Checkpoint().Raw), "verifier_key": l.VerifierKey()}},
		{"/api/log", 200, map[string]any{"ledger": "example.org/web-test", "entries": nil}},
		{"/api/documents?q=fa", 200, map[string]any{"total": 1.0}},
		{"/api/history/prisoners-letter-2016", 200, map[string]any{"doc": "prisoners-letter-2016", "versions": nil}},
		{"/api/show/prisoners-letter-2016@1", 200, map[string]any{"doc": "prisoners-letter-2016", "version": 1.0, "entry": 1.0, "size": float64(len(letter(t)))}},
		{"/api/show/prisoners-letter-2016", 200, map[string]any{"version": 2.0}},
		{"/api/envelope/xss", 200, map[string]any{"payloadType": "application/vnd.in-toto+json"}},
		{"/api/proof/prisoners-letter-2016@1", 200, map[string]any{"format": bundle.Format, "entry": 1.0}},
		{"/api/history/nope", 404, map[string]any{"error": `no document "nope" in ledger example.org/web-test`}},
		{"/api/history/a..b", 400, map[string]any{"error": nil}},
		{"/api/show/xss@2", 404, map[string]any{"error": "xss@2 is not registered in ledger example.org/web-test"}},
		{"/api/show/xss@x", 400, map[string]any{"error": nil}},
		{"/api/nothing", 404, map[string]any{"error": nil}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, ts, tc.path)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("not a JSON object: %v: %s", err, body)
			}
			for k, want := range tc.fields {
				v, ok := got[k]
				if !ok || want != nil && v != want {
					t.Errorf("%s = %#v, want %#v", k, v, want)
				}
			}
		})
	}
}

// TestAPIShowAndProof checks the downloads against the ledger: the exact
// bytes, the stored envelope, and a bundle the Go verifier accepts.
func TestDownloads(t *testing.T) {
	dir := testLedger(t, keys.ECDSAP256, testDocs(t))
	_, ts := newTestServer(t, dir, Options{})
	l, err := ledger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	v, err := l.Lookup("xss", 1)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, ts, "/doc/xss/1/content")
	if body != xssText || resp.Header.Get("Content-Type") != "application/octet-stream" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="xss-v1"` {
		t.Errorf("content: %q, headers %v", body, resp.Header)
	}
	env, err := l.Envelope(v.Entry)
	if err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, ts, "/doc/xss/1/envelope.json"); body != string(env) {
		t.Errorf("envelope.json is not the stored envelope")
	}
	resp, body = get(t, ts, "/doc/xss/1/bundle.json")
	if resp.StatusCode != 200 {
		t.Fatalf("bundle.json: %d", resp.StatusCode)
	}
	b, err := bundle.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Verify([]byte(xssText), keys.Fingerprint(l.RootFingerprint())); err != nil {
		t.Errorf("the served bundle does not verify: %v", err)
	}
}

// postForm sends a multipart verify form with a text or a file.
func postForm(t testing.TB, ts *httptest.Server, path, field, filename string, content []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if filename == "" {
		mw.WriteField(field, string(content))
	} else {
		fw, _ := mw.CreateFormFile(field, filename)
		fw.Write(content)
	}
	mw.Close()
	resp, err := ts.Client().Post(ts.URL+path, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readBody(t, resp)
}

func TestVerifyPage(t *testing.T) {
	dir := testLedger(t, keys.ECDSAP256, testDocs(t))
	_, ts := newTestServer(t, dir, Options{})
	text := letter(t)
	crlf := bytes.ReplaceAll(text, []byte("\n"), []byte("\r\n"))
	altered := bytes.Replace(text, []byte("30,000"), []byte("3,000"), 1)
	for _, tc := range []struct {
		name, field, filename string
		content               []byte
		match                 string
		want                  []string
	}{
		{"file", "file", "letter.txt", text, "exact", []string{"<h3>Registered</h3>", `href="/doc/prisoners-letter-2016/1"`, "the file &#34;letter.txt&#34;, 3211 bytes, exactly as uploaded"}},
		{"pasted as browsers send it (CRLF)", "text", "", crlf, "exact", []string{"<h3>Registered</h3>", "line endings LF (your browser sends CRLF)"}},
		{"pasted LF", "text", "", text, "exact", []string{"<h3>Registered</h3>"}},
		{"file with CRLF is other bytes, the same text", "file", "crlf.txt", crlf, "text", []string{"<h3>Registered text, in other bytes</h3>", "line endings CRLF→LF"}},
		{"altered", "text", "", altered, "nearest", []string{"<h3>Not registered</h3>", `The nearest registered version is <a href="/doc/prisoners-letter-2016/1">`, "<del>30,000</del><ins>3,000</ins>"}},
		{"unrelated", "text", "", []byte("The allotment committee meets on Thursday to plan the spring planting."), "none", []string{"<h3>Not registered</h3>", "No registered version"}},
		{"xss pasted", "text", "", []byte(xssText), "exact", []string{`href="/doc/xss/1"`}},
		{"empty", "text", "", nil, "error", []string{"Paste a text or choose a file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, body := postForm(t, ts, "/verify", tc.field, tc.filename, tc.content)
			mustContain(t, "answer", body, append(tc.want, `data-match="`+tc.match+`"`)...)
		})
	}
}

func TestAPICheck(t *testing.T) {
	dir := testLedger(t, keys.ECDSAP256, testDocs(t))
	_, ts := newTestServer(t, dir, Options{})
	for _, tc := range []struct {
		name, ctype string
		body        []byte
		match       string
	}{
		{"octet-stream", "application/octet-stream", letter(t), "exact"},
		{"curl's default type is still raw bytes", "application/x-www-form-urlencoded", letter(t), "exact"},
		{"CRLF bytes are other bytes, the same text", "application/octet-stream", bytes.ReplaceAll(letter(t), []byte("\n"), []byte("\r\n")), "text"},
		{"unrelated bytes", "application/octet-stream", []byte{0xff, 0xfe, 0, 1}, "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := ts.Client().Post(ts.URL+"/api/check", tc.ctype, bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				OK    bool `json:"ok"`
				Files []struct {
					Match    string `json:"match"`
					Document string `json:"document"`
					SHA256   string `json:"sha256"`
				} `json:"files"`
			}
			if err := json.Unmarshal([]byte(readBody(t, resp)), &got); err != nil || len(got.Files) != 1 {
				t.Fatalf("answer: %v %+v", err, got)
			}
			f := got.Files[0]
			if f.Match != tc.match || got.OK != (tc.match == "exact") || f.SHA256 != ledger.ContentDigest(tc.body) {
				t.Errorf("got %+v ok=%v, want match %s", f, got.OK, tc.match)
			}
		})
	}
	resp, err := ts.Client().Post(ts.URL+"/api/check", "application/octet-stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 400 {
		t.Errorf("empty body: status %d, want 400", resp.StatusCode)
	}
}

// fakeMatcher gives a fixed answer, to show how the page renders the
// answers of text and nearest matching.
type fakeMatcher struct{ a Answer }

func (f fakeMatcher) Match(l *ledger.Ledger, content []byte) (*Answer, error) {
	a := f.a
	return &a, nil
}

func TestVerifyPageAnswers(t *testing.T) {
	dir := testLedger(t, keys.ECDSAP256, testDocs(t)[:1])
	ref := VersionRef{Doc: "prisoners-letter-2016", Version: 1, Title: "Letter", Signer: strings.Repeat("ab", 32), Entry: 1}
	for _, tc := range []struct {
		a    Answer
		want []string
	}{
		{Answer{Match: MatchText, Normalisations: []string{"line endings CRLF→LF"}, Matches: []VersionRef{ref}},
			[]string{"Registered text, in other bytes", "line endings CRLF→LF", `href="/doc/prisoners-letter-2016/1"`}},
		{Answer{Match: MatchNearest, Document: "prisoners-letter-2016", Version: 1, Similarity: 0.97, Matches: []VersionRef{ref},
			Diff: []DiffPart{{"=", "some "}, {"-", "30,000"}, {"+", "3,000<b>"}, {"=", " prisoners"}}},
			[]string{"<h3>Not registered</h3>", "nearest registered version", "97%", "<del>30,000</del><ins>3,000&lt;b&gt;</ins> prisoners"}},
	} {
		t.Run(tc.a.Match, func(t *testing.T) {
			_, ts := newTestServer(t, dir, Options{Matcher: fakeMatcher{tc.a}})
			_, body := postForm(t, ts, "/verify", "text", "", []byte("anything"))
			mustContain(t, "answer", body, append(tc.want, `data-match="`+tc.a.Match+`"`)...)
		})
	}
}

// inlineScript finds a script element without src, and event-handler
// attributes, which the CSP forbids and the pages must not need.
var inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]|<script>|<[a-z][^<>]*\son[a-z]+\s*=|javascript:`)

var quotedValue = regexp.MustCompile(`="[^"]*"`)

func TestEscapingAndCSP(t *testing.T) {
	dir := testLedger(t, keys.ECDSAP256, testDocs(t))
	_, ts := newTestServer(t, dir, Options{MaxBody: 1 << 10})
	pages := []string{"/", "/documents", "/documents?q=%3Cscript%3E", "/documents?q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
		"/doc/xss", "/doc/xss/1", "/verify", "/nowhere", "/doc/%3Cscript%3E"}
	check := func(path string, resp *http.Response, body string) {
		t.Helper()
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", path)
		}
		for _, bad := range []string{"<script>alert", "<img src=x", `"><img`, "onerror=alert"} {
			if strings.Contains(body, bad) && !strings.Contains(body, "&lt;") {
				t.Errorf("%s holds %q unescaped", path, bad)
			}
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s holds raw markup from the ledger or the request", path)
		}
		unquoted := quotedValue.ReplaceAllString(body, `=""`) // escaped text inside attribute values is not markup
		if m := inlineScript.FindString(unquoted); m != "" && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s has inline script or a handler: %q", path, m)
		}
	}
	for _, p := range pages {
		resp, body := get(t, ts, p)
		check(p, resp, body)
	}
	resp, body := get(t, ts, "/doc/xss/1")
	mustContain(t, "/doc/xss/1", body, "&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;", "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;")
	check("/doc/xss/1", resp, body)
	resp, body = postForm(t, ts, "/verify", "text", "", []byte(xssText))
	check("POST /verify", resp, body)
	mustContain(t, "POST /verify", body, "&lt;script&gt;alert(1)&lt;/script&gt;")
}

func TestBodyLimit(t *testing.T) {
	dir := testLedger(t, keys.ECDSAP256, testDocs(t)[:1])
	_, ts := newTestServer(t, dir, Options{MaxBody: 4 << 10})
	big := bytes.Repeat([]byte("x"), 5<<10)
	resp, body := postForm(t, ts, "/verify", "file", "big.txt", big)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("POST /verify of 5 KiB: status %d, want 413", resp.StatusCode)
	}
	mustContain(t, "413 page", body, "File too large", "larger than the 4096 bytes this server accepts", "--max-body")
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Error("413 page without CSP")
	}
	// A body without a length is cut off at the cap as it is read.
	req, _ := http.NewRequest("POST", ts.URL+"/api/check", struct{ *bytes.Reader }{bytes.NewReader(big)})
	req.Header.Set("Content-Type", "application/octet-stream")
	req.ContentLength = -1
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"error": "The upload is larger than the 4096 bytes`) {
		t.Errorf("chunked POST /api/check: %d %s", resp.StatusCode, body)
	}
	// Just under the cap is fine.
	if resp, _ := postForm(t, ts, "/verify", "file", "ok.txt", big[:3<<10]); resp.StatusCode != 200 {
		t.Errorf("3 KiB: status %d", resp.StatusCode)
	}
}

func TestDefaultBodyLimit(t *testing.T) {
	dir := testLedger(t, keys.ECDSAP256, testDocs(t)[:1])
	s, ts := newTestServer(t, dir, Options{})
	if s.opts.MaxBody != 20<<20 {
		t.Errorf("default MaxBody %d", s.opts.MaxBody)
	}
	resp, body := postForm(t, ts, "/verify", "file", "big", make([]byte, 20<<20+1))
	if resp.StatusCode != 413 || !strings.Contains(body, "20 MiB") {
		t.Errorf("21 MiB upload: %d", resp.StatusCode)
	}
	hs := s.HTTPServer("127.0.0.1:0")
	if hs.ReadTimeout == 0 || hs.WriteTimeout == 0 || hs.IdleTimeout == 0 || hs.ReadHeaderTimeout == 0 {
		t.Errorf("timeouts missing: %+v", hs)
	}
}

func TestPathTraversal(t *testing.T) {
	dir := testLedger(t, keys.ECDSAP256, testDocs(t)[:1])
	// Files next to and inside the ledger that no URL may reach.
	os.WriteFile(filepath.Join(dir, "..", "secret.txt"), []byte("TOP-SECRET"), 0o600)
	_, ts := newTestServer(t, dir, Options{})
	for _, p := range []string{
		"/doc/..%2fsecret.txt", "/doc/..%2F..%2Fsecret.txt", "/doc/%2e%2e/1", "/doc/prisoners-letter-2016/1/..%2f..%2fconfig",
		"/doc/prisoners-letter-2016/..%2f..%2fHEAD", "/static/../config", "/static/..%2f..%2fconfig", "/static/%2e%2e/%2e%2e/go.mod",
		"/static/", "/static", "/config", "/HEAD", "/refs/heads/main", "/objects/", "/secret.txt", "/../secret.txt",
		"/api/show/..%2f..%2fsecret.txt", "/api/history/%2e%2e", "/api/proof/..", "/doc/.hidden", "/doc/a..b",
	} {
		t.Run(p, func(t *testing.T) {
			req, _ := http.NewRequest("GET", ts.URL+"/", nil)
			req.URL.RawPath, req.URL.Path = "", ""
			req.URL.Opaque = p // sent as is, not cleaned by the client
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			for _, leak := range []string{"TOP-SECRET", "[core]", "ref: refs/heads", "module github.com", "repositoryformatversion"} {
				if strings.Contains(body, leak) {
					t.Errorf("%s leaked %q", p, leak)
				}
			}
			if resp.StatusCode == http.StatusMovedPermanently { // ServeMux cleaning the path
				if loc := resp.Header.Get("Location"); strings.Contains(loc, "..") {
					t.Errorf("%s redirects to %s", p, loc)
				}
			} else if resp.StatusCode == 200 && !strings.HasPrefix(p, "/static") {
				t.Errorf("%s: status 200", p)
			}
		})
	}
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestReload(t *testing.T) {
	dir := testLedger(t, keys.ECDSAP256, testDocs(t)[:1])
	_, ts := newTestServer(t, dir, Options{})
	entries := func() float64 {
		_, body := get(t, ts, "/api/ledger")
		var v map[string]any
		json.Unmarshal([]byte(body), &v)
		if w, ok := v["warning"]; ok {
			t.Logf("warning: %v", w)
		}
		return v["entries"].(float64)
	}
	if n := entries(); n != 2 {
		t.Fatalf("entries %v, want 2", n)
	}
	// Another process registers a document while the server runs.
	l, err := ledger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	appendDocs(t, l, testKey(t, keys.ECDSAP256), clock(), testDocs(t)[1:2])
	l.Close()
	if n := entries(); n != 3 {
		t.Errorf("after a new entry: entries %v, want 3", n)
	}
	if resp, body := get(t, ts, "/doc/prisoners-letter-2016-fa/1"); resp.StatusCode != 200 || !strings.Contains(body, "نامه‌ی") {
		t.Errorf("the new document: %d", resp.StatusCode)
	}
	// A tip that does not open (here: a branch moved to a missing commit):
	// the server keeps the last checked state and says so.
	ref := filepath.Join(dir, "refs", "heads", "main")
	good, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ref, []byte(strings.Repeat("1", 40)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, ts, "/")
	if resp.StatusCode != 200 {
		t.Errorf("with a broken tip: status %d", resp.StatusCode)
	}
	mustContain(t, "page with a broken tip", body, `class="banner" role="alert"`, "does not open", "3 entries")
	_, body = get(t, ts, "/api/ledger")
	mustContain(t, "API with a broken tip", body, `"warning": "The ledger changed on disk`)
	os.WriteFile(ref, good, 0o644)
	if _, body := get(t, ts, "/"); strings.Contains(body, "banner") {
		t.Error("the warning stays after the tip is repaired")
	}
}

func TestIsText(t *testing.T) {
	fa := []byte("نامه")
	for _, tc := range []struct {
		in   []byte
		cut  bool
		want bool
	}{
		{[]byte("plain\n"), false, true},
		{fa, false, true},
		{fa[:len(fa)-1], true, true},   // cut inside the last letter
		{fa[:len(fa)-1], false, false}, // not cut: invalid UTF-8
		{[]byte("a\x00b"), false, false},
		{[]byte{0xff, 'a'}, true, false},
		{nil, false, true},
	} {
		if got := isText(tc.in, tc.cut); got != tc.want {
			t.Errorf("isText(%q, %v) = %v, want %v", tc.in, tc.cut, got, tc.want)
		}
	}
}

// TestConcurrentReload serves many requests while another process appends:
// every answer is whole (run with -race to check the locking).
func TestConcurrentReload(t *testing.T) {
	dir := testLedger(t, keys.ECDSAP256, testDocs(t)[:1])
	_, ts := newTestServer(t, dir, Options{})
	stop := make(chan struct{})
	errs := make(chan error, 100)
	var wg sync.WaitGroup
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			paths := []string{"/", "/doc/prisoners-letter-2016/1", "/doc/prisoners-letter-2016/1/bundle.json", "/api/log"}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := ts.Client().Get(ts.URL + paths[(c+i)%len(paths)])
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = fmt.Errorf("%s: status %d", paths[(c+i)%len(paths)], resp.StatusCode)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(c)
	}
	key := testKey(t, keys.ECDSAP256)
	now := clock()
	for i := 0; i < 3; i++ {
		l, err := ledger.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		appendDocs(t, l, key, now, []ledger.NewDocument{{ID: fmt.Sprintf("doc-%d", i), Content: []byte(fmt.Sprintf("document %d\n", i))}})
		l.Close()
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, body := get(t, ts, "/api/ledger"); !strings.Contains(body, `"entries": 5`) {
		t.Errorf("after three appends: %s", body)
	}
}
