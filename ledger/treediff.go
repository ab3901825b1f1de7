package ledger

import (
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/verbatim-ledger/verbatim/internal/gitstore"
)

// loadPath reads the trees of the commit tree rootHash down to entry n's
// directory and returns them with that directory.
func (r *repo) loadPath(rootHash plumbing.Hash, n uint64) (pathTrees, tree, error) {
	pt := pathTrees{p: pathOf(n)}
	var err error
	if pt.root, err = r.tree(rootHash); err != nil {
		return pt, nil, err
	}
	if err := checkRoot(pt.root); err != nil {
		return pt, nil, err
	}
	e, _ := pt.root.Find(entriesDir)
	where := entriesDir
	dst := []*tree{&pt.entries, &pt.a, &pt.b, &pt.c}
	var dir tree
	for i := 0; i < 5; i++ {
		next, err := r.tree(e.Hash)
		if err != nil {
			return pt, nil, err
		}
		if i == 4 {
			dir = next
			break
		}
		*dst[i] = next
		name := pt.p[i]
		if e, err = findDir(next, name); err != nil {
			return pt, nil, fmt.Errorf("%s/%s: %w", where, name, err)
		}
		where += "/" + name
	}
	return pt, dir, nil
}

// pathFor is loadPath for priming a worker with entry n's trees; a problem
// there is reported when entry n itself is checked.
func (r *repo) pathFor(rootHash plumbing.Hash, n uint64) pathTrees {
	pt, _, _ := r.loadPath(rootHash, n)
	return pt
}

func findDir(t tree, name string) (treeEntry, error) {
	e, ok := t.Find(name)
	switch {
	case !ok:
		return e, fmt.Errorf("is missing")
	case e.Mode != modeDir:
		return e, fmt.Errorf("is not a directory")
	}
	return e, nil
}

// checkRoot checks that a commit's top-level tree holds exactly the
// checkpoint file and the entries directory.
func checkRoot(root tree) error {
	ok := len(root) == 2
	for _, e := range root {
		if !(e.Name == checkpointFile && e.Mode == modeFile) && !(e.Name == entriesDir && e.Mode == modeDir) {
			ok = false
		}
	}
	if ok {
		return nil
	}
	var names []string
	for _, e := range root {
		names = append(names, e.Name+" ("+e.Mode+")")
	}
	return fmt.Errorf("the commit's top level holds %s; the format allows only %s and %s/", strings.Join(names, ", "), checkpointFile, entriesDir)
}

// checkAgainst checks that, along the path, this commit's trees equal those
// of the previous commit (prev, nil for the genesis) except for the new
// entry's directory and the directories leading to it: no file of an
// earlier entry was changed, removed or added.
func (t *pathTrees) checkAgainst(prev *pathTrees, n uint64) error {
	var old [4]tree
	fresh := true // the directory at this level did not exist in the previous commit
	if prev != nil {
		if err := sameExcept(prev.root, t.root, "", checkpointFile, entriesDir); err != nil {
			return err
		}
		old, fresh = prev.levels(), false
	}
	where := entriesDir
	cur := t.levels()
	for i := 0; i < 4; i++ {
		var o tree
		if !fresh {
			o = old[i]
		}
		name := t.p[i]
		if err := sameExcept(o, cur[i], where, name); err != nil {
			return err
		}
		_, existed := o.Find(name)
		if i == 3 && existed {
			return fmt.Errorf("the entry's directory %s/%s already existed in the previous commit", where, name)
		}
		fresh = fresh || !existed || prev.p[i] != name
		where += "/" + name
	}
	return nil
}

// sameExcept checks that trees a and b hold the same entries apart from
// the names in except.
func sameExcept(a, b tree, where string, except ...string) error {
	skip := func(name string) bool {
		for _, x := range except {
			if x == name {
				return true
			}
		}
		return false
	}
	prefix := where
	if prefix != "" {
		prefix += "/"
	}
	for i, j := 0, 0; i < len(a) || j < len(b); {
		switch {
		case i < len(a) && skip(a[i].Name):
			i++
		case j < len(b) && skip(b[j].Name):
			j++
		case i < len(a) && j < len(b) && a[i].Name == b[j].Name:
			if a[i] != b[j] {
				return fmt.Errorf("%s%s was modified (files of earlier entries must never change)", prefix, a[i].Name)
			}
			i, j = i+1, j+1
		case j == len(b) || i < len(a) && gitstore.Less(a[i], b[j]):
			return fmt.Errorf("%s%s was removed (files of earlier entries must never change)", prefix, a[i].Name)
		default:
			return fmt.Errorf("%s%s was added, but a commit may add only its own entry", prefix, b[j].Name)
		}
	}
	return nil
}
