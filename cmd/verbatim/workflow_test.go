//go:build unix

package main_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The workflow under test: an example users copy, so it must work as it is.
const workflowFile = "../../.github/workflows/audit-ledger.yml"

// workflowStep is one step of a GitHub Actions job.
type workflowStep struct {
	name, uses, shell, cond, run string
	with                         map[string]string
}

// workflowJob is the one job of the audit workflow: its env and steps.
type workflowJob struct {
	env   map[string]string // raw values, ${{ }} expressions unevaluated
	steps []workflowStep
}

// parseWorkflow extracts the job env and the steps of a workflow file with a
// single job. It reads the small subset of YAML the workflow uses (block
// mappings, a step list, `|` block scalars) and fails on anything else in a
// step, so that the test never silently skips what GitHub would run.
func parseWorkflow(text string) (*workflowJob, error) {
	lines := strings.Split(text, "\n")
	job := &workflowJob{env: map[string]string{}}
	indent := func(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }
	// block returns the lines after i indented more than ind.
	block := func(i, ind int) []string {
		var out []string
		for j := i + 1; j < len(lines); j++ {
			if strings.TrimSpace(lines[j]) != "" && indent(lines[j]) <= ind {
				break
			}
			out = append(out, lines[j])
		}
		return out
	}
	inJobs := false
	for i := 0; i < len(lines); i++ {
		l, t := lines[i], strings.TrimSpace(lines[i])
		switch {
		case l == "jobs:":
			inJobs = true
		case inJobs && t == "env:" && len(job.steps) == 0:
			for _, b := range block(i, indent(l)) {
				if k, v, ok := cutKey(b); ok {
					job.env[k] = v
				}
			}
		case inJobs && t == "steps:":
			steps, err := parseSteps(block(i, indent(l)))
			if err != nil {
				return nil, err
			}
			job.steps = steps
		}
	}
	if len(job.steps) == 0 {
		return nil, fmt.Errorf("no steps found")
	}
	return job, nil
}

// cutKey splits "  key: value # comment" into key and value.
func cutKey(line string) (string, string, bool) {
	k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
	if !ok || strings.HasPrefix(k, "#") {
		return "", "", false
	}
	v = strings.TrimSpace(v)
	if i := strings.Index(v, " #"); i >= 0 && !strings.HasPrefix(v, "\"") {
		v = strings.TrimSpace(v[:i])
	}
	return k, strings.Trim(v, "\""), true
}

func parseSteps(lines []string) ([]workflowStep, error) {
	var steps []workflowStep
	stepIndent := -1
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		ind := len(l) - len(strings.TrimLeft(l, " "))
		if strings.HasPrefix(t, "- ") {
			if stepIndent < 0 {
				stepIndent = ind
			}
			if ind == stepIndent {
				steps = append(steps, workflowStep{with: map[string]string{}})
				t = strings.TrimSpace(t[2:])
				ind += 2
			}
		}
		if len(steps) == 0 || ind != stepIndent+2 {
			return nil, fmt.Errorf("unexpected line in steps: %q", l)
		}
		s := &steps[len(steps)-1]
		k, v, _ := cutKey(t)
		switch k {
		case "name":
			s.name = v
		case "uses":
			s.uses = v
		case "shell":
			s.shell = v
		case "if":
			s.cond = v
		case "with":
			for i+1 < len(lines) && indentOf(lines[i+1]) > ind {
				i++
				if wk, wv, ok := cutKey(lines[i]); ok {
					s.with[wk] = wv
				}
			}
		case "run":
			if v != "|" {
				s.run = v + "\n"
				continue
			}
			var body []string
			bodyIndent := -1
			for i+1 < len(lines) && (strings.TrimSpace(lines[i+1]) == "" || indentOf(lines[i+1]) > ind) {
				i++
				if bodyIndent < 0 && strings.TrimSpace(lines[i]) != "" {
					bodyIndent = indentOf(lines[i])
				}
				if len(lines[i]) >= bodyIndent && bodyIndent >= 0 {
					body = append(body, lines[i][bodyIndent:])
				} else {
					body = append(body, "")
				}
			}
			s.run = strings.TrimRight(strings.Join(body, "\n"), "\n") + "\n"
		default:
			return nil, fmt.Errorf("step key %q is not understood by this test: %q", k, l)
		}
	}
	return steps, nil
}

