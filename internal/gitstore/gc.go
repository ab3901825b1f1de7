package gitstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/internal/durable"
)

// gcPackBytes bounds the object content of each pack GC writes: loose
// objects are packed, and small packs merged, into packs of about this
// many bytes of content. GC streams each object from its source into the
// new pack (packWriter), so its memory grows with the number of objects of
// one such pack (their names and offsets), not with their content.
const gcPackBytes = 128 << 20

// GCReport says what GC did.
type GCReport struct {
	Packed      int   // loose objects written into new packs
	Removed     int   // loose object files deleted (packed now, or already in a pack)
	Packs       int   // packs written
	Merged      int   // small packs merged into new ones, and deleted
	BytesBefore int64 // bytes of the files in the objects directory before
	BytesAfter  int64 // and after
	DiskBefore  int64 // disk space of the objects directory (its files' blocks and its directories') before
	DiskAfter   int64 // and after
}

// GC moves the loose objects of the repository (its own objects
// directory, not its alternates) into packs, then merges the small packs
// (mergePacks) into one. It changes no object and no ref: the repository is
// the same in git terms, only stored in fewer files.
//
// The caller holds the write lock (Lock), so no writer runs meanwhile. Each batch
// of loose objects is written as a pack with its index (synced, renamed into
// place, the directory synced: packWriter.finish), the new pack is read back and
// every object's type and hash checked, and only then are the loose files
// deleted and their directories synced. A process killed at any moment
// leaves each object loose, packed, or both. A reader that opened the
// ledger before the pack existed finds an object whose loose file is gone in
// the new pack: a read that misses re-scans the packs (packReader.refresh),
// and the pack is in place before any loose file is deleted.
// A loose object or a pack that does not hash to its name is refused
// (ErrCorrupt) before anything of it is deleted.
func (s *Store) GC() (GCReport, error) {
	var rep GCReport
	var err error
	objDir := filepath.Join(s.gitDir, "objects")
	if rep.BytesBefore, rep.DiskBefore, err = dirBytes(objDir); err != nil {
		return rep, err
	}
	loose, err := looseObjects(objDir)
	if err != nil {
		return rep, err
	}
	if len(loose) > 0 {
		if err := s.OpenPacks(); err != nil {
			return rep, err
		}
		err := packLoose(s, objDir, loose, &rep)
		// The packs' indexes are needed no longer: merging reads one pack
		// at a time. Reads open them again.
		s.packs.close()
		s.packs = nil
		if err != nil {
			return rep, err
		}
	}
	if err := removeEmptyFanout(objDir); err != nil {
		return rep, err
	}
	if err := mergePacks(s, objDir, &rep); err != nil {
		return rep, err
	}
	rep.BytesAfter, rep.DiskAfter, err = dirBytes(objDir)
	return rep, err
}

// gcPack is a pack GC is writing: the objects written so far (names and
// types only), and their content's size.
type gcPack struct {
	w       *packWriter
	objects []Object // without content
	bytes   int
}

// add writes o into the pack, starting it if need be, unless it holds o
// already.
func (p *gcPack) add(gitDir string, o Object) error {
	if p.w == nil {
		w, err := newPackWriter(gitDir)
		if err != nil {
			return fmt.Errorf("writing pack: %w", err)
		}
		p.w = w
	}
	n := p.w.n
	if err := p.w.add(o); err != nil {
		return fmt.Errorf("writing pack: %w", err)
	}
	if p.w.n > n {
		p.objects = append(p.objects, Object{Type: o.Type, Hash: o.Hash})
		p.bytes += len(o.Content)
	}
	return nil
}

// abort removes the pack's temporary file, if it was started.
func (p *gcPack) abort() {
	if p.w != nil {
		p.w.abort()
	}
	*p = gcPack{}
}

// finish completes the pack, reads it back and checks every object
// (checkPack), and makes it readable through s. It returns the pack's base
// path, or "" if nothing was written.
func (p *gcPack) finish(s *Store) (string, error) {
	if p.w == nil {
		return "", nil
	}
	base, err := p.w.finish()
	p.w = nil
	if err != nil {
		return "", fmt.Errorf("writing pack: %w", err)
	}
	writeStep("gc-packed")
	if err := checkPack(base, p.objects); err != nil {
		return "", err
	}
	return base, s.addPack(base)
}

