//go:build !unix

package ledger

import "errors"

// lock is not implemented off unix: writers could not be serialized.
func (r *repo) lock() (unlock func(), err error) {
	return nil, errors.New("writing a ledger is supported on unix systems only")
}
