//go:build !unix

package witness

import "errors"

// lockState is not implemented off unix: two witness runs could not be
// serialized, so cosigning is refused.
func lockState(path string) (unlock func(), err error) {
	return nil, errors.New("cosigning as a witness is supported on unix systems only")
}
