package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/verbatim-ledger/verbatim/ledger"
)

// registerRun registers the planned files batch by batch, printing each
// batch's results when it is committed.
type registerRun struct {
	e                         *env
	o                         registerOptions
	l                         *ledger.Ledger
	items                     []registerItem
	results                   []*registerResult // per item; nil until committed or skipped
	pending                   []int             // items added since the last commit
	flushing                  []int             // items of the batch being written (Appender.StartFlush)
	added, unchanged, skipped int
	interrupted               bool
	progress                  *progress
	translationOf             *ledger.Version // --translation-of, verified
}

type registerResult struct {
	File      string `json:"file"`
	Doc       string `json:"doc,omitempty"`
	Version   uint64 `json:"version,omitempty"`
	Entry     uint64 `json:"entry,omitempty"` // 0 in a dry run for a version not yet made
	SHA256    string `json:"sha256,omitempty"`
	Unchanged bool   `json:"unchanged"`
	Skipped   string `json:"skipped,omitempty"` // why the file was not registered
	// TextSHA256 is the text identity; "" when the file is not UTF-8 text.
	TextSHA256 string `json:"text_sha256,omitempty"`
	HashOnly   bool   `json:"hash_only,omitempty"`
	Note       string `json:"note,omitempty"` // e.g. that the file has no text form
}

// good is the number of files not skipped by the plan.
func (r *registerRun) good() int {
	n := 0
	for _, it := range r.items {
		if it.skip == "" {
			n++
		}
	}
	return n
}

// register adds every planned file, committing every registerFlushEvery
// files: each batch is written while the next is signed, and printed once
// it is in the ledger. When ctx is cancelled (SIGINT, SIGTERM) it commits
// what it has signed and stops.
func (r *registerRun) register(ctx context.Context, a *ledger.Appender) error {
	r.results = make([]*registerResult, len(r.items))
	r.progress = r.e.newProgress(r.good(), r.o.quiet)
	defer r.progress.clear()
	for i := range r.items {
		if ctx.Err() != nil {
			r.interrupted = true
			break
		}
		if err := r.add(a, i); err != nil {
			// What was signed before it is committed and printed, as on an
			// interrupt, so that the count the error gives is what the
			// ledger holds (Close would complete a batch in flight anyway).
			r.commit(a)
			return err
		}
		if len(r.pending) >= registerFlushEvery {
			if err := a.StartFlush(); err != nil {
				return err
			}
			r.report(r.flushing) // in the ledger once StartFlush returns
			r.flushing, r.pending = r.pending, r.flushing[:0]
		}
	}
	return r.commit(a)
}

// add signs file i as its document's next version, or skips it.
func (r *registerRun) add(a *ledger.Appender, i int) error {
	it := &r.items[i]
	if it.skip != "" {
		r.skip(i)
		return nil
	}
	defer r.progress.step()
	content, err := os.ReadFile(it.file)
	if err != nil {
		it.skip = fmt.Sprintf("cannot be read: %v", err)
		r.skip(i)
		return nil
	}
	mt := ledger.DetectMediaType(content)
	if it.skip = kindChanged(r.l, *it, mt); it.skip != "" {
		r.skip(i)
		return nil
	}
	o := r.o
	res, err := a.Add(ledger.NewDocument{ID: it.id, Content: content, MediaType: mt, Title: o.title, Source: o.source, Language: o.language, Note: o.note,
		HashOnly: o.hashOnly, NoSketch: o.noSketch, TranslationOf: r.translationOf})
	if errors.Is(err, ledger.ErrInput) {
		it.skip = err.Error()
		r.skip(i)
		return nil
	}
	if err != nil {
		return fmt.Errorf("registering %s: %w", it.file, err)
	}
	v := res.Version
	r.results[i] = &registerResult{File: it.file, Doc: it.id, Version: v.Version, Entry: v.Entry, SHA256: v.SHA256, Unchanged: res.Unchanged,
		TextSHA256: v.TextSHA256, HashOnly: v.HashOnly, Note: textNote(content)}
	r.pending = append(r.pending, i)
	return nil
}

// skip reports file i as skipped, at once and whatever --quiet says.
func (r *registerRun) skip(i int) {
	it := r.items[i]
	r.skipped++
	if r.results != nil {
		r.results[i] = &registerResult{File: it.file, Doc: it.id, Skipped: it.skip}
	}
	r.progress.clear()
	fmt.Fprintf(r.e.stderr, "verbatim: skipped %s: %s\n", it.file, it.skip)
}

// commit moves the ledger to the entries signed so far and prints them.
func (r *registerRun) commit(a *ledger.Appender) error {
	if err := a.Flush(); err != nil {
		return err
	}
	r.report(r.flushing)
	r.report(r.pending)
	r.flushing, r.pending = r.flushing[:0], r.pending[:0]
	return nil
}

