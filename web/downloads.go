package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/verbatim-ledger/verbatim/ledger"
)

// download serves a version's exact bytes, its envelope or its proof
// bundle, always as an attachment: a registered HTML file must never be
// rendered as a page of this site.
func (s *Server) download(w http.ResponseWriter, r *http.Request, snap *snapshot, _ string) {
	file := r.PathValue("file")
	if file != "content" && file != "envelope.json" && file != "bundle.json" {
		s.renderError(w, snap, http.StatusNotFound, "Not found", "A version offers content, envelope.json and bundle.json.")
		return
	}
	v := s.versionFromPath(w, r, snap)
	if v == nil {
		return
	}
	data, err := versionFile(snap, v, file)
	if err != nil {
		s.ledgerError(w, snap, err)
		return
	}
	name := fmt.Sprintf("%s-v%d", v.Doc, v.Version)
	ctype := "application/json"
	switch file {
	case "content":
		ctype = "application/octet-stream"
		if strings.HasPrefix(v.MediaType, "text/plain") {
			name += ".txt"
		}
	case "envelope.json":
		name += ".envelope.json"
	case "bundle.json":
		name += ".bundle.json"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`) // ids are [a-z0-9._-]
	w.Write(data)
}

// versionFile reads one of a version's files, checked against its signed
// entry (once per snapshot: the cache keeps what was checked).
func versionFile(snap *snapshot, v *ledger.Version, file string) ([]byte, error) {
	return snap.cachedFile(fileKey{v.Entry, file}, func(l *ledger.Ledger) ([]byte, error) {
		switch file {
		case "content":
			return l.Content(v)
		case "envelope.json":
			if err := l.VerifyVersion(v); err != nil {
				return nil, err
			}
			return l.Envelope(v.Entry)
		case "bundle.json":
			b, err := l.Bundle(v)
			if err != nil {
				return nil, err
			}
			return b.Marshal(), nil
		}
		panic("web: unknown version file " + file)
	})
}