// packLoose writes the loose objects into packs of about gcPackBytes of
// content each, and deletes each pack's loose files once it is checked,
// with those of the loose objects a pack held already.
func packLoose(s *Store, objDir string, loose []plumbing.Hash, rep *GCReport) error {
	var p gcPack
	defer p.abort()
	var already []plumbing.Hash // loose objects a pack holds already
	flush := func() error {
		base, err := p.finish(s)
		if err != nil {
			return err
		}
		remove := already
		if base != "" {
			writeStep("gc-checked")
			rep.Packed += len(p.objects)
			rep.Packs++
			for _, o := range p.objects {
				remove = append(remove, o.Hash)
			}
		}
		n, err := removeLoose(objDir, remove)
		rep.Removed += n
		p, already = gcPack{}, nil
		return err
	}
	for _, h := range loose {
		if j, off, found := s.packs.find(h); found {
			// Delete the loose copy only if the pack's copy is sound;
			// otherwise leave both for verify to report.
			if typ, data, err := s.packs.resolve(j, off, nil); err == nil && plumbing.ComputeHash(typ, data) == h {
				already = append(already, h)
			}
			continue
		}
		o, err := readLooseChecked(objDir, h)
		if err != nil {
			return err
		}
		if err := p.add(s.gitDir, o); err != nil {
			return err
		}
		if p.bytes >= gcPackBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// removeLoose deletes the loose files of objects and syncs their
// directories. It returns the number of files deleted.
func removeLoose(objDir string, objects []plumbing.Hash) (int, error) {
	dirty := map[string]bool{}
	for i, h := range objects {
		hex := h.String()
		dir := filepath.Join(objDir, hex[:2])
		if err := os.Remove(filepath.Join(dir, hex[2:])); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return i, fmt.Errorf("removing loose object %s: %w", h, err)
		}
		dirty[dir] = true
		writeStep("gc-removed")
	}
	for dir := range dirty {
		if err := durable.SyncDir(dir); err != nil {
			return len(objects), err
		}
	}
	return len(objects), nil
}

// checkPack reads every object of the pack at base back and checks its
// type and hash, before anything that pack replaces is deleted. objects
// need only their names and types.
func checkPack(base string, objects []Object) error {
	p, err := openPackFile(base)
	if err != nil {
		return fmt.Errorf("reading back pack %s: %w", filepath.Base(base), err)
	}
	pr := &packReader{packs: []packFile{p}}
	defer pr.close()
	for _, o := range objects {
		j, off, found := pr.find(o.Hash)
		if !found {
			return fmt.Errorf("pack %s does not hold object %s it was written with; nothing was deleted", filepath.Base(base), o.Hash)
		}
		typ, data, err := pr.resolve(j, off, nil)
		if err == nil && (typ != o.Type || plumbing.ComputeHash(typ, data) != o.Hash) {
			err = errors.New("the object read back does not match its hash")
		}
		if err != nil {
			return fmt.Errorf("pack %s, object %s: %w; nothing was deleted", filepath.Base(base), o.Hash, err)
		}
	}
	return nil
}

// looseObjects lists the loose objects in objDir (objects/xx/38 hex
// digits), sorted. Other files (a writer's tmp_obj_ leftovers) are ignored.
func looseObjects(objDir string) ([]plumbing.Hash, error) {
	fanout, err := os.ReadDir(objDir)
	if err != nil {
		return nil, err
	}
	var out []plumbing.Hash
	for _, d := range fanout {
		if !d.IsDir() || len(d.Name()) != 2 || !isHex(d.Name()) {
			continue
		}
		files, err := os.ReadDir(filepath.Join(objDir, d.Name()))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if name := d.Name() + f.Name(); len(name) == 40 && isHex(name) && f.Type().IsRegular() {
				out = append(out, plumbing.NewHash(name))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, nil
}

func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdef") == ""
}

// readLooseChecked reads loose object h and checks its hash: GC refuses to
// pack (and then delete) an object that is not what its name says.
func readLooseChecked(objDir string, h plumbing.Hash) (Object, error) {
	typ, data, ok, err := readLoose([]string{objDir}, h)
	if err == nil && !ok {
		err = fs.ErrNotExist
	}
	if err == nil && plumbing.ComputeHash(typ, data) != h {
		err = errors.New("content does not match its hash")
	}
	if err != nil {
		return Object{}, kindError(ErrCorrupt, fmt.Errorf("loose git object %s: %w; gc changed nothing for it (run verify)", h, err))
	}
	return Object{Type: typ, Hash: h, Content: data}, nil
}

// removeEmptyFanout removes the empty objects/xx directories and syncs the
// objects directory.
func removeEmptyFanout(objDir string) error {
	fanout, err := os.ReadDir(objDir)
	if err != nil {
		return err
	}
	removed := false
	for _, d := range fanout {
		if d.IsDir() && len(d.Name()) == 2 && isHex(d.Name()) {
			if files, err := os.ReadDir(filepath.Join(objDir, d.Name())); err == nil && len(files) == 0 {
				if os.Remove(filepath.Join(objDir, d.Name())) == nil {
					removed = true
				}
			}
		}
	}
	if !removed {
		return nil
	}
	writeStep("gc-dirs-removed")
	return durable.SyncDir(objDir)
}

// dirBytes returns the size of the regular files under dir (as du -sb
// counts it), and the disk space of those files and the directories (as du
// -s --block-size=1 does): a loose object of a few hundred bytes takes a
// whole block.
func dirBytes(dir string) (size, disk int64, err error) {
	err = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			if !d.IsDir() {
				size += fi.Size()
			}
			disk += diskSpace(fi)
		}
		return nil
	})
	return size, disk, err
}

