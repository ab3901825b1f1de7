package worddiff

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/verbatim-ledger/verbatim/words"
)

// Style says how changes are marked: plain text markers in the manner of
// git's --word-diff=plain, or ANSI colours for a terminal.
type Style struct {
	Color bool
}

// marks returns what goes before and after a chunk of op.
func (s Style) marks(op Op) (string, string) {
	switch {
	case op == Delete && s.Color:
		return "\x1b[31m", "\x1b[0m"
	case op == Insert && s.Color:
		return "\x1b[32m", "\x1b[0m"
	case op == Delete:
		return "[-", "-]"
	case op == Insert:
		return "{+", "+}"
	}
	return "", ""
}

// WriteText writes the whole comparison, each line prefixed by its line
// number in the first text ("   + |" for a line begun by an inserted line
// break), with changes marked; a changed line break is shown as ⏎ before
// the break. Colour codes never span a line break.
func (d *Diff) WriteText(w io.Writer, s Style) error {
	t := textWriter{bw: bufio.NewWriter(w), line: 1, atStart: true}
	for _, c := range d.Chunks {
		open, close := s.marks(c.Op)
		for i, part := range strings.Split(c.Text, "\n") {
			if i > 0 {
				if c.Op != Equal {
					t.write(open + "⏎" + close)
				}
				t.newline(c.Op)
			}
			if part != "" {
				t.write(open + part + close)
			}
		}
	}
	if !t.atStart {
		t.bw.WriteString("\n")
	}
	return t.bw.Flush()
}

// textWriter writes lines with WriteText's prefixes.
type textWriter struct {
	bw         *bufio.Writer
	line       int
	atStart    bool
	fromInsert bool
}

func (t *textWriter) write(s string) {
	if t.atStart {
		if t.fromInsert {
			t.bw.WriteString("   + | ")
		} else {
			fmt.Fprintf(t.bw, "%4d | ", t.line)
		}
		t.atStart = false
	}
	t.bw.WriteString(s)
}

// newline ends a line with a break taken from a chunk of op.
func (t *textWriter) newline(op Op) {
	t.write("")
	t.bw.WriteString("\n")
	t.atStart, t.fromInsert = true, op == Insert
	if op != Insert {
		t.line++
	}
}

// WriteContext writes one line per group of nearby changes: "line N:" (of
// the first text), up to n words of unchanged context on each side, kept to
// the same line, and the changes marked; a line break inside a change is
// shown as ⏎. Changes separated by at most 2n words on one line share a
// group. It writes nothing when the texts are equal.
func (d *Diff) WriteContext(w io.Writer, n int, s Style) error {
	bw := bufio.NewWriter(w)
	cs := d.Chunks
	for i := 0; i < len(cs); i++ {
		if cs[i].Op == Equal {
			continue
		}
		j := i // the group is cs[i:j+1], ending in a change
		for k := i + 1; k < len(cs); k++ {
			if cs[k].Op != Equal {
				j = k
			} else if k+1 >= len(cs) || strings.Contains(cs[k].Text, "\n") || wordCount(cs[k].Text) > 2*n {
				break
			}
		}
		fmt.Fprintf(bw, "%s: ", lineLabel(cs[i].Line, cs[j]))
		if i > 0 {
			bw.WriteString(before(cs[i-1].Text, n))
		}
		for _, c := range cs[i : j+1] {
			open, close := s.marks(c.Op)
			bw.WriteString(open + strings.ReplaceAll(c.Text, "\n", "⏎") + close)
		}
		if j+1 < len(cs) {
			bw.WriteString(after(cs[j+1].Text, n))
		}
		bw.WriteString("\n")
		i = j
	}
	return bw.Flush()
}

// lineLabel is "line N" or "lines N–M" for a group from line first to the
// end of chunk last.
func lineLabel(first int, last Chunk) string {
	end := last.Line
	if last.Op == Delete {
		end += strings.Count(strings.TrimSuffix(last.Text, "\n"), "\n")
	}
	if end <= first {
		return fmt.Sprintf("line %d", first)
	}
	return fmt.Sprintf("lines %d–%d", first, end)
}

func wordCount(s string) int {
	n := 0
	for _, t := range words.Split(s) {
		if t.Kind == words.Word {
			n++
		}
	}
	return n
}

// before returns the end of s holding at most n words and no line break,
// with "…" in front when it is cut short of a line start.
func before(s string, n int) string {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
		if wordCount(s) <= n {
			return s
		}
	}
	toks := words.Split(s)
	seen := 0
	for k := len(toks) - 1; k >= 0; k-- {
		if toks[k].Kind == words.Word {
			if seen++; seen > n {
				return "…" + strings.TrimLeft(s[toks[k].End:], " \t")
			}
		}
	}
	return s
}

// after returns the start of s holding at most n words and no line break,
// with "…" after it when it is cut short of a line end.
func after(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
		if wordCount(s) <= n {
			return s
		}
	}
	seen := 0
	for _, t := range words.Split(s) {
		if t.Kind == words.Word {
			if seen++; seen > n {
				return strings.TrimRight(s[:t.Start], " \t") + "…"
			}
		}
	}
	return s
}
