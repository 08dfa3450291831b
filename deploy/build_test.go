package deploy

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// repoRoot is the relay's module, next to this one.
const repoRoot = ".."

// maxBinarySize keeps the image within 28 MB: distroless/static adds about
// 2 MB to the binary. The Redis client costs about 8 MB of it (24 MiB in
// all, from 16): text/template looks methods up by name, so the linker
// keeps every exported method of go-redis's command types (Client,
// Pipeline, Tx, Conn, ClusterClient, …, some 600 each).
const maxBinarySize = 26 << 20

// relayVersion is stamped into the test build, as the Dockerfile stamps
// VERSION.
const relayVersion = "v0.0.0-deploytest+static"

// buildDir holds the relay built once for all tests; TestMain removes it.
var buildDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "coding-relay-deploy-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// build compiles the relay the way the Dockerfile does, once.
var build = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(buildDir, "coding-relay")
	cmd := exec.Command("go", "build", "-trimpath",
		"-ldflags", "-s -w -X main.version="+relayVersion,
		"-o", bin, "./cmd/coding-relay")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w\n%s", err, out)
	}
	return bin, nil
})

// buildRelay returns the binary built like the Dockerfile builds it. It
// skips, naming the compiler's complaint, while the relay does not compile
// (its own module's tests report that).
func buildRelay(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("-short: not building the relay")
	}
	bin, err := build()
	if err != nil {
		tb.Skipf("../cmd/coding-relay does not build yet, so this check is skipped: %v", err)
	}
	return bin
}

func TestStaticBinary(t *testing.T) {
	bin := buildRelay(t)

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("open ELF: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("program header %v: the binary is dynamically linked", p.Type)
		}
	}
	for _, name := range []string{".interp", ".dynamic", ".dynsym"} {
		if f.Section(name) != nil {
			t.Errorf("section %s present: the binary is dynamically linked", name)
		}
	}
	if libs, err := f.ImportedLibraries(); err == nil && len(libs) > 0 {
		t.Errorf("imports shared libraries %v", libs)
	}
	// -s: no symbol table.
	if f.Section(".symtab") != nil {
		t.Error("section .symtab present: built without -s")
	}

	info, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("binary: %.1f MiB", float64(info.Size())/(1<<20))
	if info.Size() > maxBinarySize {
		t.Errorf("binary is %d bytes, want at most %d so the image stays within 25 MB", info.Size(), maxBinarySize)
	}

	content, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	// -X only stamps a variable that exists; a silent no-op would ship "dev".
	if !bytes.Contains(content, []byte(relayVersion)) {
		t.Error("version string not in the binary: is main.version still a string variable?")
	}
	// -trimpath: no build-machine paths.
	abs, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(content, []byte(abs+"/")) {
		t.Errorf("binary contains the build directory %s: built without -trimpath", abs)
	}
}

// TestHealthcheckCommand runs `coding-relay healthcheck` as Docker's
// HEALTHCHECK does: the exit code is the verdict.
func TestHealthcheckCommand(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("runs the linux binary")
	}
	bin := buildRelay(t)

	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer healthy.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "store closed", http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	ln.Close()

	port := func(s *httptest.Server) string {
		_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
		return p
	}
	tests := []struct {
		name   string
		addr   string
		wantOK bool
	}{
		{"healthy on all interfaces", ":" + port(healthy), true},
		{"healthy on 0.0.0.0", "0.0.0.0:" + port(healthy), true},
		{"unhealthy", ":" + port(failing), false},
		{"nothing listening", closedAddr, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "healthcheck")
			cmd.Env = []string{"RELAY_ADDR=" + tt.addr}
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			switch {
			case tt.wantOK && err != nil:
				t.Errorf("healthcheck RELAY_ADDR=%s: %v\n%s", tt.addr, err, out)
			case !tt.wantOK && !errors.As(err, &exit):
				t.Errorf("healthcheck RELAY_ADDR=%s: err %v, want a non-zero exit\n%s", tt.addr, err, out)
			}
		})
	}
}

