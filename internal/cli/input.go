package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// checkOutput refuses an --output file that exists (unless force), or
// whose directory does not, before any work is done.
func checkOutput(path string, force bool) error {
	if strings.TrimSpace(path) == "" {
		return usagef("--output is empty: give the file to write")
	}
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.IsDir():
		return usagef("%s is a directory: give a file to write", path)
	case err == nil && !force:
		return usagef("%s already exists; give --force to overwrite it, or another file", path)
	}
	if dir := filepath.Dir(path); !isDir(dir) {
		return usagef("cannot write %s: directory %s does not exist", path, dir)
	}
	return nil
}

// checkDocumentArgs refuses, before any work, a document argument that is
// not a readable regular file; "-" (standard input) may be given once.
func checkDocumentArgs(files []string) error {
	stdin := 0
	for _, f := range files {
		if f == "-" {
			if stdin++; stdin > 1 {
				return usagef("- (standard input) can be given only once")
			}
			continue
		}
		if err := checkRegularFile(f, "file"); err != nil {
			return inputErr(err)
		}
	}
	return nil
}

// readDocument reads a document argument: a file, or standard input for "-".
func readDocument(file string) ([]byte, error) {
	if file == "-" {
		data, err := io.ReadAll(os.Stdin)
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		return data, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	return data, nil
}
