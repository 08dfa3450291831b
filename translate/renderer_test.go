package translate

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/templates"
)

func TestUserTemplateOverrides(t *testing.T) {
	user := mapFS{
		"mine.tmpl": `{{define "push.text"}}custom {{.Event.RefName | esc}} for {{.Target}}{{end}}
{{define "wecom.push.title"}}wecom title{{end}}
{{define "brief.wecom.ci.text"}}brief wecom ci{{end}}
{{define "brief.ci.text"}}brief ci{{end}}`,
		"ignored.txt": `{{define "push.text"}}not a template file{{end}}`,
	}
	r, err := New(templates.FS, user, Options{Dialects: testKinds.dialects})
	if err != nil {
		t.Fatal(err)
	}
	ev := decodeFile(t, "push-two-commits.json")
	dm, _ := r.Render(ev, DingTalk, "")
	wm, _ := r.Render(ev, WeCom, "")
	if dm.Text != "custom master for dingtalk" || wm.Text != "custom master for wecom" {
		t.Errorf("user push.text not used: %q / %q", dm.Text, wm.Text)
	}
	if wm.Title != "wecom title" || !strings.Contains(dm.Title, "推送了") {
		t.Errorf("target-specific title: %q / %q", wm.Title, dm.Title)
	}
	ci := decodeFile(t, "ci-trigger_build.json")
	for _, tt := range []struct {
		target  Target
		variant string
		want    string
	}{
		{WeCom, "brief", "brief wecom ci"},
		{DingTalk, "brief", "brief ci"},
		{DingTalk, "nosuch", ""},
	} {
		m, err := r.Render(ci, tt.target, tt.variant)
		if err != nil {
			t.Fatal(err)
		}
		if tt.want != "" && m.Text != tt.want {
			t.Errorf("%s/%s: %q, want %q", tt.target, tt.variant, m.Text, tt.want)
		}
		if tt.want == "" && !strings.Contains(m.Text, "持续集成") {
			t.Errorf("unknown variant did not fall back: %q", m.Text)
		}
	}
	if !r.HasVariant("brief") || r.HasVariant("nosuch") || !r.HasVariant("") {
		t.Error("HasVariant")
	}
}

