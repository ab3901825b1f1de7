//go:build unix

package gitstore

import (
	"io/fs"
	"syscall"
)

// diskSpace is the disk space a file takes: its blocks, which for small
// files (a loose object) is far more than its size.
func diskSpace(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int64(st.Blocks) * 512
	}
	return fi.Size()
}
