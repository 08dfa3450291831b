package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server"
)

func run(tb testing.TB, env map[string]string, args ...string) (string, string, error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	err := realMain(context.Background(), args, &out, &errOut, envconfig.MapLookuper(env))
	return out.String(), errOut.String(), err
}

func TestHelpListsEveryVariable(t *testing.T) {
	out, _, err := run(t, nil, "-h")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range server.Variables() {
		if !strings.Contains(out, v.Name) {
			t.Errorf("-h does not list %s", v.Name)
		}
	}
	if !strings.Contains(out, "20/1m") || !strings.Contains(out, "Asia/Shanghai") {
		t.Error("-h does not show defaults")
	}
}

func TestServeRejectsBadConfig(t *testing.T) {
	_, _, err := run(t, map[string]string{"RELAY_LOG_FORMAT": "xml"})
	if err == nil || !strings.Contains(err.Error(), "RELAY_LOG_FORMAT") {
		t.Fatalf("err = %v", err)
	}
	// A signing key GitLab would not show is named, its value is not.
	_, _, err = run(t, map[string]string{"RELAY_GITLAB_SIGNING_KEY": "sk-not-a-whsec-key"})
	if err == nil || !strings.Contains(err.Error(), "RELAY_GITLAB_SIGNING_KEY") || strings.Contains(err.Error(), "sk-not") {
		t.Fatalf("err = %v", err)
	}
	_, _, err = run(t, map[string]string{"RELAY_MENTIONS": `{"tom": {"phone": "13800000000"}}`})
	if err == nil || !strings.Contains(err.Error(), "RELAY_MENTIONS") || strings.Contains(err.Error(), "13800000000") {
		t.Fatalf("err = %v", err)
	}
	// An id that would break the mention markup is refused at start-up,
	// naming the user and the field but not the value.
	for _, tc := range []struct{ mentions, field string }{
		{`{"tom": {"feishu_open_id": "ou_a></at><at id=all"}}`, "feishu_open_id"},
		{`{"tom": {"dingtalk_mobile": "138 0000 0000"}}`, "dingtalk_mobile"},
		{`{"tom": {"wecom_userid": "tom>"}, "amy": {"wecom_userid": "amy"}}`, "wecom_userid"},
		{`{"tom": {"dingtalk_userid": "` + strings.Repeat("x", 65) + `"}}`, "dingtalk_userid"},
	} {
		_, _, err = run(t, map[string]string{"RELAY_MENTIONS": tc.mentions})
		if err == nil || !strings.Contains(err.Error(), `RELAY_MENTIONS: "tom": `+tc.field) ||
			strings.Contains(err.Error(), "138 0000") || strings.Contains(err.Error(), "ou_a") {
			t.Errorf("RELAY_MENTIONS=%s: err = %v", tc.mentions, err)
		}
	}
}

