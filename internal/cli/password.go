package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

// errNoPassword is returned when no password source is available.
var errNoPassword = errors.New("no password: set VERBATIM_PASSWORD, or run verbatim in a terminal to be asked")

// password returns the key password from VERBATIM_PASSWORD, else from a
// prompt on the terminal (twice when confirm is set). It never reads a flag.
func (e *env) password(prompt string, confirm bool) ([]byte, error) {
	if pw := e.getenv("VERBATIM_PASSWORD"); pw != "" {
		return []byte(pw), nil
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil || !term.IsTerminal(int(tty.Fd())) {
		if tty != nil {
			tty.Close()
		}
		return nil, errNoPassword
	}
	defer tty.Close()
	read := func(p string) ([]byte, error) {
		fmt.Fprint(tty, p)
		pw, err := term.ReadPassword(int(tty.Fd()))
		fmt.Fprintln(tty)
		return pw, err
	}
	pw, err := read("Enter " + prompt + ": ")
	if err != nil {
		return nil, fmt.Errorf("reading password: %w", err)
	}
	if confirm {
		again, err := read("Enter the " + strings.TrimPrefix(prompt, "the ") + " again: ")
		if err != nil {
			return nil, fmt.Errorf("reading password: %w", err)
		}
		if !bytes.Equal(pw, again) {
			return nil, inputErr(errors.New("the passwords do not match"))
		}
	}
	return pw, nil
}
