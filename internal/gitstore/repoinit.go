package gitstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/verbatim-ledger/verbatim/internal/durable"
)

// Init creates a bare git repository in dir whose HEAD names
// branch, as `git init --bare` does (and go-git's PlainInit, whose
// package would bring in every git transport, SSH and OpenPGP, none of which
// a ledger uses).
func Init(dir string, branch plumbing.ReferenceName) error {
	st := filesystem.NewStorage(osfs.New(dir), cache.NewObjectLRUDefault())
	defer st.Close()
	if err := st.Init(); err != nil {
		return fmt.Errorf("creating git repository in %s: %w", dir, err)
	}
	if err := st.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, branch)); err != nil {
		return fmt.Errorf("creating git repository in %s: %w", dir, err)
	}
	cfg, err := st.Config()
	if err == nil {
		cfg.Core.IsBare = true
		err = st.SetConfig(cfg)
	}
	if err != nil {
		return fmt.Errorf("creating git repository in %s: %w", dir, err)
	}
	return syncNew(dir)
}

// syncNew makes a new repository's files and directories durable, as the
// objects and the ref written next are (go-git's storage syncs nothing).
func syncNew(dir string) error {
	for _, name := range []string{"HEAD", "config"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err == nil {
			err = f.Sync()
			f.Close()
		}
		if err != nil {
			return fmt.Errorf("creating git repository in %s: %w", dir, err)
		}
	}
	for _, d := range []string{"objects/pack", "objects/info", "objects", "refs/heads", "refs/tags", "refs", ".", ".."} {
		if err := durable.SyncDir(filepath.Join(dir, d)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