func TestTemplatesExportCheckAndRender(t *testing.T) {
	dir := t.TempDir()
	out, _, err := run(t, nil, "templates", "export", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "wrote") {
		t.Errorf("export said %q", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "push.tmpl")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "templates", "export", dir); err == nil {
		t.Error("export overwrote files without --force")
	}
	if out, _, err := run(t, nil, "templates", "check", dir); err != nil || !strings.Contains(out, "OK") {
		t.Fatalf("check of exported defaults: %v %s", err, out)
	}

	// A user override wins over the default of the same name.
	custom := `{{define "push.title"}}CUSTOM {{.Event.ProjectName}}{{end}}`
	if err := os.WriteFile(filepath.Join(dir, "zz-custom.tmpl"), []byte(custom), 0o644); err != nil {
		t.Fatal(err)
	}
	payload := filepath.Join("..", "..", "templates", "samples", "push-two-commits.json")
	out, stderr, err := run(t, map[string]string{"RELAY_TEMPLATES_DIR": dir}, "render", "--event", "push", "--target", "dingtalk", payload)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		MsgType  string `json:"msgtype"`
		Markdown struct{ Title, Text string }
	}
	if err := json.Unmarshal([]byte(out), &body); err != nil {
		t.Fatalf("render printed %q: %v", out, err)
	}
	if body.MsgType != "markdown" || !strings.HasPrefix(body.Markdown.Title, "CUSTOM") {
		t.Errorf("rendered %+v", body)
	}
	if !strings.Contains(stderr, "bytes of its size limit") {
		t.Errorf("stderr %q lacks the size report", stderr)
	}

	// WeCom via a robot URL: kind and format come from it.
	out, _, err = run(t, nil, "render", "--event", "push", "--robot", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", payload)
	if err != nil || !strings.Contains(out, `"content"`) {
		t.Fatalf("render for wecom robot: %v %s", err, out)
	}

	// A GitLab payload, named by GitLab's header.
	gl := filepath.Join("..", "..", "translate", "gitlab", "testdata", "merge_request-merge.json")
	out, _, err = run(t, nil, "render", "--source", "gitlab", "--event", "Merge Request Hook", "--target", "wecom", gl)
	if err != nil || !strings.Contains(out, "!17") || strings.Contains(out, "CODING") {
		t.Fatalf("render of a GitLab payload: %v %s", err, out)
	}
	if _, _, err := run(t, nil, "render", "--source", "bitbucket", gl); err == nil || !strings.Contains(err.Error(), "coding, gitlab, github") {
		t.Errorf("render with an unknown source: %v", err)
	}

	// A GitHub payload, named by X-GitHub-Event or told by its members.
	gh := filepath.Join("..", "..", "translate", "github", "testdata", "pull_request-opened.json")
	for _, args := range [][]string{{"--event", "pull_request"}, {}} {
		out, _, err = run(t, nil, append(append([]string{"render", "--source", "github"}, args...), "--target", "wecom", gh)...)
		if err != nil || !strings.Contains(out, "#42") || strings.Contains(out, "CODING") {
			t.Fatalf("render of a GitHub payload %v: %v %s", args, err, out)
		}
	}

	// A broken template is reported with file and line, and check fails.
	if err := os.WriteFile(filepath.Join(dir, "broken.tmpl"), []byte("{{define \"x\"}}\n{{if}}\n{{end}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, nil, "templates", "check", dir)
	if err == nil || !strings.Contains(err.Error(), "broken.tmpl") {
		t.Fatalf("check with a broken template: %v", err)
	}
	if _, _, err := run(t, nil, "render", "--target", "feishu", payload); err == nil {
		t.Error("render accepted target feishu")
	}
}

func TestServeRejectsUnknownTemplateVariant(t *testing.T) {
	_, _, err := run(t, map[string]string{
		"RELAY_ROBOTS":   "https://oapi.dingtalk.com/robot/send?access_token=T&name=ops&template=nosuch",
		"RELAY_DATA_DIR": t.TempDir(),
	})
	if err == nil || !strings.Contains(err.Error(), "ops") || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("err = %v", err)
	}
}

func TestTuneMemoryLeavesAnExplicitGOGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150)
	tuneMemory(zap.NewNop())
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("GOGC=150 in the environment, GC percent became %d", got)
	}
	os.Unsetenv("GOGC") // t.Setenv restores it afterwards
	tuneMemory(zap.NewNop())
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("without GOGC the GC percent is %d, want %d", got, gcPercent)
	}
}

// Without a limit from the container or the environment the relay sets a
// soft one, so that GOGC=400 does not let garbage grow to five times a
// thousand robots' live heap; one from the environment is left alone.
func TestTuneMemorySetsASoftLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, v := range []string{"GOMEMLIMIT", "AUTOMEMLIMIT"} {
		if old, ok := os.LookupEnv(v); ok {
			t.Setenv(v, old) // restored afterwards
			os.Unsetenv(v)
		}
	}
	tuneMemory(zap.NewNop())
	if got := debug.SetMemoryLimit(-1); got == math.MaxInt64 {
		t.Errorf("memory limit %d, want one (%d, or the container's)", got, memoryLimit)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "off")
	tuneMemory(zap.NewNop())
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT=off in the environment, the limit became %d", got)
	}
}

func TestSubcommandHelp(t *testing.T) {
	// -h on a subcommand prints its usage and is not a failure (main exits 0
	// on flag.ErrHelp).
	for _, args := range [][]string{{"render", "-h"}, {"templates", "export", "-h"}} {
		_, errOut, err := run(t, nil, args...)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut, "-") {
			t.Errorf("%v: err %v, usage %q", args, err, errOut)
		}
	}
	out, _, err := run(t, nil, "templates", "check", "-h")
	if err != nil || !strings.Contains(out, "usage: coding-relay templates check") {
		t.Errorf("templates check -h: %v %q", err, out)
	}
}

// pause is the chart's preStop hook: it waits, and refuses what is not a
// duration.
func TestPause(t *testing.T) {
	start := time.Now()
	if _, _, err := run(t, nil, "pause", "50ms"); err != nil || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("pause 50ms: %v after %s", err, time.Since(start))
	}
	if _, _, err := run(t, nil, "pause", "soon"); err == nil {
		t.Fatal("pause soon: no error")
	}
}
