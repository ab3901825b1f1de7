//go:build !unix

package gitstore

import "errors"

// Lock is not implemented off unix: writers could not be serialized.
func (s *Store) Lock() (unlock func(), err error) {
	return nil, errors.New("writing a ledger is supported on unix systems only")
}
