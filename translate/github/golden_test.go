package github_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/robot/feishu"
	"github.com/coding-relay/coding-relay/server/robot/wecom"
	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
	"github.com/coding-relay/coding-relay/translate/github"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// mentions is the mention directory the goldens render with: logins, and
// an email for a Gitea author whose login differs.
var mentions = map[string]translate.Mention{
	"zhangliang": {"dingtalk_mobile": "13800000001", "wecom_userid": "ZhangLiang", "feishu_open_id": "ou_zhangliang"},
	"lisi":       {"dingtalk_userid": "lisi-ding", "wecom_userid": "LiSi", "feishu_user_id": "lisi-feishu"},
	"alice-dev":  {"dingtalk_mobile": "13800000003", "wecom_userid": "AliceChen", "feishu_open_id": "ou_alice"},
}

// dialects are the robot kinds' dialects the messages are rendered in.
var dialects = robot.Dialects([]robot.Kind{dingtalk.Kind{}, wecom.Kind{}, feishu.Kind{}})

func fixtures(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no fixtures: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

func decode(tb testing.TB, name string, b []byte) *translate.Event {
	tb.Helper()
	event, _, _ := strings.Cut(strings.TrimSuffix(name, ".json"), "-")
	ev, err := github.Decode(event, b)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return ev
}

// TestGolden renders every fixture for every target and language and
// compares the message as a person reads it with
// testdata/golden/<lang>/<target>/<fixture>.md; every message must also
// hold what every message of this source must (see checkMessage).
func TestGolden(t *testing.T) {
	fs := fixtures(t)
	for _, lang := range templates.Languages {
		r, err := translate.New(templates.FS, nil, translate.Options{Dialects: dialects, Language: lang, Mentions: mentions})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dialects {
			target := d.Name()
			dir := filepath.Join("testdata", "golden", lang, string(target))
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, body := range fs {
				t.Run(lang+"/"+string(target)+"/"+name, func(t *testing.T) {
					ev := decode(t, name, body)
					m, err := r.Render(ev, target, "")
					if err != nil {
						t.Fatalf("Render: %v", err)
					}
					checkMessage(t, d, ev, m, lang, body)
					checkGolden(t, filepath.Join(dir, strings.TrimSuffix(name, ".json")+".md"), goldenText(m))
				})
			}
		}
	}
}

var debris = regexp.MustCompile(`<no value>|%!|\{\{|\}\}|map\[|\[\]|\(MISSING\)|\*translate\.|0001-01-01`)

// checkMessage holds a message to what the issue asks of every one: it
// fits, links somewhere, names the actor, the repository (or account) and
// the object, has no template debris, never says CODING, and in English
// has no Chinese that the payload did not write.
func checkMessage(tb testing.TB, d translate.Dialect, ev *translate.Event, m translate.Message, lang string, payload []byte) {
	tb.Helper()
	if d.Size(m) > d.Limit() {
		tb.Errorf("does not fit: %d > %d", d.Size(m), d.Limit())
	}
	all := m.Title + "\n" + m.Text + "\n" + m.Summary
	if !utf8.ValidString(all) {
		tb.Errorf("invalid UTF-8")
	}
	if m.Link == "" || (!d.Capabilities().Card && !strings.Contains(m.Text, "](http")) {
		tb.Errorf("links nowhere: %q\n%s", m.Link, m.Text)
	}
	if s := debris.FindString(all); s != "" {
		tb.Errorf("template debris %q:\n%s", s, all)
	}
	if strings.Contains(strings.ToUpper(all), "CODING") {
		tb.Errorf("names CODING:\n%s", all)
	}
	for _, want := range []string{ev.ActorName, ev.ProjectName, identifier(ev)} {
		if want != "" && !strings.Contains(m.Title+m.Text, want) {
			tb.Errorf("lacks %q:\n%s\n%s", want, m.Title, m.Text)
		}
	}
	if lang == "en" {
		strs := payloadText(payload)
		for _, run := range hanRuns(all) {
			if !strings.Contains(strs, run) {
				tb.Errorf("English message has Chinese the payload did not write: %q\n%s", run, all)
			}
		}
	}
}

// identifier is what names the event's object: a push's head commit, a
// request's or issue's #number, a tag, a job or workflow, an environment.
func identifier(ev *translate.Event) string {
	switch {
	case ev.Name == translate.EventPush && ev.LatestCommit != nil:
		return ev.LatestCommit.Short
	case ev.Name == translate.EventPush, ev.Tag != "":
		return ev.RefName
	case ev.Environment != "":
		return ev.Environment
	case ev.ID != "":
		return ev.ID
	case ev.Name == translate.EventCI || ev.Name == translate.EventJob:
		return ev.Title
	}
	return ""
}

// payloadText is every string of the payload, for finding where a piece of
// text came from.
func payloadText(b []byte) string {
	var v any
	_ = json.Unmarshal(b, &v)
	var sb strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			sb.WriteString(x + "\n")
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return sb.String()
}

// hanRuns are the runs of Chinese characters in s.
func hanRuns(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.Is(unicode.Han, r) })
}

// goldenText is a message as a person sees it: what shows besides the
// text (title, link, outcome, mentions, digest line), "---", the text.
func goldenText(m translate.Message) string {
	var b strings.Builder
	for _, kv := range [][2]string{{"title", m.Title}, {"link", m.Link}, {"outcome", m.Outcome},
		{"at mobiles", strings.Join(m.AtMobiles, ", ")}, {"at user ids", strings.Join(m.AtUserIDs, ", ")}, {"summary", m.Summary}} {
		if kv[1] != "" {
			b.WriteString(kv[0] + ": " + kv[1] + "\n")
		}
	}
	b.WriteString("---\n" + m.Text + "\n")
	return b.String()
}

func checkGolden(tb testing.TB, file, got string) {
	tb.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		tb.Fatalf("%v (run go test ./translate/github -update)", err)
	}
	if got != string(want) {
		tb.Errorf("message differs from %s (run go test ./translate/github -update and review the diff)\n got:\n%s\nwant:\n%s", file, got, want)
	}
}
