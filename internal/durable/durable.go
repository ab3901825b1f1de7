// Package durable writes files so that a crash or a power cut never leaves
// a path holding part of its new content: after WriteFile returns, the path
// holds the new bytes and its name survives a power loss; if WriteFile fails
// or the process dies, the path holds what it held before (or nothing, if it
// did not exist).
package durable

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile writes data to path through a new temporary file in the same
// directory: written, given mode perm (whatever the umask), synced, renamed
// over path, and the directory synced. Concurrent writers of one path each
// use their own temporary file, so the last rename wins whole.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // after the rename, a no-op
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir syncs a directory, so that the names created, renamed or removed
// in it survive a power loss.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}
