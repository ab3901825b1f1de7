package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/verbatim-ledger/verbatim/web"
)

type serveOptions struct {
	addr       string
	maxBody    string
	checkEvery time.Duration
}

func newServeCmd(e *env) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve [--addr HOST:PORT] [--max-body SIZE]",
		Short: "Serve a read-only web page and JSON API to browse the ledger and verify texts",
		Long: `Serve starts a read-only HTTP server over the ledger: its overview, documents,
histories and versions (with downloads of the exact bytes, the signed envelope
and an offline proof bundle), a page to verify a text, and a JSON API under
/api/ (docs/API.md). The verify page also checks a proof bundle entirely in
the browser, against a key fingerprint the reader gives.

The ledger is never written. A git pull into it is picked up without a
restart. It listens on 127.0.0.1:8080 unless --addr says otherwise; put a
TLS-terminating proxy in front of it to serve it to others. Ctrl-C stops it.`,
		Args: noArgs("serve"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVar(&o.addr, "addr", "127.0.0.1:8080", "the address to listen on, HOST:PORT (port 0 picks a free one)")
	cmd.Flags().StringVar(&o.maxBody, "max-body", "20MiB", "the largest upload accepted: bytes, or a number with KiB, MiB or GiB")
	cmd.Flags().DurationVar(&o.checkEvery, "check-every", time.Second, "how often to look for new entries (a git pull)")
	return cmd
}

func runServe(ctx context.Context, e *env, o serveOptions) error {
	maxBody, err := parseSize(o.maxBody)
	if err != nil {
		return usagef("--max-body %q: %v", o.maxBody, err)
	}
	if err := checkAddr(o.addr); err != nil {
		return usagef("--addr %q: %v; give HOST:PORT, such as 127.0.0.1:8080", o.addr, err)
	}
	if o.checkEvery < 0 {
		return usagef("--check-every must not be negative")
	}
	srv, err := web.New(web.Options{Dir: e.dir(), MaxBody: maxBody, CheckEvery: o.checkEvery,
		Logf: func(f string, a ...any) { fmt.Fprintf(e.stderr, "verbatim serve: "+f+"\n", a...) }})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return usagef("cannot listen on %s: the address is in use; stop the other server or choose another --addr", o.addr)
		}
		return usagef("cannot listen on %s: %v", o.addr, unwrapNet(err))
	}
	hs := srv.HTTPServer(o.addr)
	e.printf("serving ledger %s (%d entries), read-only, at http://%s/\n", srv.Name(), srv.Size(), ln.Addr())
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		fmt.Fprintf(e.stderr, "verbatim serve: listening beyond this computer (%s): anyone who reaches it can read the ledger\n", ip)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hs.Shutdown(shutdown)
	e.printf("stopped\n")
	return nil
}

// checkAddr checks that addr is HOST:PORT with a port number.
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return unwrapNet(err)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || strconv.FormatUint(n, 10) != port {
		return fmt.Errorf("the port %q is not a number from 0 to 65535", port)
	}
	return nil
}

// unwrapNet drops the "address X:" prefix net errors repeat.
func unwrapNet(err error) error {
	var ae *net.AddrError
	if errors.As(err, &ae) {
		return errors.New(ae.Err)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}

// parseSize reads a byte count: digits, optionally followed by KiB, MiB or GiB.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if rest, ok := strings.CutSuffix(s, suffix); ok {
			s, mult = rest, m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, errors.New("give a positive number of bytes, or a number with KiB, MiB or GiB (at most 1 TiB)")
	}
	return n * mult, nil
}
