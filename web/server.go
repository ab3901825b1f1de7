package web

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"sync"
	"time"

	"github.com/verbatim-ledger/verbatim/ledger"
)

// DefaultMaxBody is the default cap on a request body: 20 MiB.
const DefaultMaxBody = 20 << 20

// Timeouts of the HTTP server (HTTPServer).
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 60 * time.Second // a 20 MiB upload at 3 Mbit/s
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 120 * time.Second
)

// Options configures a Server.
type Options struct {
	// Dir is the ledger directory.
	Dir string
	// MaxBody caps request bodies, in bytes; 0 means DefaultMaxBody.
	MaxBody int64
	// Matcher answers the verify page; nil means NewTextMatcher().
	Matcher Matcher
	// CheckEvery is how often the ledger's branch is looked at for a new
	// tip; 0 means on every request.
	CheckEvery time.Duration
	// Logf, if set, receives one line per reload and per server-side error.
	Logf func(format string, args ...any)
}

// Server serves one ledger, read-only.
type Server struct {
	opts    Options
	mux     *http.ServeMux
	reload  sync.Mutex // held while one request looks for a new tip
	mu      sync.Mutex // guards cur, checked and reloadErr
	cur     *snapshot
	checked time.Time
	// reloadErr is why the newest tip did not open; the server answers from
	// cur, the last state it could check, meanwhile.
	reloadErr error
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New opens the ledger in opts.Dir and returns a server for it. Errors are
// ledger.Open's.
func New(opts Options) (*Server, error) {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Matcher == nil {
		opts.Matcher = NewTextMatcher()
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	snap, err := openSnapshot(opts.Dir)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, cur: snap, checked: time.Now()}
	s.routes()
	return s, nil
}

// Name is the served ledger's name, Size its number of entries, as last opened.
func (s *Server) Name() string { s.mu.Lock(); defer s.mu.Unlock(); return s.cur.name }

// Size is the number of entries of the ledger as last opened.
func (s *Server) Size() uint64 { s.mu.Lock(); defer s.mu.Unlock(); return s.cur.size }

// Close releases the ledger once no request uses it.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retire(s.cur)
	return nil
}

// HTTPServer returns an http.Server for s on addr with verbatim's timeouts.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr: addr, Handler: s,
		ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout,
		WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout,
		MaxHeaderBytes: 64 << 10,
	}
}

// securityHeaders are sent with every answer. The CSP allows scripts and
// styles only from this server's own files: no inline script or style, no
// event-handler attributes, no other origin.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
		"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	"X-Content-Type-Options": "nosniff",
	"X-Frame-Options":        "DENY",
	"Referrer-Policy":        "no-referrer",
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for k, v := range securityHeaders {
		w.Header().Set(k, v)
	}
	s.mux.ServeHTTP(w, r)
}

// acquire returns the current snapshot, looking for a new tip first if it
// is time to; release must be called when the request is done with it.
func (s *Server) acquire() (*snapshot, error) {
	s.maybeReload()
	return s.acquireCurrent()
}

// acquireCurrent is acquire without looking for a new tip.
func (s *Server) acquireCurrent() (*snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := s.cur
	snap.refs++
	return snap, s.reloadErr
}

func (s *Server) release(snap *snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap.refs--
	if snap.retired && snap.refs == 0 {
		snap.l.Close()
	}
}

// retire marks snap replaced and closes it if no request uses it. s.mu is held.
func (s *Server) retire(snap *snapshot) {
	if snap.retired {
		return
	}
	snap.retired = true
	if snap.refs == 0 {
		snap.l.Close()
	}
}

// maybeReload opens the ledger again if its branch moved. One request at a
// time looks; the others go on with the current snapshot.
func (s *Server) maybeReload() {
	s.mu.Lock()
	due := time.Since(s.checked) >= s.opts.CheckEvery
	s.mu.Unlock()
	if !due || !s.reload.TryLock() {
		return
	}
	defer s.reload.Unlock()
	cur, _ := s.acquireCurrent()
	defer s.release(cur)
	var changed bool
	err := cur.withLedger(func(l *ledger.Ledger) error {
		var err error
		changed, err = l.Changed()
		return err
	})
	var snap *snapshot
	if err == nil && changed {
		snap, err = openSnapshot(s.opts.Dir)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checked = time.Now()
	switch {
	case err != nil:
		if s.reloadErr == nil || s.reloadErr.Error() != err.Error() {
			s.opts.Logf("the ledger changed but does not open; still serving the state of %d entries: %v", cur.size, err)
		}
		s.reloadErr = err
	case snap != nil:
		s.retire(s.cur)
		s.cur, s.reloadErr = snap, nil
		s.opts.Logf("ledger %s: now %d entries (commit %.12s)", snap.name, snap.size, snap.head)
	default: // the branch is back at the state served
		s.reloadErr = nil
	}
}

func (s *Server) routes() {
	m := http.NewServeMux()
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(fmt.Sprintf("web: embedded static files: %v", err))
	}
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.pageRoutes(m)
	s.apiRoutes(m)
	s.mux = m
}
