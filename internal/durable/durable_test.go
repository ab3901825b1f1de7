package durable

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	for _, data := range []string{"first", "second, longer than the first", ""} {
		if err := WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatalf("WriteFile(%q) = %v", data, err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != data {
			t.Fatalf("after WriteFile(%q): ReadFile = %q, %v", data, got, err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d names, want only the file (temporary files left behind)", len(entries))
	}
}

func TestWriteFileConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	values := []string{"aaaaaaaaaaaaaaaa", "bb", "cccccccc"}
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := WriteFile(path, []byte(values[i%len(values)]), 0o644); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, _ := os.ReadFile(path)
	for _, v := range values {
		if string(got) == v {
			return
		}
	}
	t.Errorf("file holds %q, a mix of writes", got)
}

func TestWriteFileErrors(t *testing.T) {
	if err := WriteFile(filepath.Join(t.TempDir(), "missing", "f"), nil, 0o644); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
	if err := SyncDir(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("SyncDir of a missing directory succeeded")
	}
}
