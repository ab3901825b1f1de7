package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/records"
)

// handler is a request handler given the snapshot it must answer from and
// the warning to show if that snapshot is not the ledger's newest tip.
type handler func(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string)

func (s *Server) withSnap(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		snap, reloadErr := s.acquire()
		defer s.release(snap)
		h(w, r, snap, warning(snap, reloadErr))
	}
}

func (s *Server) pageRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /{$}", s.withSnap(s.overview))
	m.HandleFunc("GET /documents", s.withSnap(s.documents))
	m.HandleFunc("GET /doc/{id}", s.withSnap(s.history))
	m.HandleFunc("GET /doc/{id}/{version}", s.withSnap(s.versionPage))
	m.HandleFunc("GET /doc/{id}/{version}/{file}", s.withSnap(s.download))
	m.HandleFunc("GET /verify", s.withSnap(s.verifyForm))
	m.HandleFunc("POST /verify", s.withSnap(s.verifyPost))
	m.HandleFunc("/", s.withSnap(func(w http.ResponseWriter, r *http.Request, snap *snapshot, _ string) {
		s.renderError(w, snap, http.StatusNotFound, "Not found", "There is no page at this address. Start from the ledger's overview or its list of documents.")
	}))
}

// overviewData is what overview.html shows.
type overviewData struct {
	Name, Head, RootFP, Checkpoint string
	Entries, Documents             int
	Recent                         []ledger.EntryInfo // newest first
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	d := overviewData{Name: snap.name, Head: snap.head, RootFP: snap.rootFP, Checkpoint: string(snap.cp.Raw),
		Entries: int(snap.size), Documents: len(snap.docs)}
	for i := len(snap.entries) - 1; i >= 0 && len(d.Recent) < 20; i-- {
		d.Recent = append(d.Recent, snap.entries[i])
	}
	s.render(w, http.StatusOK, "overview", page{Title: "Ledger " + snap.name, Ledger: snap.name, Warning: warn, Data: d})
}

// maxListed bounds the documents one page lists.
const maxListed = 200

type documentsData struct {
	Query   string
	Results []*docSummary
	Total   int
	More    int
}

func (s *Server) documents(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	q := r.URL.Query().Get("q")
	found := snap.search(q)
	d := documentsData{Query: q, Results: found, Total: len(found)}
	if len(found) > maxListed {
		d.Results, d.More = found[:maxListed], len(found)-maxListed
	}
	s.render(w, http.StatusOK, "documents", page{Title: "Documents", Ledger: snap.name, Warning: warn, Data: d})
}

// docFromPath returns the document the path's {id} names, or writes an
// error page and returns nil.
func (s *Server) docFromPath(w http.ResponseWriter, r *http.Request, snap *snapshot) *docSummary {
	id := r.PathValue("id")
	if err := records.CheckDocID(id); err != nil {
		s.renderError(w, snap, http.StatusBadRequest, "Not a document id", err.Error())
		return nil
	}
	d := snap.byID[id]
	if d == nil {
		s.renderError(w, snap, http.StatusNotFound, "Not registered", fmt.Sprintf("Ledger %s has no document %q.", snap.name, id))
	}
	return d
}

// versionFromPath returns the version the path's {id} and {version} name,
// or writes an error page and returns nil.
func (s *Server) versionFromPath(w http.ResponseWriter, r *http.Request, snap *snapshot) *ledger.Version {
	d := s.docFromPath(w, r, snap)
	if d == nil {
		return nil
	}
	n, err := parseVersion(r.PathValue("version"))
	if err != nil {
		s.renderError(w, snap, http.StatusBadRequest, "Not a version number", err.Error())
		return nil
	}
	if n > uint64(len(d.Versions)) {
		s.renderError(w, snap, http.StatusNotFound, "Not registered", fmt.Sprintf("%s has versions 1 to %d, not %d.", d.ID, len(d.Versions), n))
		return nil
	}
	return d.Versions[n-1]
}

// parseVersion parses a version number: decimal, from 1, no leading zeros.
func parseVersion(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 || s[0] == '0' {
		return 0, fmt.Errorf("%q is not a version number (1, 2, …)", s)
	}
	return n, nil
}

func (s *Server) history(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	d := s.docFromPath(w, r, snap)
	if d == nil {
		return
	}
	s.render(w, http.StatusOK, "history", page{Title: d.ID, Ledger: snap.name, Warning: warn, Data: d})
}

// maxShown bounds the text a version page shows; the download has it all.
const maxShown = 1 << 20

type versionData struct {
	V         *ledger.Version
	Doc       *docSummary
	Text      string
	IsText    bool
	Truncated bool
	Prev      uint64 // the previous version, 0 if none
	Next      uint64 // the next version, 0 if none
}

func (s *Server) versionPage(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	v := s.versionFromPath(w, r, snap)
	if v == nil {
		return
	}
	content, err := versionFile(snap, v, "content")
	if err != nil {
		s.ledgerError(w, snap, err)
		return
	}
	d := versionData{V: v, Doc: snap.byID[v.Doc], Prev: v.Version - 1}
	if v.Version < uint64(len(d.Doc.Versions)) {
		d.Next = v.Version + 1
	}
	if len(content) > maxShown {
		content, d.Truncated = content[:maxShown], true
	}
	if isText(content, d.Truncated) {
		d.IsText, d.Text = true, string(bytes.ToValidUTF8(content, []byte("\uFFFD")))
	}
	title := fmt.Sprintf("%s version %d", v.Doc, v.Version)
	s.render(w, http.StatusOK, "version", page{Title: title, Ledger: snap.name, Warning: warn, Data: d})
}

// isText reports whether content is UTF-8 text without NUL bytes; cut
// means it was cut short, perhaps inside a character.
func isText(content []byte, cut bool) bool {
	if cut {
		for i := 0; i < utf8.UTFMax-1 && len(content) > 0 && !utf8.FullRune(content[len(content)-1-i:]); i++ {
			if utf8.RuneStart(content[len(content)-1-i]) {
				content = content[:len(content)-1-i]
				break
			}
		}
	}
	return utf8.Valid(content) && !bytes.ContainsRune(content, 0)
}

// ledgerError reports a ledger read that failed: a version that does not
// verify against its signed entry, or an unreadable ledger.
func (s *Server) ledgerError(w http.ResponseWriter, snap *snapshot, err error) {
	s.opts.Logf("%v", err)
	if errors.Is(err, ledger.ErrTampered) {
		s.renderError(w, snap, http.StatusInternalServerError, "This version does not verify", oneLine(err)+". Run 'verbatim verify' on the ledger.")
		return
	}
	s.renderError(w, snap, http.StatusInternalServerError, "The ledger could not be read", oneLine(err))
}