// refresh opens the packs that appeared in the object directories since pr
// was opened (GC writes them, and then deletes the loose files they hold)
// and reports whether it found any. A pack that vanished meanwhile is
// skipped.
func (pr *packReader) refresh() bool {
	have := map[string]bool{}
	for _, p := range pr.packs {
		have[p.name] = true
	}
	added := false
	for _, objects := range pr.dirs {
		dir := filepath.Join(objects, "pack")
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			name := e.Name()
			if !strings.HasPrefix(name, "pack-") || !strings.HasSuffix(name, ".idx") || have[strings.TrimSuffix(name, ".idx")+".pack"] {
				continue
			}
			p, err := openPackFile(filepath.Join(dir, strings.TrimSuffix(name, ".idx")))
			if err != nil {
				continue // not complete yet, or gone: as if not there
			}
			// A worker's packs are another reader's slice: never append in place.
			pr.packs = append(pr.packs[:len(pr.packs):len(pr.packs)], p)
			pr.own = append(pr.own, p)
			have[p.name], added = true, true
		}
	}
	return added
}

// gcMaxPackFile is the largest pack GC merges: larger ones are left as they
// are (a big pack is already what GC makes).
const gcMaxPackFile = 64 << 20

// mergePacks rewrites the packs in objDir/pack that verbatim may merge
// (mergeable) into one per gcPackBytes of content: the objects of each pack,
// in their order in it, are checked and streamed into the new pack, which
// is written and checked like a pack of loose objects, and only then are
// the packs it replaces deleted, the .pack before the .idx (an index without
// its pack is ignored by git, go-git and verbatim, and removed by the next
// GC). It first removes such leftover indexes.
func mergePacks(r *Store, objDir string, rep *GCReport) error {
	dir := filepath.Join(objDir, "pack")
	bases, err := listPacks(dir)
	if err != nil || len(bases) < 2 {
		return err
	}
	var group []string
	var p gcPack
	defer p.abort()
	flush := func() error {
		if len(group) >= 2 {
			if err := replacePacks(r, dir, group, &p); err != nil {
				return err
			}
			rep.Merged += len(group)
			rep.Packs++
		}
		p.abort()
		group = nil
		return nil
	}
	for _, base := range bases {
		ok, err := copyPack(r.gitDir, base, &p)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		group = append(group, base)
		if p.bytes >= gcPackBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// listPacks returns the bases of the complete packs in dir, after removing
// every index whose pack is gone (left by a GC killed between the two), in
// the order they were written: merged in that order, the packs of the
// entries appended one after another stay together, where a reader
// verifying entries in order looks for them (openPackReader).
func listPacks(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var bases []string
	written := map[string]time.Time{}
	removed := false
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "pack-") || !strings.HasSuffix(name, ".idx") {
			continue
		}
		base := filepath.Join(dir, strings.TrimSuffix(name, ".idx"))
		fi, err := os.Stat(base + ".pack")
		if errors.Is(err, fs.ErrNotExist) {
			if err := os.Remove(base + ".idx"); err != nil {
				return nil, err
			}
			removed = true
			continue
		}
		if err == nil {
			written[base] = fi.ModTime()
		}
		bases = append(bases, base)
	}
	sort.SliceStable(bases, func(i, j int) bool { return written[bases[i]].Before(written[bases[j]]) })
	if removed {
		return bases, durable.SyncDir(dir)
	}
	return bases, nil
}

