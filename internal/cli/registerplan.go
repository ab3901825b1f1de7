package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/records"
)

// registerItem is one file given to register, with its document id, or the
// reason it is skipped.
type registerItem struct {
	file, id string
	explicit bool   // the id was given with --doc
	skip     string // why the file is not registered and what to do; "" if it is
}

// plan decides, before anything is read or signed, each file's document id
// or why it is skipped: a bad name or file is one skipped file, not a failed
// batch.
func (o registerOptions) plan(files []string, format string) []registerItem {
	items := make([]registerItem, len(files))
	fileOf := map[string]string{}
	for i, f := range files {
		it := registerItem{file: f, id: o.doc, explicit: o.doc != ""}
		if it.skip = fileProblem(f); it.skip == "" {
			it.skip = tooLarge(f)
		}
		if it.skip == "" {
			it.skip = it.deriveID(format)
		}
		if it.skip == "" {
			if other, ok := fileOf[it.id]; ok {
				it.skip = fmt.Sprintf("%s already becomes document %s in this command; register one at a time, or name each with --doc", other, it.id)
			} else {
				fileOf[it.id] = f
			}
		}
		items[i] = it
	}
	return items
}

// deriveID sets the item's id from its file name, unless --doc gave it,
// and returns why there is none that the ledger's format allows.
func (it *registerItem) deriveID(format string) string {
	if !it.explicit {
		id, err := records.DocIDFromPath(it.file)
		if err != nil {
			return err.Error()
		}
		it.id = id
	}
	if err := records.CheckDocIDIn(format, it.id); err != nil {
		return err.Error() + "; name the document with --doc"
	}
	return ""
}

// fileProblem says why path cannot be registered before it is opened: it
// does not exist, or it is not a regular file (reading a directory fails,
// and reading a FIFO with no writer waits for ever).
func fileProblem(path string) string {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "it does not exist"
	case err != nil:
		return err.Error()
	case fi.IsDir():
		return "it is a directory; give the files in it (e.g. " + path + "/*)"
	case fi.Mode().IsRegular():
		return ""
	}
	kind := "not a regular file"
	switch m := fi.Mode(); {
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	}
	return "it is " + kind + ", not a regular file; copy what it holds to a regular file first"
}

// kindChanged says why content, whose id was derived from its file name,
// should not silently become the next version of an existing document: its
// media type differs from the latest version's, as when huge.bin follows
// huge.txt. --doc, which names the document on purpose, overrides it.
func kindChanged(l *ledger.Ledger, it registerItem, mediaType string) string {
	if it.explicit {
		return ""
	}
	prev, err := l.Lookup(it.id, 0)
	if err != nil || prev.MediaType == mediaType {
		return ""
	}
	return fmt.Sprintf("it is %s, but document %s (version %d) is %s, so it may be another document with the same id; "+
		"to register it as %s version %d, give it alone with --doc %s; otherwise rename it or choose another id with --doc",
		mediaType, it.id, prev.Version, prev.MediaType, it.id, prev.Version+1, it.id)
}

// tooLarge says why a regular file is over ledger.MaxDocumentSize, before
// it is read.
func tooLarge(path string) string {
	fi, err := os.Stat(path)
	if err != nil || fi.Size() <= ledger.MaxDocumentSize {
		return ""
	}
	return fmt.Sprintf("it is %d bytes, more than the %d MiB verbatim registers", fi.Size(), ledger.MaxDocumentSize>>20)
}

// textNote says what register recorded about a file's text form when
// check can match it only in part: not UTF-8 (exact bytes only) or empty.
func textNote(content []byte) string {
	switch {
	case len(content) == 0:
		return "is empty: registered, but check can match it only exactly"
	case ledger.TextOf(content, false) == nil:
		return "is not UTF-8 text (binary or another encoding): registered as bytes, with no text identity; check can match it only exactly"
	}
	return ""
}
