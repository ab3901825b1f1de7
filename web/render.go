package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/verbatim-ledger/verbatim/keys"
)

// pageNames are the templates in templates/, each rendered inside layout.html.
var pageNames = []string{"overview", "documents", "history", "version", "verify", "error"}

var pages = parsePages()

var funcs = template.FuncMap{
	"time":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"short": func(fp any) string { return keys.Fingerprint(fmt.Sprint(fp)).Short() },
	"pct":   func(f float64) float64 { return 100 * f },
}

func parsePages() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
		out[name] = t
	}
	return out
}

// page is what layout.html shows around every page.
type page struct {
	Title   string
	Ledger  string
	Warning string // the ledger changed but does not open: the page shows an older state
	Script  bool   // load verify.js
	Data    any
}

// render writes a page; templates are executed into a buffer first, so a
// failure never sends half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, p page) {
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.opts.Logf("rendering %s: %v", name, err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage is the data of error.html.
type errorPage struct {
	Status  int
	Heading string
	Message string
}

// renderError writes an error page with status and a one-line message.
func (s *Server) renderError(w http.ResponseWriter, snap *snapshot, status int, heading, msg string) {
	p := page{Title: heading, Data: errorPage{Status: status, Heading: heading, Message: msg}}
	if snap != nil {
		p.Ledger = snap.name
	}
	s.render(w, status, "error", p)
}

// warning is the banner shown while the ledger's newest tip does not open.
func warning(snap *snapshot, reloadErr error) string {
	if reloadErr == nil {
		return ""
	}
	return fmt.Sprintf("The ledger changed on disk but its new state does not open (%v). This page shows the last state that could be checked: %d entries, commit %.12s.",
		oneLine(reloadErr), snap.size, snap.head)
}

func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", " ")
}
