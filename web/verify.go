package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/verbatim-ledger/verbatim/ledger"
)

// upload is what a reader sent to be checked.
type upload struct {
	Name    string // the file name, or "" for pasted text
	Content []byte
	Pasted  bool
}

// errTooLarge is a request that announces a body over the cap.
var errTooLarge = errors.New("request body too large")

// errNoUpload is a verify request with neither a file nor a text.
var errNoUpload = errors.New("paste a text or choose a file to check")

// readUpload reads the file (form field "file") or, if none was chosen, the
// pasted text (field "text") of a verify form, multipart or (for a page,
// not raw) urlencoded; any other body is the upload itself. The body must
// already be capped; a larger one gives an error wrapping
// *http.MaxBytesError.
func readUpload(r *http.Request, maxBody int64, raw bool) (*upload, error) {
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if raw && ctype == "application/x-www-form-urlencoded" {
		ctype = "" // curl --data-binary's default type: the API takes the bytes as sent
	}
	switch ctype {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxBody); err != nil {
			return nil, err
		}
		if f, h, err := r.FormFile("file"); err == nil {
			defer f.Close()
			data, err := io.ReadAll(f)
			if err != nil {
				return nil, err
			}
			if h.Size > 0 {
				return &upload{Name: h.Filename, Content: data}, nil
			}
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
	default:
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		if len(data) == 0 {
			return nil, errNoUpload
		}
		return &upload{Content: data}, nil
	}
	text := r.PostFormValue("text")
	if text == "" {
		return nil, errNoUpload
	}
	return &upload{Content: []byte(text), Pasted: true}, nil
}

// match answers what u is. Browsers send a pasted text with CRLF line
// endings whatever the reader copied, so a pasted text is tried with LF line
// endings first, then as sent.
func (s *Server) match(snap *snapshot, u *upload) (*Answer, []byte, error) {
	tries := [][]byte{u.Content}
	if lf := bytes.ReplaceAll(u.Content, []byte("\r\n"), []byte("\n")); u.Pasted && !bytes.Equal(lf, u.Content) {
		tries = [][]byte{lf, u.Content}
	}
	var a *Answer
	var checked []byte
	err := snap.withLedger(func(l *ledger.Ledger) error {
		for i, c := range tries {
			ans, err := s.opts.Matcher.Match(l, c)
			if err != nil {
				return err
			}
			if i == 0 || ans.Match != MatchNone {
				a, checked = ans, c
			}
			if ans.Match != MatchNone {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return a, checked, nil
}

// bodyError classifies an error reading a request body: 413 for a body over
// the cap, 400 otherwise.
func (s *Server) bodyError(err error) (int, string) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || errors.Is(err, errTooLarge) {
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("The upload is larger than the %s this server accepts. Check a smaller file, or run 'verbatim check' on your own computer, or ask the operator to raise 'verbatim serve --max-body'.", mib(s.opts.MaxBody))
	}
	if errors.Is(err, errNoUpload) {
		return http.StatusBadRequest, "Paste a text or choose a file to check."
	}
	return http.StatusBadRequest, "The upload could not be read: " + oneLine(err)
}

func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// capBody limits r's body to the server's cap; a request that announces a
// larger body is refused at once.
func (s *Server) capBody(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength > s.opts.MaxBody {
		return errTooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBody)
	return nil
}

// verifyData is what verify.html shows.
type verifyData struct {
	Answer  *Answer
	Input   string // what was checked, in words
	Error   string
	RootFP  string
	Ledger  string
	MaxBody string
	Text    string // the pasted text, to show it again in the form
}

func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	s.renderVerify(w, snap, warn, http.StatusOK, verifyData{})
}

func (s *Server) renderVerify(w http.ResponseWriter, snap *snapshot, warn string, status int, d verifyData) {
	d.RootFP, d.Ledger, d.MaxBody = snap.rootFP, snap.name, mib(s.opts.MaxBody)
	s.render(w, status, "verify", page{Title: "Verify a text", Ledger: snap.name, Warning: warn, Script: true, Data: d})
}

func (s *Server) verifyPost(w http.ResponseWriter, r *http.Request, snap *snapshot, warn string) {
	u, err := s.readVerify(w, r, false)
	if err != nil {
		status, msg := s.bodyError(err)
		if status == http.StatusRequestEntityTooLarge {
			w.Header().Set("Connection", "close")
			s.renderError(w, snap, status, "File too large", msg)
			return
		}
		s.renderVerify(w, snap, warn, status, verifyData{Error: msg})
		return
	}
	a, checked, err := s.match(snap, u)
	if err != nil {
		s.ledgerError(w, snap, err)
		return
	}
	d := verifyData{Answer: a, Input: describeUpload(u, checked)}
	if u.Pasted {
		d.Text = string(checked)
	}
	s.renderVerify(w, snap, warn, http.StatusOK, d)
}

func (s *Server) readVerify(w http.ResponseWriter, r *http.Request, raw bool) (*upload, error) {
	if err := s.capBody(w, r); err != nil {
		return nil, err
	}
	return readUpload(r, s.opts.MaxBody, raw)
}

func describeUpload(u *upload, checked []byte) string {
	switch {
	case !u.Pasted:
		return fmt.Sprintf("the file %q, %d bytes, exactly as uploaded", u.Name, len(u.Content))
	case len(checked) != len(u.Content):
		return fmt.Sprintf("the pasted text, %d bytes in UTF-8 with line endings LF (your browser sends CRLF)", len(checked))
	}
	return fmt.Sprintf("the pasted text, %d bytes in UTF-8", len(checked))
}
