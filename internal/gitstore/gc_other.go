//go:build !unix

package gitstore

import "io/fs"

// diskSpace is a file's size where its blocks are not known.
func diskSpace(fi fs.FileInfo) int64 { return fi.Size() }
