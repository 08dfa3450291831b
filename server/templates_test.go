package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap/zaptest"

	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
	"github.com/coding-relay/coding-relay/translate/coding"
)

func pushTitle(tb testing.TB, r *translate.Renderer) string {
	tb.Helper()
	ev, err := coding.Decode("push", []byte(pushPayload))
	if err != nil {
		tb.Fatal(err)
	}
	m, err := r.Render(ev, dingtalk.Target, "")
	if err != nil {
		tb.Fatal(err)
	}
	return m.Title
}

func TestTemplatesReloadOnChangeKeepsGoodSetOnError(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		// Write then rename, as editors and ConfigMap updates do.
		tmp := filepath.Join(dir, "."+name+".tmp")
		if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	write("custom.tmpl", `{{define "push.title"}}FIRST{{end}}`)
	m := server.NewMetrics(prometheus.NewRegistry())
	tm, err := server.NewTemplates(func() (*translate.Renderer, error) {
		return translate.New(templates.FS, os.DirFS(dir), translate.Options{Dialects: robot.Dialects(testRegistry.Kinds)})
	}, zaptest.NewLogger(t), m)
	if err != nil {
		t.Fatal(err)
	}
	if got := pushTitle(t, tm.Current()); got != "FIRST" {
		t.Fatalf("title %q", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := tm.Watch(ctx, dir); err != nil {
		t.Fatal(err)
	}

	write("custom.tmpl", `{{define "push.title"}}SECOND{{end}}`)
	waitFor(t, "reload", func() bool { return pushTitle(t, tm.Current()) == "SECOND" })

	// A broken template: the previous set stays, the metric says so.
	write("custom.tmpl", `{{define "push.title"}}{{if}}{{end}}`)
	waitFor(t, "failed reload counted", func() bool { return testutil.ToFloat64(m.TemplateBroken) == 1 })
	if got := pushTitle(t, tm.Current()); got != "SECOND" {
		t.Errorf("after a broken reload the title is %q, want the previous SECOND", got)
	}

	// Fixing it recovers, also through an explicit Reload (SIGHUP).
	write("custom.tmpl", `{{define "push.title"}}THIRD{{end}}`)
	if err := tm.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := pushTitle(t, tm.Current()); got != "THIRD" || testutil.ToFloat64(m.TemplateBroken) != 0 {
		t.Errorf("title %q broken=%v", got, testutil.ToFloat64(m.TemplateBroken))
	}
}

func TestTemplatesBrokenAtStartStops(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.tmpl"), []byte("{{define \"push.title\"}}\n{{.Nope\n{{end}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := server.NewTemplates(func() (*translate.Renderer, error) {
		return translate.New(templates.FS, os.DirFS(dir), translate.Options{Dialects: robot.Dialects(testRegistry.Kinds)})
	}, zaptest.NewLogger(t), server.NewMetrics(prometheus.NewRegistry()))
	if err == nil || !strings.Contains(err.Error(), "bad.tmpl") {
		t.Fatalf("err = %v, want one naming bad.tmpl", err)
	}
}
