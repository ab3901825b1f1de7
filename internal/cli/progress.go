package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"golang.org/x/term"
)

// progress shows how far a long command is on one line of stderr,
// rewritten in place ("\r"), at most ten times a second. It is shown only
// when stderr is a terminal, so logs and pipes get no control characters.
// A nil *progress shows nothing.
type progress struct {
	w           io.Writer
	total, done int
	start, last time.Time
	now         func() time.Time
	shown       bool // a line is on the terminal and must be cleared before other output
}

// newProgress returns a progress line for total items on the terminal, or
// nil if stderr is not a terminal or quiet is set.
func (e *env) newProgress(total int, quiet bool) *progress {
	f, ok := e.stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return newProgressTo(f, total, time.Now)
}

func newProgressTo(w io.Writer, total int, now func() time.Time) *progress {
	t := now()
	return &progress{w: w, total: total, start: t, now: now}
}

// step counts one item done and redraws the line if it is due.
func (p *progress) step() {
	if p == nil {
		return
	}
	p.done++
	t := p.now()
	if p.shown && t.Sub(p.last) < 100*time.Millisecond && p.done < p.total {
		return
	}
	p.last = t
	rate := ""
	if secs := t.Sub(p.start).Seconds(); secs >= 0.5 {
		rate = fmt.Sprintf(", %s/s", thousands(int(float64(p.done)/secs)))
	}
	fmt.Fprintf(p.w, "\r\x1b[Kregistering: %s of %s files%s", thousands(p.done), thousands(p.total), rate)
	p.shown = true
}

// clear removes the line, so that other output starts on a clean line; the
// next step draws it again.
func (p *progress) clear() {
	if p == nil || !p.shown {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K")
	p.shown = false
}

// thousands formats n with commas between groups of three digits: 20,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
