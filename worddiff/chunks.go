package worddiff

import "strings"

// change is a maximal run of non-equal edits: deleted and inserted text.
type change struct{ del, ins strings.Builder }

// chunks groups edits into chunks (see the package documentation) and
// numbers them with the first text's lines.
func chunks(edits []edit) []Chunk {
	var out []Chunk
	for i := 0; i < len(edits); {
		j := i
		if edits[i].op == Equal {
			var eq strings.Builder
			for ; j < len(edits) && edits[j].op == Equal; j++ {
				eq.WriteString(edits[j].tok)
			}
			out = append(out, Chunk{Op: Equal, Text: eq.String()})
		} else {
			var c change
			for ; j < len(edits) && edits[j].op != Equal; j++ {
				if edits[j].op == Delete {
					c.del.WriteString(edits[j].tok)
				} else {
					c.ins.WriteString(edits[j].tok)
				}
			}
			out = appendChange(out, c.del.String(), c.ins.String())
		}
		i = j
	}
	out = absorbSpaces(out)
	numberLines(out)
	return out
}

func appendChange(out []Chunk, del, ins string) []Chunk {
	if del != "" {
		out = append(out, Chunk{Op: Delete, Text: del})
	}
	if ins != "" {
		out = append(out, Chunk{Op: Insert, Text: ins})
	}
	return out
}

// absorbSpaces merges an Equal chunk of only spaces and tabs that separates
// two changes into both, so that consecutive changed words read as one.
func absorbSpaces(in []Chunk) []Chunk {
	out := make([]Chunk, 0, len(in)) // never nil: JSON "chunks": []
	var del, ins strings.Builder
	flush := func() {
		out = appendChange(out, del.String(), ins.String())
		del.Reset()
		ins.Reset()
	}
	for i, c := range in {
		switch {
		case c.Op == Delete:
			del.WriteString(c.Text)
		case c.Op == Insert:
			ins.WriteString(c.Text)
		case del.Len()+ins.Len() > 0 && i+1 < len(in) && strings.Trim(c.Text, " \t") == "":
			del.WriteString(c.Text)
			ins.WriteString(c.Text)
		default:
			flush()
			out = append(out, c)
		}
	}
	flush()
	return out
}

// numberLines sets each chunk's Line from the first text's line breaks.
func numberLines(cs []Chunk) {
	line := 1
	for i := range cs {
		cs[i].Line = line
		if cs[i].Op != Insert {
			line += strings.Count(cs[i].Text, "\n")
		}
	}
}

// A returns the first text.
func (d *Diff) A() string { return d.join(Insert) }

// B returns the second text.
func (d *Diff) B() string { return d.join(Delete) }

func (d *Diff) join(skip Op) string {
	var b strings.Builder
	for _, c := range d.Chunks {
		if c.Op != skip {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

// Changed reports whether the texts differ.
func (d *Diff) Changed() bool {
	for _, c := range d.Chunks {
		if c.Op != Equal {
			return true
		}
	}
	return false
}
