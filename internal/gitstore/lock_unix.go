//go:build unix

package gitstore

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Lock takes the repository's write lock (the file verbatim.lock, locked
// with flock), waiting for another writer to finish.
// The kernel releases it if the process dies, so a killed register never
// leaves the ledger locked.
func (s *Store) Lock() (unlock func(), err error) {
	path := filepath.Join(s.gitDir, "verbatim.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking ledger: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking ledger: %w", err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
