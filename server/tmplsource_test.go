package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/server"
	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/source/coding"
	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
)

func TestTemplateSourceComposesInMemory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "own.tmpl"), []byte(`{{define "ping.text"}}mine{{end}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	src := &server.TemplateSource{Defaults: templates.FS, Dir: dir, Options: translate.Options{Dialects: robot.Dialects(testRegistry.Kinds), Language: "en"}}
	files, err := src.Files()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files["en/push.tmpl"]; !ok || files["user/own.tmpl"] == "" || len(files) < 10 {
		t.Fatalf("files %v: want en/*.tmpl and user/own.tmpl", keysOf(files))
	}
	for _, bad := range []string{"zh/push.tmpl", "user/../x.tmpl", "user/x.txt", "other/x.tmpl"} {
		if _, err := src.Compose(map[string]string{bad: "{{define \"x\"}}{{end}}"}); err == nil || !strings.Contains(err.Error(), "no template file") {
			t.Errorf("Compose with %s: %v, want it refused", bad, err)
		}
	}
	r, err := src.Compose(map[string]string{"user/own.tmpl": `{{define "ping.text"}}edited{{end}}`})
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := coding.Source{}.DecodePayload("ping", []byte(`{"zen":"z"}`))
	if m, err := r.Render(ev, dingtalk.Target, ""); err != nil || !strings.Contains(m.Text, "edited") {
		t.Fatalf("composed render: %q %v", m.Text, err)
	}
	if _, err := src.Compose(map[string]string{"en/push.tmpl": "{{define \"push.text\"}}{{if}}{{end}}"}); err == nil || !strings.Contains(err.Error(), "en/push.tmpl:1") {
		t.Errorf("a broken edit: %v, want its file and line", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "own.tmpl")); !strings.Contains(string(b), "mine") {
		t.Errorf("the file on disk changed: %s", b)
	}
	if len(src.Samples()) < 10 {
		t.Errorf("samples: %d", len(src.Samples()))
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