func TestBriefVariant(t *testing.T) {
	r := newTestRenderer(t, "zh")
	for _, f := range []string{"push-two-commits.json", "star.json", "ISSUE_CREATED.json"} {
		ev := decodeFile(t, f)
		full, _ := r.Render(ev, DingTalk, "")
		m, err := r.Render(ev, DingTalk, "brief")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(m.Text, full.Summary) || strings.Contains(strings.TrimPrefix(m.Text, full.Summary), "[") {
			t.Errorf("%s: brief = %q, want the summary %q", f, m.Text, full.Summary)
		}
	}
	if got := r.Variants(); len(got) != 1 || got[0] != "brief" {
		t.Errorf("Variants = %v", got)
	}
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	user := mapFS{"broken.tmpl": "{{define \"push.text\"}}\nline two\n{{if}}\n{{end}}"}
	_, err := New(templates.FS, user, Options{Dialects: testKinds.dialects})
	if err == nil {
		t.Fatal("no error for a broken template")
	}
	for _, want := range []string{"user/broken.tmpl", ":3", "missing value for if"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestForbiddenFunctions(t *testing.T) {
	for _, fn := range []string{"env", "expandenv", "getHostByName", "now"} {
		user := mapFS{"x.tmpl": `{{define "push.text"}}{{` + fn + ` "HOME"}}{{end}}`}
		if _, err := New(templates.FS, user, Options{Dialects: testKinds.dialects}); err == nil || !strings.Contains(err.Error(), "not defined") {
			t.Errorf("%s: err = %v, want function not defined", fn, err)
		}
	}
	user := mapFS{"x.tmpl": `{{define "push.text"}}{{upper "ok"}} {{sha7 "abcdef0123"}} {{bytes 2048}} {{"a_b" | esc}}{{end}}`}
	r, err := New(templates.FS, user, Options{Dialects: testKinds.dialects})
	if err != nil {
		t.Fatal(err)
	}
	m, err := r.Render(decodeFile(t, "push.json"), WeCom, "")
	if err != nil || m.Text != "OK abcdef0 2.0 KB a_b" {
		t.Errorf("helpers: %q, %v", m.Text, err)
	}
}

func TestExecErrorIsReported(t *testing.T) {
	user := mapFS{"x.tmpl": `{{define "push.text"}}{{.Event.NoSuchField}}{{end}}`}
	r, err := New(templates.FS, user, Options{Dialects: testKinds.dialects})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Render(decodeFile(t, "push.json"), DingTalk, ""); err == nil || !strings.Contains(err.Error(), "push.text") {
		t.Errorf("err = %v", err)
	}
	if err := r.Check(decodeSample); err == nil {
		t.Error("Check passed with a broken push.text")
	}
	user = mapFS{"x.tmpl": `{{define "push.text"}}{{include "push.text" .}}{{end}}`}
	r, err = New(templates.FS, user, Options{Dialects: testKinds.dialects})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Render(decodeFile(t, "push.json"), DingTalk, ""); err == nil {
		t.Error("recursive include: no error")
	}
}

func TestLanguages(t *testing.T) {
	ev := decodeFile(t, "push-two-commits.json")
	zh := newTestRenderer(t, "")
	en := newTestRenderer(t, "en")
	mz, _ := zh.Render(ev, DingTalk, "")
	me, _ := en.Render(ev, DingTalk, "")
	if !strings.Contains(mz.Text, "推送了 2 个提交") || !strings.Contains(me.Text, "pushed 2 commits") {
		t.Errorf("zh %q\nen %q", mz.Text, me.Text)
	}
	if _, err := New(templates.FS, nil, Options{Dialects: testKinds.dialects, Language: "fr"}); err == nil {
		t.Error("fr: no error")
	}
	sub, err := templates.Sub("en")
	if err != nil {
		t.Fatal(err)
	}
	if r, err := New(sub, nil, Options{Dialects: testKinds.dialects}); err != nil || r.Language() != "zh" {
		// A tree without language directories is used as it is.
		t.Errorf("flat defaults: %v", err)
	}
}

func TestLocation(t *testing.T) {
	utc := time.UTC
	r, err := New(templates.FS, mapFS{"t.tmpl": `{{define "push.text"}}{{time .Event.LatestCommit.Time}}{{end}}`}, Options{Dialects: testKinds.dialects, Location: utc})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := r.Render(decodeFile(t, "push.json"), WeCom, "")
	if m.Text != "2020-04-27 03:32" {
		t.Errorf("UTC time = %q", m.Text)
	}
}

func TestCheckDefaults(t *testing.T) {
	for _, lang := range templates.Languages {
		if err := newTestRenderer(t, lang).Check(decodeSample); err != nil {
			t.Errorf("%s: %v", lang, err)
		}
	}
	samples, err := Samples(templates.FS, decodeSample)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ev := range samples {
		seen[ev.Name] = true
	}
	for _, e := range Events {
		// CODING sends no jobs, deployments or comments of their own; the
		// samples of the sources that do cover them (TestNewKinds here).
		if !seen[e] && e != EventJob && e != EventDeployment && e != EventComment {
			t.Errorf("no sample for %s", e)
		}
	}
	if len(templates.Samples()) != len(samples) {
		t.Errorf("templates.Samples has %d, Samples %d", len(templates.Samples()), len(samples))
	}
}

// TestEveryEventHasOwnTemplates makes sure no known event or Service Hook
// family falls back to the generic message.
func TestEveryEventHasOwnTemplates(t *testing.T) {
	for _, lang := range templates.Languages {
		r := newTestRenderer(t, lang)
		for _, target := range Targets {
			for _, e := range Events {
				for _, part := range []string{"title", "text", "summary"} {
					if lookup(r.byName[target], e, "", part) == nil {
						t.Errorf("%s/%s: no %s.%s", lang, target, e, part)
					}
				}
			}
		}
	}
}

func TestConcurrentRender(t *testing.T) {
	r := newTestRenderer(t, "zh")
	ps := payloads(t)
	var wg sync.WaitGroup
	for _, name := range sortedKeys(ps) {
		ev, err := Decode(SampleEventName(name), ps[name])
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range Targets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := r.Render(ev, target, ""); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
}

// TestIncludeKeptPerRender checks what include keeps between calls: the
// output of one render with one budget. A template that no longer fits is
// rendered again with a smaller budget, and its includes must see it.
func TestIncludeKeptPerRender(t *testing.T) {
	user := mapFS{"mine.tmpl": `{{define "push.text"}}{{include "body" .}}|{{include "body" .}}{{include "who" .}}{{end}}
{{define "body"}}{{if gt .MaxDesc 100}}{{repeat 12000 "x"}}{{else}}desc {{.MaxDesc}}{{end}}{{end}}
{{define "who"}}{{.Mention "zhangliang@zhuzi.me"}}{{end}}
{{define "push.mentions"}}{{include "who" .}}{{end}}`}
	r, err := New(templates.FS, user, Options{Dialects: testKinds.dialects, Mentions: map[string]Mention{"zhangliang@zhuzi.me": {"wecom_userid": "ZhangLiang"}}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := r.Render(decodeFile(t, "push-two-commits.json"), WeCom, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := "desc 60|desc 60\n\n<@ZhangLiang>"; m.Text != want {
		t.Errorf("text %q, want %q", m.Text, want)
	}
}
