//go:build !unix

package gitstore

import "os"

// mapFile is not used off unix: packs are read with ReadAt.
func mapFile(f *os.File) []byte { return nil }

func unmapFile(data []byte) {}

func releaseFile(data []byte) {}
