package gitstore

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// maxAlternateDepth is how deep alternates may name further alternates:
// git's own limit.
const maxAlternateDepth = 5

// objectDirs returns the object directories of the repository gitDir: its
// own objects/, then, as git reads them, the directories its
// objects/info/alternates file names, one a line ('#' starts a comment, a
// line in double quotes is C-quoted, a relative path is relative to the
// objects directory that names it), and their alternates in turn, up to
// maxAlternateDepth deep, each once (FORMAT.md §2.1). An alternate that
// does not exist is refused: the ledger's objects would be missing.
//
// go-git's storage is not used for this: it reads alternates relative to
// the repository and within its directory only, so it misses what `git
// clone --shared` and relative or chained alternates set up.
func objectDirs(gitDir string) ([]string, error) {
	own, err := filepath.Abs(filepath.Join(gitDir, "objects"))
	if err != nil {
		return nil, err
	}
	dirs := []string{own}
	seen := map[string]bool{own: true}
	var add func(objects string, depth int) error
	add = func(objects string, depth int) error {
		file := filepath.Join(objects, "info", "alternates")
		lines, err := readAlternates(file)
		if err != nil {
			return err
		}
		if len(lines) > 0 && depth >= maxAlternateDepth {
			return kindError(ErrAlternates, fmt.Errorf("%s: alternates nested more than %d deep, as git allows", file, maxAlternateDepth))
		}
		for _, alt := range lines {
			if !filepath.IsAbs(alt) {
				alt = filepath.Join(objects, alt)
			}
			alt = filepath.Clean(alt)
			if fi, err := os.Stat(alt); err != nil || !fi.IsDir() {
				return kindError(ErrAlternates, fmt.Errorf("%s names the object directory %s, which does not exist: the ledger's objects there cannot be read; restore it or correct the file", file, alt))
			}
			if seen[alt] {
				continue
			}
			seen[alt] = true
			dirs = append(dirs, alt)
			if err := add(alt, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := add(own, 0); err != nil {
		return nil, err
	}
	return dirs, nil
}

// readAlternates returns the paths an alternates file names (none if there
// is no file).
func readAlternates(file string) ([]string, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case line == "" || line[0] == '#':
			continue
		case line[0] == '"':
			unq, err := strconv.Unquote(line)
			if err != nil {
				return nil, kindError(ErrAlternates, fmt.Errorf("%s: cannot read the quoted path %s", file, line))
			}
			line = unq
		}
		out = append(out, line)
	}
	return out, sc.Err()
}

// readLoose reads loose object h from the first of dirs that holds it. The
// file's header must name a known type and a size that the file can hold
// (and at most MaxObjectSize), the content must have exactly that size,
// and nothing may follow it.
func readLoose(dirs []string, h plumbing.Hash) (plumbing.ObjectType, []byte, bool, error) {
	hex := h.String()
	for _, dir := range dirs {
		f, err := os.Open(filepath.Join(dir, hex[:2], hex[2:]))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return plumbing.InvalidObject, nil, false, err
		}
		var typ plumbing.ObjectType
		var data []byte
		fi, err := f.Stat()
		if err == nil {
			typ, data, err = readLooseObject(bufio.NewReader(f), fi.Size())
		}
		f.Close()
		if err != nil {
			return typ, nil, false, fmt.Errorf("loose object: %w", err)
		}
		return typ, data, true, nil
	}
	return plumbing.InvalidObject, nil, false, nil
}

// readLooseObject parses a loose object file of fileSize bytes.
func readLooseObject(f io.Reader, fileSize int64) (plumbing.ObjectType, []byte, error) {
	zr, err := zlib.NewReader(f)
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	defer zr.Close()
	br := bufio.NewReaderSize(zr, 64)
	header, err := br.ReadSlice(0)
	if err != nil {
		return plumbing.InvalidObject, nil, errors.New("malformed header")
	}
	name, sizeText, ok := strings.Cut(string(header[:len(header)-1]), " ")
	typ, err := plumbing.ParseObjectType(name)
	size, serr := strconv.ParseInt(sizeText, 10, 64)
	if !ok || err != nil || serr != nil || size < 0 || strconv.FormatInt(size, 10) != sizeText ||
		(typ != plumbing.CommitObject && typ != plumbing.TreeObject && typ != plumbing.BlobObject && typ != plumbing.TagObject) {
		return plumbing.InvalidObject, nil, fmt.Errorf("malformed header %q", header)
	}
	if size > MaxObjectSize {
		return typ, nil, fmt.Errorf("object of %d bytes, more than the %d bytes a ledger object may have", size, int64(MaxObjectSize))
	}
	if size > fileSize*maxInflateRatio {
		return typ, nil, fmt.Errorf("object claims %d bytes, but its file of %d bytes cannot hold that many", size, fileSize)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(br, data); err != nil {
		return typ, nil, err
	}
	if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		return typ, nil, errors.New("data after the object's content")
	}
	return typ, data, nil
}