// copyPack adds every object of the pack at base to p, in the pack's order,
// each checked against its name; an object p holds already goes in once. ok
// is false, and p unchanged, for a pack GC leaves alone: larger than
// gcMaxPackFile, kept or indexed by git (.keep, .bitmap, .rev, .promisor,
// .mtimes beside it), or holding deltas, which a pack of whole objects
// would inflate.
func copyPack(gitDir, base string, p *gcPack) (ok bool, err error) {
	for _, ext := range []string{".keep", ".bitmap", ".rev", ".promisor", ".mtimes"} {
		if _, err := os.Lstat(base + ext); err == nil {
			return false, nil
		}
	}
	if fi, err := os.Stat(base + ".pack"); err != nil || fi.Size() > gcMaxPackFile {
		return false, err
	}
	pf, err := openPackFile(base)
	if err != nil {
		return false, kindError(ErrCorrupt, fmt.Errorf("pack %s: %w", filepath.Base(base), err))
	}
	pr := &packReader{packs: []packFile{pf}}
	defer pr.close()
	ends, byOffset, err := objectsByOffset(pf)
	if err != nil {
		return false, err
	}
	if deltas, err := hasDeltas(pf, ends); err != nil || deltas {
		return false, err
	}
	for i, off := range ends[:len(ends)-1] {
		e, err := pf.entryAt(off, nil)
		if err != nil {
			return false, kindError(ErrCorrupt, fmt.Errorf("pack %s: %w", pf.name, err))
		}
		if plumbing.ComputeHash(e.typ, e.data) != byOffset[i] {
			return false, kindError(ErrCorrupt, fmt.Errorf("pack %s: object %s does not match its hash; gc changed nothing (run verify)", pf.name, byOffset[i]))
		}
		if err := p.add(gitDir, Object{Type: e.typ, Hash: byOffset[i], Content: e.data}); err != nil {
			return false, err
		}
	}
	return true, nil
}

// objectsByOffset lists the offsets of pf's objects in the pack's order,
// followed by the offset of its trailer (so object i's bytes lie between
// ends[i] and ends[i+1]), and their names in that order.
func objectsByOffset(pf packFile) (ends []int64, names []plumbing.Hash, err error) {
	iter, err := pf.idx.EntriesByOffset()
	if err != nil {
		return nil, nil, err
	}
	defer iter.Close()
	for {
		e, err := iter.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		off := int64(e.Offset)
		if off >= pf.end || (len(ends) > 0 && off <= ends[len(ends)-1]) {
			return nil, nil, kindError(ErrCorrupt, fmt.Errorf("pack %s: its index lists offset %d out of order", pf.name, e.Offset))
		}
		ends, names = append(ends, off), append(names, e.Hash)
	}
	return append(ends, pf.end), names, nil
}

// hasDeltas reports whether pf, whose objects start at ends, holds a
// delta, reading only the entries' headers.
func hasDeltas(pf packFile, ends []int64) (bool, error) {
	var buf [16]byte
	for i, off := range ends[:len(ends)-1] {
		b := buf[:min(int64(len(buf)), ends[i+1]-off)]
		if _, err := pf.f.ReadAt(b, off); err != nil {
			return false, kindError(ErrCorrupt, fmt.Errorf("pack %s: reading offset %d: %w", pf.name, off, err))
		}
		typ, _, err := readObjectHeader(bytes.NewReader(b))
		if err != nil {
			return false, kindError(ErrCorrupt, fmt.Errorf("pack %s: offset %d: %w", pf.name, off, err))
		}
		if typ == packOfsDelta || typ == packRefDelta {
			return true, nil
		}
	}
	return false, nil
}

// replacePacks completes p (the content of the packs at old), checks it,
// and deletes the old packs.
func replacePacks(r *Store, dir string, old []string, p *gcPack) error {
	base, err := p.finish(r)
	if err != nil {
		return err
	}
	writeStep("gc-merged")
	for _, b := range old {
		if b == base {
			continue // the same objects in the same order: the same pack
		}
		if err := os.Remove(b + ".pack"); err != nil {
			return err
		}
		writeStep("gc-pack-removed")
		if err := os.Remove(b + ".idx"); err != nil {
			return err
		}
	}
	return durable.SyncDir(dir)
}
