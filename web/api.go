package web

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/verbatim-ledger/verbatim/internal/report"
	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/records"
)

// The JSON API mirrors the CLI's --json outputs; docs/API.md describes it.

func (s *Server) apiRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /api/{$}", s.withSnap(s.apiIndex))
	m.HandleFunc("GET /api/ledger", s.withSnap(s.apiLedger))
	m.HandleFunc("GET /api/checkpoint", s.withSnap(s.apiCheckpoint))
	m.HandleFunc("GET /api/log", s.withSnap(s.apiLog))
	m.HandleFunc("GET /api/documents", s.withSnap(s.apiDocuments))
	m.HandleFunc("GET /api/history/{id}", s.withSnap(s.apiHistory))
	m.HandleFunc("GET /api/show/{ref}", s.withSnap(s.apiShow))
	m.HandleFunc("GET /api/envelope/{ref}", s.withSnap(s.apiFile("envelope.json")))
	m.HandleFunc("GET /api/proof/{ref}", s.withSnap(s.apiFile("bundle.json")))
	m.HandleFunc("POST /api/check", s.withSnap(s.apiCheck))
	m.HandleFunc("/api/", s.withSnap(func(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
		s.apiError(w, warn, http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path+"; GET /api/ lists them")
	}))
}

// writeJSON writes v as indented JSON, with a "warning" member added to
// objects when the ledger's newest tip does not open.
func writeJSON(w http.ResponseWriter, status int, warn string, v map[string]any) {
	if warn != "" {
		v["warning"] = warn
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// apiError is every API error: {"error": "..."} with the HTTP status.
func (s *Server) apiError(w http.ResponseWriter, warn string, status int, msg string) {
	writeJSON(w, status, warn, map[string]any{"error": msg})
}

func (s *Server) apiLedgerError(w http.ResponseWriter, warn string, err error) {
	status := http.StatusInternalServerError
	if errors.Is(err, ledger.ErrNotFound) {
		status = http.StatusNotFound
	}
	s.opts.Logf("%v", err)
	s.apiError(w, warn, status, oneLine(err))
}

func (s *Server) apiIndex(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	writeJSON(w, http.StatusOK, warn, map[string]any{"ledger": snap.name, "endpoints": []string{
		"GET /api/ledger", "GET /api/checkpoint", "GET /api/log", "GET /api/documents?q=TEXT",
		"GET /api/history/ID", "GET /api/show/ID[@VERSION]", "GET /api/envelope/ID[@VERSION]",
		"GET /api/proof/ID[@VERSION]", "POST /api/check",
	}})
}

func (s *Server) apiLedger(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	writeJSON(w, http.StatusOK, warn, map[string]any{
		"ledger": snap.name, "entries": snap.size, "documents": len(snap.docs), "root_fingerprint": snap.rootFP,
		"head": snap.head, "checkpoint": string(snap.cp.Raw), "verifier_key": snap.verifierKey,
	})
}

// apiCheckpoint mirrors `verbatim checkpoint --json`.
func (s *Server) apiCheckpoint(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	cp := snap.cp
	writeJSON(w, http.StatusOK, warn, map[string]any{
		"origin": cp.Origin, "size": cp.Size, "root": base64.StdEncoding.EncodeToString(cp.Root[:]),
		"entries_tree": hex.EncodeToString(cp.Entries[:]), "checkpoint": string(cp.Raw), "verifier_key": snap.verifierKey,
	})
}

// entryJSON is the CLI's log --json item; versions are report.Version,
// as history --json prints them.
type entryJSON struct {
	Entry   uint64    `json:"entry"`
	Kind    string    `json:"kind"`
	Doc     string    `json:"doc,omitempty"`
	Version uint64    `json:"version,omitempty"`
	Time    time.Time `json:"time"`
	Signer  string    `json:"signer"`
}

// versionOf is v as the CLI prints it, with its signer's name.
func versionOf(snap *snapshot, v *ledger.Version, translations []string) report.Version {
	var name string
	snap.withLedger(func(l *ledger.Ledger) error { name = l.KeyName(v.Signer); return nil })
	return report.VersionOf(v, name, translations)
}

// apiLog mirrors `verbatim log --json`.
func (s *Server) apiLog(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	out := make([]entryJSON, len(snap.entries))
	for i, x := range snap.entries {
		out[i] = entryJSON{Entry: x.Entry, Kind: x.Kind, Doc: x.Doc, Version: x.Version, Time: x.Time, Signer: string(x.Signer)}
	}
	writeJSON(w, http.StatusOK, warn, map[string]any{"ledger": snap.name, "entries": out})
}

type documentJSON struct {
	ID       string         `json:"id"`
	Versions int            `json:"versions"`
	Latest   report.Version `json:"latest"`
}

func (s *Server) apiDocuments(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	found := snap.search(r.URL.Query().Get("q"))
	out := []documentJSON{}
	for _, d := range found {
		if len(out) == maxListed {
			break
		}
		out = append(out, documentJSON{ID: d.ID, Versions: len(d.Versions), Latest: versionOf(snap, d.Latest(), nil)})
	}
	writeJSON(w, http.StatusOK, warn, map[string]any{"ledger": snap.name, "total": len(found), "documents": out})
}

// apiHistory mirrors `verbatim history ID --json`.
func (s *Server) apiHistory(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	id := r.PathValue("id")
	if err := records.CheckDocID(id); err != nil {
		s.apiError(w, warn, http.StatusBadRequest, err.Error())
		return
	}
	d := snap.byID[id]
	if d == nil {
		s.apiError(w, warn, http.StatusNotFound, "no document "+strconv.Quote(id)+" in ledger "+snap.name)
		return
	}
	var trs map[uint64][]string
	if err := snap.withLedger(func(l *ledger.Ledger) (err error) {
		trs, err = report.Translations(l, id, func(s string) string { return s })
		return err
	}); err != nil {
		s.apiError(w, warn, http.StatusInternalServerError, err.Error())
		return
	}
	out := make([]report.Version, len(d.Versions))
	for i, v := range d.Versions {
		out[i] = versionOf(snap, v, trs[v.Version])
	}
	writeJSON(w, http.StatusOK, warn, map[string]any{"doc": id, "versions": out})
}

// refFromPath returns the version ID[@VERSION] in the path's {ref}, or
// writes an API error and returns nil.
func (s *Server) refFromPath(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) *ledger.Version {
	ref := r.PathValue("ref")
	id, ver, found := strings.Cut(ref, "@")
	if err := records.CheckDocID(id); err != nil {
		s.apiError(w, warn, http.StatusBadRequest, err.Error())
		return nil
	}
	var n uint64
	if found {
		var err error
		if n, err = parseVersion(ver); err != nil {
			s.apiError(w, warn, http.StatusBadRequest, err.Error())
			return nil
		}
	}
	v := snap.version(id, n)
	if v == nil {
		s.apiError(w, warn, http.StatusNotFound, ref+" is not registered in ledger "+snap.name)
	}
	return v
}

// apiShow mirrors `verbatim show ID[@VERSION] --json`.
func (s *Server) apiShow(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	v := s.refFromPath(w, r, snap, warn)
	if v == nil {
		return
	}
	data, err := versionFile(snap, v, "content")
	if err != nil {
		s.apiLedgerError(w, warn, err)
		return
	}
	writeJSON(w, http.StatusOK, warn, map[string]any{
		"doc": v.Doc, "version": v.Version, "entry": v.Entry, "sha256": v.SHA256,
		"size": v.Size, "media_type": v.MediaType, "content_base64": base64.StdEncoding.EncodeToString(data),
	})
}

// apiFile serves a version's envelope (as `show --envelope`) or proof
// bundle (as `proof --output`), as JSON bytes.
func (s *Server) apiFile(file string) handler {
	return func(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
		v := s.refFromPath(w, r, snap, warn)
		if v == nil {
			return
		}
		data, err := versionFile(snap, v, file)
		if err != nil {
			s.apiLedgerError(w, warn, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
	}
}

// apiCheck mirrors `verbatim check FILE --json` for one uploaded file: the
// raw body, or the "file" (else "text") field of a multipart form. Its
// bytes are checked exactly as sent.
func (s *Server) apiCheck(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	u, err := s.readVerify(w, r, true)
	if err != nil {
		status, msg := s.bodyError(err)
		s.apiError(w, warn, status, msg)
		return
	}
	u.Pasted = false // the API checks the bytes it was given
	a, _, err := s.match(snap, u)
	if err != nil {
		s.apiLedgerError(w, warn, err)
		return
	}
	file := map[string]any{
		"file": u.Name, "sha256": a.SHA256, "size": a.Size, "match": a.Match, "matches": a.Matches,
	}
	if a.Document != "" {
		file["document"], file["version"] = a.Document, a.Version
	}
	if a.Match == MatchNearest {
		file["similarity"], file["diff"] = a.Similarity, a.Diff
	}
	if a.Match == MatchText {
		file["normalisations"] = a.Normalisations
	}
	writeJSON(w, http.StatusOK, warn, map[string]any{
		"ok": a.Match == MatchExact, "ledger": snap.name, "trust_pinned": false, "root_fingerprint": snap.rootFP,
		"files": []any{file},
	})
}
