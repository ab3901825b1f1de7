//go:build unix

package gitstore

import (
	"os"
	"syscall"
)

// mapFile maps f read-only into memory, or returns nil if it cannot.
// Packfiles are never modified in place, only added and removed.
func mapFile(f *os.File) []byte {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 || fi.Size() != int64(int(fi.Size())) {
		return nil
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	return data
}

func unmapFile(data []byte) {
	if data != nil {
		syscall.Munmap(data)
	}
}

// releaseFile drops data's pages from the process's resident set; they
// stay in the page cache, and a later read maps them again.
func releaseFile(data []byte) {
	if data != nil {
		syscall.Madvise(data, syscall.MADV_DONTNEED)
	}
}
