package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/verbatim-ledger/verbatim/keys"
)

// FuzzServer sends arbitrary requests: every answer must be a clean 2xx,
// 3xx or 4xx with the security headers, never a panic or a 5xx.
func FuzzServer(f *testing.F) {
	for _, s := range []struct{ method, path, ctype, body string }{
		{"GET", "/", "", ""},
		{"GET", "/doc/prisoners-letter-2016/1", "", ""},
		{"GET", "/doc/prisoners-letter-2016/1/bundle.json", "", ""},
		{"GET", "/api/show/xss@1", "", ""},
		{"GET", "/documents?q=%3Cscript%3E", "", ""},
		{"POST", "/verify", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhello\r\n--x--\r\n"},
		{"POST", "/verify", "application/x-www-form-urlencoded", "text=%3Cscript%3E"},
		{"POST", "/api/check", "application/octet-stream", "hello"},
		{"POST", "/api/check", "multipart/form-data; boundary=", "--\r\n"},
	} {
		f.Add(s.method, s.path, s.ctype, []byte(s.body))
	}
	dir := testLedger(f, keys.Ed25519, testDocs(f))
	s, err := New(Options{Dir: dir, MaxBody: 64 << 10, CheckEvery: 1 << 62})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, method, path, ctype string, body []byte) {
		if method != "GET" && method != "POST" || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n#") {
			t.Skip()
		}
		req, err := http.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Content-Type", ctype)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Errorf("%s %s: status %d: %s", method, path, w.Code, w.Body)
		}
		if w.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%s %s: no CSP", method, path)
		}
	})
}
