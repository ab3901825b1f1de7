package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	p := newProgressTo(&buf, 20000, now)
	p.step()
	if got, want := buf.String(), "\r\x1b[Kregistering: 1 of 20,000 files"; got != want {
		t.Errorf("after the first step: %q, want %q", got, want)
	}
	// Steps within 100 ms of the last drawing draw nothing.
	buf.Reset()
	for range 8999 {
		p.step()
	}
	if buf.Len() != 0 {
		t.Errorf("steps without time passing drew %q", buf.String())
	}
	clock = clock.Add(2 * time.Second)
	p.step()
	if got, want := buf.String(), "\r\x1b[Kregistering: 9,001 of 20,000 files, 4,500/s"; got != want {
		t.Errorf("after 2 s: %q, want %q", got, want)
	}
	buf.Reset()
	p.clear()
	p.clear()
	if got := buf.String(); got != "\r\x1b[K" {
		t.Errorf("clear twice = %q, want one erase", got)
	}
	// The last step always draws, whatever the time.
	buf.Reset()
	for range 20000 - 9001 {
		p.step()
	}
	if !strings.HasSuffix(buf.String(), "registering: 20,000 of 20,000 files, 10,000/s") {
		t.Errorf("last step drew %q", buf.String())
	}
	// A nil progress (no terminal, or --quiet) does nothing.
	var none *progress
	none.step()
	none.clear()
}

func TestThousands(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {9000, "9,000"}, {20000, "20,000"},
		{1234567, "1,234,567"}, {-1234, "-1,234"},
	} {
		if got := thousands(tc.n); got != tc.want {
			t.Errorf("thousands(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