func indentOf(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

var varsExpr = regexp.MustCompile(`^\$\{\{\s*vars\.([A-Z_]+)\s*(?:\|\|\s*'([^']*)'\s*)?\}\}$`)

// evalEnv evaluates a job env value: a literal, or ${{ vars.NAME }} with an
// optional || 'default', as GitHub would with the repository variables vars.
func evalEnv(v string, vars map[string]string) (string, error) {
	if !strings.Contains(v, "${{") {
		return v, nil
	}
	m := varsExpr.FindStringSubmatch(v)
	if m == nil {
		return "", fmt.Errorf("expression %q is not understood by this test", v)
	}
	if x := vars[m[1]]; x != "" {
		return x, nil
	}
	return m[2], nil
}

// workflowRun is what a run of the workflow gives: whether the job passed,
// and everything its steps printed.
type workflowRun struct {
	ok     bool
	failed string // the step that failed
	output string
}

// runWorkflow runs the job's steps as a GitHub runner would, on a push to
// main of the audit repository auditGit (a bare repository), with the
// repository variables vars. `uses:` steps are done by the test: the audit
// repository is cloned into the workspace, verbatim's source is this
// repository, and Go is the one on PATH.
func runWorkflow(t *testing.T, job *workflowJob, auditGit string, vars map[string]string) workflowRun {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	work, runnerTemp := filepath.Join(tmp, "workspace"), filepath.Join(tmp, "runner-temp")
	os.Mkdir(runnerTemp, 0o755)
	if out, err := exec.Command("git", "clone", "-q", auditGit, work).CombinedOutput(); err != nil {
		t.Fatalf("cloning the audit repository: %v\n%s", err, out)
	}
	ghEnv, ghPath := filepath.Join(tmp, "github-env"), filepath.Join(tmp, "github-path")
	env := map[string]string{}
	for k, v := range job.env {
		if env[k], err = evalEnv(v, vars); err != nil {
			t.Fatal(err)
		}
	}
	path := os.Getenv("PATH")
	// verbatim must come from the workflow's build step, not the test's build.
	path = strings.ReplaceAll(path, binDir+string(filepath.ListSeparator), "")
	var run workflowRun
	for _, s := range job.steps {
		switch {
		case strings.HasPrefix(s.uses, "actions/checkout@") && s.with["path"] == "":
			continue // the audit repository: cloned above
		case strings.HasPrefix(s.uses, "actions/checkout@") && s.with["repository"] == "verbatim-ledger/verbatim":
			if err := os.Symlink(root, filepath.Join(work, s.with["path"])); err != nil {
				t.Fatal(err)
			}
			continue
		case strings.HasPrefix(s.uses, "actions/setup-go@"):
			continue
		case s.uses != "":
			t.Fatalf("step uses %s, which this test cannot do", s.uses)
		}
		if s.cond != "" && s.cond != "github.ref == 'refs/heads/main'" {
			t.Fatalf("step %q: condition %q is not understood by this test", s.name, s.cond)
		}
		script := filepath.Join(tmp, "step.sh")
		os.WriteFile(script, []byte(s.run), 0o644)
		os.WriteFile(ghEnv, nil, 0o644)
		os.WriteFile(ghPath, nil, 0o644)
		// GitHub's shells: `shell: bash` is bash with pipefail; none is bash -e.
		args := []string{"-e", script}
		if s.shell == "bash" {
			args = []string{"--noprofile", "--norc", "-eo", "pipefail", script}
		} else if s.shell != "" {
			t.Fatalf("step %q: shell %q is not understood by this test", s.name, s.shell)
		}
		cmd := exec.Command("bash", args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "PATH="+path, "RUNNER_TEMP="+runnerTemp, "GITHUB_WORKSPACE="+work,
			"GITHUB_ENV="+ghEnv, "GITHUB_PATH="+ghPath, "GITHUB_REF=refs/heads/main")
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		run.output += fmt.Sprintf("== %s\n%s", s.name, out)
		if err != nil {
			run.failed = s.name
			return run
		}
		for _, l := range readLines(t, ghEnv) {
			if k, v, ok := strings.Cut(l, "="); ok {
				env[k] = v
			}
		}
		for _, l := range readLines(t, ghPath) {
			path = l + string(filepath.ListSeparator) + path
		}
	}
	run.ok = true
	return run
}

func readLines(t *testing.T, name string) []string {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sc.Text() != "" {
			lines = append(lines, sc.Text())
		}
	}
	return lines
}