// report counts and prints the results of items, which are in the ledger.
func (r *registerRun) report(items []int) {
	r.progress.clear()
	for _, i := range items {
		res := r.results[i]
		if res.Unchanged {
			r.unchanged++
		} else {
			r.added++
		}
		if r.o.quiet || r.e.jsonOut {
			continue
		}
		if res.Unchanged {
			r.e.printf("unchanged  %s = %s version %d (entry %d)\n", res.File, res.Doc, res.Version, res.Entry)
		} else {
			hashOnly := ""
			if res.HashOnly {
				hashOnly = ", hash-only: bytes not stored"
			}
			r.e.printf("registered %s as %s version %d (entry %d, sha256 %s%s)\n", res.File, res.Doc, res.Version, res.Entry, res.SHA256[:16], hashOnly)
		}
		if res.Note != "" {
			r.e.printf("  note: %s %s\n", res.File, res.Note)
		}
	}
}

// reportSkips reports the files the plan skipped when nothing is registered.
func (r *registerRun) reportSkips() {
	r.results = make([]*registerResult, len(r.items))
	for i := range r.items {
		r.skip(i)
	}
}

// finish prints the summary and returns what decides the exit status:
// interrupted (1), some files skipped (2), or nil.
func (r *registerRun) finish() error {
	done := r.added + r.unchanged
	if r.e.jsonOut {
		var out []*registerResult
		for _, res := range r.results {
			if res != nil {
				out = append(out, res)
			}
		}
		if err := r.e.printJSON(map[string]any{
			"ledger": r.l.Name(), "added": r.added, "unchanged": r.unchanged, "skipped": r.skipped,
			"interrupted": r.interrupted, "entries": r.l.Size(), "results": out,
		}); err != nil {
			return err
		}
	} else if !r.o.quiet {
		skipped := ""
		if r.skipped > 0 {
			skipped = fmt.Sprintf(", %d skipped", r.skipped)
		}
		r.e.printf("%d added, %d unchanged%s; ledger %s has %d entries\n", r.added, r.unchanged, skipped, r.l.Name(), r.l.Size())
	}
	switch {
	case r.interrupted:
		return &failure{fmt.Sprintf("interrupted: %s of %s registered; re-run the same command to register the rest", thousands(done), thousands(len(r.items)))}
	case r.skipped > 0 && done == 0:
		return usagef("%s of %s skipped (see above); nothing was registered", thousands(r.skipped), plural(len(r.items), "file", "files"))
	case r.skipped > 0:
		return usagef("%s of %s skipped (see above); the others were registered", thousands(r.skipped), plural(len(r.items), "file", "files"))
	}
	return nil
}

// dryRun prints what registering would do, and registers nothing: each
// file's id and the version it would get, or that it is unchanged or
// skipped, and why. Its exit status is the one registering would have.
func (r *registerRun) dryRun() error {
	var out []*registerResult
	for _, it := range r.items {
		res := r.preview(it)
		out = append(out, res)
		switch {
		case res.Skipped != "":
			r.skipped++
		case res.Unchanged:
			r.unchanged++
		default:
			r.added++
		}
		if r.e.jsonOut || r.o.quiet && res.Skipped == "" {
			continue
		}
		switch {
		case res.Skipped != "":
			r.e.printf("skipped        %s: %s\n", res.File, res.Skipped)
		case res.Unchanged:
			r.e.printf("unchanged      %s = %s version %d (entry %d)\n", res.File, res.Doc, res.Version, res.Entry)
		default:
			r.e.printf("would register %s as %s version %d\n", res.File, res.Doc, res.Version)
		}
	}
	if r.e.jsonOut {
		if err := r.e.printJSON(map[string]any{"ledger": r.l.Name(), "dry_run": true, "added": r.added, "unchanged": r.unchanged, "skipped": r.skipped, "results": out}); err != nil {
			return err
		}
	} else if !r.o.quiet {
		r.e.printf("dry run: %d would be added, %d unchanged, %d skipped; nothing was registered\n", r.added, r.unchanged, r.skipped)
	}
	if r.skipped > 0 {
		return usagef("%s of %s would be skipped", thousands(r.skipped), plural(len(r.items), "file", "files"))
	}
	return nil
}

// preview is what registering it would do.
func (r *registerRun) preview(it registerItem) *registerResult {
	res := &registerResult{File: it.file, Doc: it.id, Skipped: it.skip}
	if it.skip != "" {
		return res
	}
	content, err := os.ReadFile(it.file)
	if err != nil {
		res.Skipped = fmt.Sprintf("cannot be read: %v", err)
		return res
	}
	if res.Skipped = kindChanged(r.l, it, ledger.DetectMediaType(content)); res.Skipped != "" {
		return res
	}
	res.SHA256, res.Version = ledger.ContentDigest(content), 1
	if prev, err := r.l.Lookup(it.id, 0); err == nil {
		res.Version = prev.Version + 1
		if prev.SHA256 == res.SHA256 {
			res.Version, res.Entry, res.Unchanged = prev.Version, prev.Entry, true
		}
	}
	return res
}
