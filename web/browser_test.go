package web

// End-to-end tests in a real headless browser (Debian's chromium, driven by
// chromedp): the verify page's server answer, and the client-side bundle
// check with the server stopped. With -screenshots they also save the
// README's screenshots into docs/screenshots/.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/verbatim-ledger/verbatim/bundle"
	"github.com/verbatim-ledger/verbatim/keys"
	"github.com/verbatim-ledger/verbatim/ledger"
)

var screenshots = flag.Bool("screenshots", false, "save screenshots of the main pages into docs/screenshots/")

// browser starts headless chromium, or skips the test loudly if it is not
// installed.
func browser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Skip("WARNING: chromium not installed: apt-get install chromium. SKIPPING the browser tests of verbatim serve")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1200, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func attr(t *testing.T, ctx context.Context, id, name string) string {
	t.Helper()
	r, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID(id), name))
	if err != nil {
		t.Fatalf("attribute %s of #%s: %v", name, id, err)
	}
	return r.Value
}

func text(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.ID(id)))
	if err != nil {
		t.Fatalf("text of #%s: %v", id, err)
	}
	return s
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if !*screenshots {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "docs", "screenshots")
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBrowserVerifyPage(t *testing.T) {
	ctx := browser(t)
	dir := testLedger(t, keys.ECDSAP256, testDocs(t))
	_, ts := newTestServer(t, dir, Options{})
	letterText := string(letter(t))

	if *screenshots {
		run(t, ctx, "overview", chromedp.Navigate(ts.URL+"/"))
		screenshot(t, ctx, "overview")
		run(t, ctx, "version page", chromedp.Navigate(ts.URL+"/doc/prisoners-letter-2016-fa/1"))
		screenshot(t, ctx, "version-rtl")
	}
	for _, tc := range []struct {
		name, text, match, heading string
	}{
		{"the letter", letterText, "exact", "Registered"},
		{"an altered copy", strings.Replace(letterText, "30,000", "3,000", 1), "nearest", "The nearest registered version is prisoners-letter-2016 version 1"},
		{"an unrelated text", "The allotment committee meets on Thursday to plan the spring planting.", "none", "Not registered"},
	} {
		run(t, ctx, "paste "+tc.name,
			chromedp.Navigate(ts.URL+"/verify"),
			chromedp.SetValue(chromedp.ID("text"), tc.text),
			chromedp.Click(chromedp.ID("ask-button")),
			chromedp.WaitVisible(chromedp.ID("answer")))
		if got := attr(t, ctx, "answer", "data-match"); got != tc.match {
			t.Errorf("%s: answer %q, want %q", tc.name, got, tc.match)
		}
		if got := text(t, ctx, "answer"); !strings.Contains(got, tc.heading) {
			t.Errorf("%s: the answer says %q, want %q", tc.name, got, tc.heading)
		}
		if tc.match == "exact" {
			screenshot(t, ctx, "verify-answer")
		}
		if tc.match == "nearest" {
			// The changed word, as the registered version and the copy have it.
			del, err1 := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("#answer del")))
			ins, err2 := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("#answer ins")))
			if err1 != nil || err2 != nil {
				t.Fatalf("reading the diff: %v, %v", err1, err2)
			}
			if del != "30,000" || ins != "3,000" {
				t.Errorf("%s: the diff shows %q → %q, want 30,000 → 3,000", tc.name, del, ins)
			}
		}
	}
}

// bundleCase is one bundle the page checks in the browser.
type bundleCase struct {
	name   string
	doc    []byte
	bundle []byte
	trust  string // a fingerprint or a PEM key
	ok     bool
	want   string // in the answer
}