// TestAuditWorkflow runs the example workflow's steps against real ledgers:
// the first run verifies and saves a checkpoint, an honest append passes and
// saves the new one, and a rollback, a fork, another root key and an unset
// or blank fingerprint fail the job and leave the saved checkpoint as it was.
func TestAuditWorkflow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds verbatim and runs git: not in -short")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	text, err := os.ReadFile(workflowFile)
	if err != nil {
		t.Fatal(err)
	}
	job, err := parseWorkflow(string(text))
	if err != nil {
		t.Fatalf("%s: %v", workflowFile, err)
	}
	dir := t.TempDir()
	t.Setenv("VERBATIM_PASSWORD", "pw")
	t.Setenv("VERBATIM_LEDGER", "")
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	sh := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	vb := filepath.Join(binDir, "verbatim")
	for _, f := range []string{"one", "two", "three", "four"} {
		os.WriteFile(filepath.Join(dir, f+".txt"), []byte("document "+f+"\n"), 0o644)
	}
	sh(vb, "keys", "generate", "--output", "root")
	sh(vb, "keys", "generate", "--output", "other")
	fp := sh(vb, "keys", "fingerprint", "root.pub")
	otherFP := sh(vb, "keys", "fingerprint", "other.pub")
	sh(vb, "init", "--ledger", "ledger.git", "--name", "archive.example.org/letters", "--key", "root.key")
	sh(vb, "register", "--ledger", "ledger.git", "one.txt", "--key", "root.key")

	// The audit repository: a bare one that the save step pushes to.
	sh("git", "init", "-q", "--bare", "-b", "main", "audit.git")
	sh("git", "clone", "-q", "audit.git", "seed")
	os.WriteFile(filepath.Join(dir, "seed", "README"), []byte("audit state\n"), 0o644)
	sh("git", "-C", "seed", "add", "README")
	sh("git", "-C", "seed", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "start")
	sh("git", "-C", "seed", "push", "-q", "origin", "main")
	auditGit := filepath.Join(dir, "audit.git")
	saved := func() string { // the size in the saved checkpoint, or ""
		out, err := exec.Command("git", "-C", auditGit, "show", "main:audit/last.checkpoint").Output()
		if err != nil {
			return ""
		}
		return strings.Split(string(out), "\n")[1]
	}
	vars := map[string]string{
		"VERBATIM_LEDGER_URL":       filepath.Join(dir, "ledger.git"),
		"VERBATIM_ROOT_FINGERPRINT": fp,
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for k, v := range vars {
			m[k] = v
		}
		m[k] = v
		return m
	}
	pass := func(what string, vars map[string]string, wantSize string) {
		t.Helper()
		r := runWorkflow(t, job, auditGit, vars)
		if !r.ok {
			t.Fatalf("%s: the job failed in step %q; want it to pass\n%s", what, r.failed, r.output)
		}
		if got := saved(); got != wantSize {
			t.Fatalf("%s: saved checkpoint of %q entries, want %s\n%s", what, got, wantSize, r.output)
		}
	}
	fail := func(what string, vars map[string]string, wantStep, wantOutput string) {
		t.Helper()
		before := saved()
		r := runWorkflow(t, job, auditGit, vars)
		if r.ok || r.failed != wantStep || !strings.Contains(r.output, wantOutput) {
			t.Fatalf("%s: ok %v, failed in step %q; want a failure in %q saying %q\n%s", what, r.ok, r.failed, wantStep, wantOutput, r.output)
		}
		if got := saved(); got != before {
			t.Fatalf("%s: the saved checkpoint changed from %q to %q entries", what, before, got)
		}
	}

	pass("first run", vars, "2")
	sh(vb, "register", "--ledger", "ledger.git", "two.txt", "three.txt", "--key", "root.key")
	pass("honest append", vars, "4")

	head := sh("git", "-C", "ledger.git", "rev-parse", "main")
	sh("git", "-C", "ledger.git", "update-ref", "refs/heads/main", "main~1")
	fail("rollback", vars, "Audit against the last checkpoint", `"code": "rollback"`)
	sh("git", "-C", "ledger.git", "update-ref", "refs/heads/main", head)

	sh(vb, "init", "--ledger", "fork.git", "--name", "archive.example.org/letters", "--key", "root.key")
	sh(vb, "register", "--ledger", "fork.git", "one.txt", "two.txt", "four.txt", "--key", "root.key")
	fail("fork", with("VERBATIM_LEDGER_URL", filepath.Join(dir, "fork.git")), "Audit against the last checkpoint", `"code": "fork"`)

	fail("another root key", with("VERBATIM_ROOT_FINGERPRINT", otherFP), "Audit against the last checkpoint", "not the pinned key")
	fail("unset fingerprint", with("VERBATIM_ROOT_FINGERPRINT", ""), "Check the configuration", "VERBATIM_ROOT_FINGERPRINT")
	fail("blank fingerprint", with("VERBATIM_ROOT_FINGERPRINT", "  "), "Check the configuration", "VERBATIM_ROOT_FINGERPRINT")

	// The runs wrote nothing to the ledger: it still verifies.
	sh(vb, "verify", "--ledger", "ledger.git", "--trust", fp)
}
