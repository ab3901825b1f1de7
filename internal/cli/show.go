package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/internal/report"
	"github.com/verbatim-ledger/verbatim/ledger"
	"github.com/verbatim-ledger/verbatim/records"
)

type showOptions struct {
	envelope, record bool
}

func newShowCmd(e *env) *cobra.Command {
	var o showOptions
	cmd := &cobra.Command{
		Use:   "show ID[@VERSION] [--envelope | --record]",
		Short: "Write a registered version's bytes (checked against their signed hash) to stdout",
		Args:  exactArgs(1, "show needs one ID or ID@VERSION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runShow(e, o, args[0])
		},
	}
	cmd.Flags().BoolVar(&o.envelope, "envelope", false, "write the version's signed DSSE envelope instead")
	cmd.Flags().BoolVar(&o.record, "record", false, "write the version's decoded in-toto statement instead")
	return cmd
}

// parseRef splits ID[@VERSION]; version 0 means the latest.
func parseRef(ref string) (string, uint64, error) {
	id, ver, found := strings.Cut(ref, "@")
	if err := records.CheckDocID(id); err != nil {
		return "", 0, usageErr(err)
	}
	if !found {
		return id, 0, nil
	}
	v, err := strconv.ParseUint(ver, 10, 64)
	if err != nil || v == 0 || ver[0] == '0' {
		return "", 0, usagef("%q: the version after @ must be a number from 1", ref)
	}
	return id, v, nil
}

// openVersion opens the ledger and finds ID[@VERSION] in it.
func (e *env) openVersion(ref string) (*ledger.Ledger, *ledger.Version, error) {
	id, ver, err := parseRef(ref)
	if err != nil {
		return nil, nil, err
	}
	l, err := ledger.Open(e.dir())
	if err != nil {
		return nil, nil, err
	}
	v, err := l.Lookup(id, ver)
	if err != nil {
		l.Close()
		return nil, nil, &detailError{err: err, doc: id, version: ver}
	}
	return l, v, nil
}

func runShow(e *env, o showOptions, ref string) error {
	if o.envelope && o.record {
		return usagef("give --envelope or --record, not both")
	}
	l, v, err := e.openVersion(ref)
	if err != nil {
		return err
	}
	defer l.Close()
	switch {
	case o.envelope:
		if err := l.VerifyVersion(v); err != nil {
			return err
		}
		raw, err := l.Envelope(v.Entry)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(append(raw, '\n'))
		return err
	case o.record:
		if err := l.VerifyVersion(v); err != nil {
			return err
		}
		st, err := l.Statement(v.Entry)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(st)
	}
	data, err := l.Content(v)
	if errors.Is(err, ledger.ErrWithheld) {
		return &failure{fmt.Sprintf("content withheld: %s version %d was registered hash-only; the ledger records its digests (sha256 %s), not its bytes; --record shows the signed statement", v.Doc, v.Version, v.SHA256)}
	}
	if err != nil {
		return err
	}
	if e.jsonOut {
		return e.printJSON(map[string]any{
			"doc": v.Doc, "version": v.Version, "entry": v.Entry, "sha256": v.SHA256,
			"size": v.Size, "media_type": v.MediaType, "content_base64": b64(data), "text_sha256": v.TextSHA256,
			"translation_of": report.TranslationRef(v),
		})
	}
	_, err = e.stdout.Write(data)
	return err
}
