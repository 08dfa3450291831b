package gitlab_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/robot/feishu"
	"github.com/coding-relay/coding-relay/server/robot/wecom"
	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
	"github.com/coding-relay/coding-relay/translate/gitlab"
)

// kinds are the robot kinds the goldens render for.
var kinds = []robot.Kind{dingtalk.Kind{}, wecom.Kind{}, feishu.Kind{}}

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// mentions is the directory the goldens render with: by GitLab username,
// and by email (a commit author has no username).
var mentions = map[string]translate.Mention{
	"alice":           {"dingtalk_mobile": "13800000001", "wecom_userid": "AliceZ", "feishu_open_id": "ou_alice"},
	"bob@example.com": {"dingtalk_userid": "bob-ding", "wecom_userid": "BobW", "feishu_user_id": "bob-feishu"},
	"lisi":            {"dingtalk_mobile": "13800000002", "wecom_userid": "LiSi", "feishu_open_id": "ou_lisi"},
}

// samples reads testdata/*.json.
func samples(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no samples: %v", err)
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

// debris is what a template leaves when it reads what is not there.
var debris = regexp.MustCompile(`<no value>|\{\{|%!|\bnil\b|\[\]\(|\(\)|map\[`)

// TestGolden renders every sample for every target in both languages and
// compares the message as a person sees it with
// testdata/golden/<lang>/<target>/<sample>.md (go test -update writes
// them). Every message has a link, names its project, fits its robot, has
// no template debris, and in English no Chinese the payload did not write.
func TestGolden(t *testing.T) {
	ps := samples(t)
	for _, lang := range templates.Languages {
		r, err := translate.New(templates.FS, nil, translate.Options{Dialects: robot.Dialects(kinds), Language: lang, Mentions: mentions})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range robot.Dialects(kinds) {
			target := d.Name()
			dir := filepath.Join("testdata", "golden", lang, string(target))
			if *update {
				_ = os.RemoveAll(dir)
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, body := range ps {
				if strings.HasPrefix(name, "system-") {
					continue // answered and not sent (see server/source/gitlab)
				}
				t.Run(lang+"/"+string(target)+"/"+name, func(t *testing.T) {
					ev, err := gitlab.Decode(sampleHook(name), body, "https://gitlab.example.com")
					if err != nil {
						t.Fatal(err)
					}
					m, err := r.Render(ev, target, "")
					if err != nil {
						t.Fatal(err)
					}
					checkMessage(t, d, m, ev, body, lang)
					golden := filepath.Join(dir, strings.TrimSuffix(name, ".json")+".md")
					got := goldenText(m)
					if *update {
						if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
							t.Fatal(err)
						}
						return
					}
					want, err := os.ReadFile(golden)
					if err != nil || string(want) != got {
						t.Errorf("%s differs (go test ./translate/gitlab -update, then review the diff)\n got:\n%s\nwant:\n%s", golden, got, want)
					}
				})
			}
		}
	}
}

// checkMessage asserts what every message of this source must be.
func checkMessage(t *testing.T, d translate.Dialect, m translate.Message, ev *translate.Event, payload []byte, lang string) {
	t.Helper()
	all := m.Title + "\n" + m.Text + "\n" + m.Summary
	if m.Link == "" || !strings.HasPrefix(m.Link, "http") {
		t.Errorf("link %q", m.Link)
	}
	if d.Size(m) > d.Limit() {
		t.Errorf("%d bytes do not fit %s's %d", d.Size(m), m.Target, d.Limit())
	}
	if k, _, _ := robot.ForTarget(kinds, m.Target); k != nil {
		if _, err := k.Preview(m.Target).Body(m, ""); err != nil {
			t.Errorf("wire body: %v", err)
		}
	}
	if s := debris.FindString(all); s != "" {
		t.Errorf("template debris %q in\n%s", s, all)
	}
	if strings.Contains(strings.ToUpper(all), "CODING") {
		t.Errorf("names CODING:\n%s", all)
	}
	if ev.ProjectName != "" && !strings.Contains(all, ev.ProjectName) {
		t.Errorf("project %q not shown:\n%s", ev.ProjectName, all)
	}
	if lang == "en" {
		for _, r := range all {
			if unicode.Is(unicode.Han, r) && !strings.ContainsRune(string(payload), r) {
				t.Errorf("English message has %q, which the payload did not write:\n%s", r, all)
				break
			}
		}
	}
}

// goldenText is a message as a person sees it: what shows besides the
// text (title, link, outcome, mentions, digest line), "---", the text.
func goldenText(m translate.Message) string {
	var b strings.Builder
	line := func(key, value string) {
		if value != "" {
			b.WriteString(key + ": " + value + "\n")
		}
	}
	line("title", m.Title)
	line("link", m.Link)
	line("outcome", m.Outcome)
	line("at mobiles", strings.Join(m.AtMobiles, ", "))
	line("at user ids", strings.Join(m.AtUserIDs, ", "))
	line("summary", m.Summary)
	b.WriteString("---\n" + m.Text + "\n")
	return b.String()
}

// sampleHook is the hook a sample file was sent with: the file name up to
// its first "-" is the hook's key (merge_request-open.json → Merge Request
// Hook); body-*.json were sent without one.
func sampleHook(file string) string {
	base, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(file), ".json"), "-")
	if base == "body" {
		return ""
	}
	h, _ := gitlab.ParseHook(base)
	return string(h)
}