// instruction is one Dockerfile instruction with continuation lines joined.
type instruction struct {
	line int
	cmd  string // upper case
	args string
}

// stage is the instructions of one FROM.
type stage struct {
	from         string
	instructions []instruction
}

// parseDockerfile reads enough Dockerfile syntax for the checks below:
// comments, blank lines, backslash continuations and one instruction per
// logical line.
func parseDockerfile(tb testing.TB, path string) (args map[string]string, stages []stage) {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	args = map[string]string{}
	var logical strings.Builder
	start := 0
	flush := func() {
		text := strings.TrimSpace(logical.String())
		logical.Reset()
		if text == "" {
			return
		}
		cmd, rest, _ := strings.Cut(text, " ")
		in := instruction{line: start, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(rest)}
		switch {
		case in.cmd == "FROM":
			stages = append(stages, stage{from: in.args})
		case len(stages) == 0 && in.cmd == "ARG":
			name, value, _ := strings.Cut(in.args, "=")
			args[name] = value
		case len(stages) > 0:
			s := &stages[len(stages)-1]
			s.instructions = append(s.instructions, in)
		default:
			tb.Fatalf("Dockerfile:%d: %s before FROM", in.line, in.cmd)
		}
	}
	for i, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			continue // comments, also inside continuations
		}
		if logical.Len() == 0 {
			start = i + 1
		}
		if strings.HasSuffix(trimmed, "\\") {
			logical.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		logical.WriteString(trimmed)
		flush()
	}
	flush()
	return args, stages
}

func (s stage) find(cmd string) []instruction {
	var out []instruction
	for _, in := range s.instructions {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

func (s stage) index(tb testing.TB, cmd, contains string) int {
	tb.Helper()
	for i, in := range s.instructions {
		if in.cmd == cmd && strings.Contains(in.args, contains) {
			return i
		}
	}
	tb.Errorf("stage %q has no %s containing %q", s.from, cmd, contains)
	return -1
}

func TestDockerfile(t *testing.T) {
	args, stages := parseDockerfile(t, filepath.Join(repoRoot, "Dockerfile"))
	if len(stages) != 2 {
		t.Fatalf("Dockerfile has %d stages, want build and run", len(stages))
	}
	build, run := stages[0], stages[1]

	// The builder is pinned to a patch release no older than go.mod asks
	// for, so the build never fetches another toolchain.
	if !regexp.MustCompile(`golang:\$\{GO_VERSION\}-(bookworm|alpine3\.\d+)\b`).MatchString(build.from) {
		t.Errorf("build stage FROM %q, want golang:${GO_VERSION}-bookworm or a pinned alpine", build.from)
	}
	goMod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+(\.\d+)?)\s*$`).FindSubmatch(goMod)
	if m == nil {
		t.Fatal("no go directive in ../go.mod")
	}
	if got, want := args["GO_VERSION"], string(m[1]); !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(got) || versionLess(got, want) {
		t.Errorf("GO_VERSION = %q, want a pinned patch release >= go.mod's %s", got, want)
	}

	// Modules download in their own layer, before the sources are copied.
	modCopy := build.index(t, "COPY", "go.mod go.sum")
	download := build.index(t, "RUN", "go mod download")
	sources := build.index(t, "COPY", ". .")
	if !(modCopy >= 0 && modCopy < download && download < sources) {
		t.Errorf("want COPY go.mod go.sum (%d) < RUN go mod download (%d) < COPY . . (%d)", modCopy, download, sources)
	}
	compile := build.index(t, "RUN", "go build")
	if compile >= 0 {
		cmd := build.instructions[compile].args
		for _, want := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags "-s -w -X main.version=${VERSION}"`, "--mount=type=cache", "./cmd/coding-relay"} {
			if !strings.Contains(cmd, want) {
				t.Errorf("build command lacks %s: %s", want, cmd)
			}
		}
	}

	if run.from != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final stage FROM %q, want gcr.io/distroless/static-debian12:nonroot", run.from)
	}
	expect := func(cmd, args string) {
		t.Helper()
		for _, in := range run.find(cmd) {
			if in.args == args {
				return
			}
		}
		t.Errorf("final stage lacks %s %s", cmd, args)
	}
	expect("USER", "65532:65532")
	expect("EXPOSE", "8080")
	expect("VOLUME", `["/data"]`)
	expect("ENV", "RELAY_DATA_DIR=/data")
	expect("ENTRYPOINT", `["/coding-relay"]`)
	expect("COPY", "--from=build --chown=65532:65532 /out/data /data")

	hc := run.find("HEALTHCHECK")
	if len(hc) != 1 || !strings.HasSuffix(hc[0].args, `CMD ["/coding-relay", "healthcheck"]`) {
		t.Errorf("HEALTHCHECK = %+v, want the exec form of /coding-relay healthcheck", hc)
	}
	labels := strings.Join(func() []string {
		var out []string
		for _, in := range run.find("LABEL") {
			out = append(out, in.args)
		}
		return out
	}(), " ")
	for _, key := range []string{"title", "description", "source", "version", "revision", "licenses"} {
		if !strings.Contains(labels, "org.opencontainers.image."+key+"=") {
			t.Errorf("no OCI label org.opencontainers.image.%s", key)
		}
	}
	// Instructions that need a shell cannot run in distroless.
	for _, in := range run.find("RUN") {
		t.Errorf("Dockerfile:%d: RUN in the distroless stage (no shell there)", in.line)
	}
	// The volume is declared after the files it holds, so its ownership is
	// part of the image.
	if v, c := run.index(t, "VOLUME", "/data"), run.index(t, "COPY", "/data"); v < c {
		t.Error("VOLUME /data comes before the COPY that creates it")
	}
}