func TestBrowserBundleOffline(t *testing.T) {
	ctx := browser(t)
	dir := testLedger(t, keys.ECDSAP256, testDocs(t))
	_, ts := newTestServer(t, dir, Options{})
	cases := bundleCases(t, dir)

	run(t, ctx, "load the verify page", chromedp.Navigate(ts.URL+"/verify"), chromedp.WaitVisible(chromedp.ID("offline-form")))
	// Cut the server off: everything below runs in the page alone.
	ts.CloseClientConnections()
	ts.Close()
	offline, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch('/api/ledger').then(() => 'reachable', () => 'offline')`,
		chromedp.EvalAwaitPromise))
	if err != nil || offline != "offline" {
		t.Fatalf("the server is still reachable from the page (%q, %v)", offline, err)
	}
	tmp := t.TempDir()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			docPath := filepath.Join(tmp, fmt.Sprint(i), "document.txt")
			os.Mkdir(filepath.Dir(docPath), 0o755)
			if err := os.WriteFile(docPath, tc.doc, 0o644); err != nil {
				t.Fatal(err)
			}
			run(t, ctx, "check the bundle",
				chromedp.Evaluate[chromedp.Void](`document.getElementById('offline-result').replaceChildren()`),
				chromedp.SetValue(chromedp.ID("fp"), tc.trust),
				chromedp.SetUploadFiles(chromedp.ID("doc-file"), []string{docPath}),
				chromedp.SetValue(chromedp.ID("bundle-text"), string(tc.bundle)),
				chromedp.Click(chromedp.ID("offline-check")),
				chromedp.WaitVisible(chromedp.ID("offline-answer")))
			got, answer := attr(t, ctx, "offline-answer", "data-result"), text(t, ctx, "offline-answer")
			if want := map[bool]string{true: "verified", false: "failed"}[tc.ok]; got != want {
				t.Errorf("result %q, want %q: %s", got, want, answer)
			}
			if !strings.Contains(answer, tc.want) {
				t.Errorf("the answer %q does not say %q", answer, tc.want)
			}
			if !strings.Contains(answer, "Taken from the server: only this page and its script") {
				t.Errorf("the answer does not say what came from the server: %q", answer)
			}
			if tc.name == "ECDSA letter" {
				screenshot(t, ctx, "verify-offline")
			}
		})
	}
}

// bundleCases are bundles made by the Go code, good and altered; the Go
// verifier must agree with the browser on each.
func bundleCases(t *testing.T, ecdsaDir string) []bundleCase {
	edDir := testLedger(t, keys.Ed25519, testDocs(t))
	ecFP := string(testKey(t, keys.ECDSAP256).Public().Fingerprint())
	edFP := string(testKey(t, keys.Ed25519).Public().Fingerprint())
	letterV1, letterV2 := testDocs(t)[0].Content, testDocs(t)[3].Content
	good := makeBundle(t, ecdsaDir, "prisoners-letter-2016", 1)
	alterSig := func(b map[string]any) {
		alterEnvelope(t, b, func(env map[string]any) {
			sig := env["signatures"].([]any)[0].(map[string]any)
			sig["sig"] = flipB64(t, sig["sig"].(string))
		})
	}
	alterStatement := func(b map[string]any) {
		alterEnvelope(t, b, func(env map[string]any) {
			p, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
			p = bytes.Replace(p, []byte("Paris conference"), []byte("Paris Conference"), 1)
			env["payload"] = base64.StdEncoding.EncodeToString(p)
		})
	}
	cases := []bundleCase{
		{"ECDSA letter", letterV1, good, ecFP, true, "prisoners-letter-2016 version 1"},
		{"ECDSA last entry", letterV2, makeBundle(t, ecdsaDir, "prisoners-letter-2016", 2), ecFP, true, "version 2"},
		{"Ed25519 Persian text", []byte(faText), makeBundle(t, edDir, "prisoners-letter-2016-fa", 1), edFP, true, "prisoners-letter-2016-fa version 1"},
		{"trust given as a PEM key", letterV1, good, string(testKey(t, keys.ECDSAP256).Public().PEM()), true, "registered"},
		{"another trusted key", letterV1, good, edFP, false, "is not the key you trust"},
		{"altered document", bytes.Replace(letterV1, []byte("30,000"), []byte("3,000"), 1), good, ecFP, false, "the document is not the registered version"},
		{"altered envelope signature", letterV1, alterBundle(t, good, alterSig), ecFP, false, "signature does not verify"},
		{"altered statement", letterV1, alterBundle(t, good, alterStatement), ecFP, false, "signature does not verify"},
		{"altered inclusion hash", letterV1, alterBundle(t, good, func(b map[string]any) {
			h := b["inclusion"].(map[string]any)["hashes"].([]any)
			h[0] = flipB64(t, h[0].(string))
		}), ecFP, false, "inclusion proof does not lead"},
		{"altered checkpoint", letterV1, alterBundle(t, good, func(b map[string]any) {
			b["checkpoint"] = strings.Replace(b["checkpoint"].(string), "\n5\n", "\n6\n", 1)
		}), ecFP, false, "checkpoint's signature does not verify"},
		{"other entry claimed", letterV1, alterBundle(t, good, func(b map[string]any) { b["entry"] = 2 }), ecFP, false, "the bundle claims entry 2"},
		{"unknown field", letterV1, alterBundle(t, good, func(b map[string]any) { b["trust"] = "me" }), ecFP, false, "unknown field"},
		// What a lax decoder or WebCrypto alone would accept, and Go refuses.
		{"envelope signature in its high-S twin", letterV1, alterBundle(t, good, func(b map[string]any) {
			alterEnvelope(t, b, func(env map[string]any) {
				sig := env["signatures"].([]any)[0].(map[string]any)
				sig["sig"] = highS(t, sig["sig"].(string))
			})
		}), ecFP, false, "signature does not verify"},
		{"inclusion hash not canonical base64", letterV1, alterBundle(t, good, func(b map[string]any) {
			h := b["inclusion"].(map[string]any)["hashes"].([]any)
			h[0] = nonCanonical(t, h[0].(string))
		}), ecFP, false, "not canonical"},
		{"publicKey not canonical PEM", letterV1, alterBundle(t, good, func(b map[string]any) {
			b["publicKey"] = strings.TrimSuffix(b["publicKey"].(string), "\n")
		}), ecFP, false, "not the canonical PEM"},
	}
	cases = append(cases, keyBundleCases(t)...)
	for _, c := range cases {
		fp := c.trust
		if k, err := keys.ParsePublicKey([]byte(fp)); err == nil {
			fp = string(k.Fingerprint())
		}
		b, err := bundle.Parse(c.bundle)
		if err == nil {
			_, err = b.Verify(c.doc, keys.Fingerprint(fp))
		}
		if (err == nil) != c.ok {
			t.Fatalf("%s: the Go verifier says %v, the test expects ok=%v", c.name, err, c.ok)
		}
	}
	return cases
}

func makeBundle(t *testing.T, dir, id string, v uint64) []byte {
	t.Helper()
	l, err := ledger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ver, err := l.Lookup(id, v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Bundle(ver)
	if err != nil {
		t.Fatal(err)
	}
	return b.Marshal()
}

// alterBundle decodes a bundle, lets f change it and encodes it again.
func alterBundle(t *testing.T, b []byte, f func(map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// alterEnvelope changes the envelope inside a bundle, keeping it canonical.
func alterEnvelope(t *testing.T, b map[string]any, f func(env map[string]any)) {
	raw, _ := base64.StdEncoding.DecodeString(b["envelope"].(string))
	var env map[string]any
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	f(env)
	sig := env["signatures"].([]any)[0].(map[string]any)
	canon := `{"payloadType":"` + env["payloadType"].(string) + `","payload":"` + env["payload"].(string) +
		`","signatures":[{"keyid":"` + sig["keyid"].(string) + `","sig":"` + sig["sig"].(string) + `"}]}`
	b["envelope"] = base64.StdEncoding.EncodeToString([]byte(canon))
}

// flipB64 changes one bit of a base64 value's last decoded byte.
func flipB64(t *testing.T, s string) string {
	d, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	d[len(d)-1] ^= 1
	return base64.StdEncoding.EncodeToString(d)
}
