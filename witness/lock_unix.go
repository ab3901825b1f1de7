//go:build unix

package witness

import (
	"fmt"
	"os"
	"syscall"
)

// lockState takes an exclusive lock on the state file at path, waiting for
// another witness process to finish. The lock is on path.lock, which is
// never removed (removing it would let two processes hold "the" lock at
// once); the kernel releases it if the process dies.
func lockState(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking witness state: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking witness state %s: %w", path, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