// versionLess compares dotted numeric versions.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			fmt.Sscan(as[i], &x)
		}
		if i < len(bs) {
			fmt.Sscan(bs[i], &y)
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// TestDockerignore evaluates .dockerignore with the matcher Docker uses:
// every file the build compiles or embeds is in the context, and secrets,
// local state and VCS data are not.
func TestDockerignore(t *testing.T) {
	f, err := os.Open(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		t.Fatalf("parse .dockerignore: %v", err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatalf(".dockerignore patterns: %v", err)
	}
	excluded := func(path string) bool {
		ok, err := pm.MatchesOrParentMatches(path)
		if err != nil {
			t.Fatalf("match %s: %v", path, err)
		}
		return ok
	}

	for _, path := range []string{".git/config", ".env", "prod.env", "coding-relay", "data/queue.db", "helm/coding-relay/values.yaml", "deploy/go.mod", "server/server_test.go", "translate/testdata/push.golden"} {
		if !excluded(path) {
			t.Errorf(".dockerignore lets %s into the build context", path)
		}
	}

	// What the build reads: go.mod, go.sum, and the Go and embedded files
	// of every package of this module that cmd/coding-relay imports.
	need := []string{"go.mod", "go.sum"}
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Dir,Module,GoFiles,EmbedFiles", "./cmd/coding-relay")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Skipf("go list ./cmd/coding-relay fails, so the context check is skipped: %v\n%s", err, stderr)
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var pkg struct {
			ImportPath, Dir     string
			Module              *struct{ Main bool }
			GoFiles, EmbedFiles []string
		}
		if err := dec.Decode(&pkg); err != nil {
			t.Fatal(err)
		}
		if pkg.Module == nil || !pkg.Module.Main {
			continue
		}
		rel, err := filepath.Rel(root, pkg.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range append(pkg.GoFiles, pkg.EmbedFiles...) {
			need = append(need, filepath.ToSlash(filepath.Join(rel, f)))
		}
	}
	if len(need) < 4 {
		t.Fatalf("go list found only %v", need)
	}
	for _, path := range need {
		if excluded(path) {
			t.Errorf(".dockerignore excludes %s, which the build needs", path)
		}
	}
}
