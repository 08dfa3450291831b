package translate

import (
	"strings"
	"testing"
	"time"
	"unicode"
)

// TestNewKinds renders the kinds no CODING payload has (jobs, deployments,
// comments) and a release from events as a source fills them, for every
// target and language: each message names its object and links it, says
// its status in the language's words, and an English one has no Chinese.
func TestNewKinds(t *testing.T) {
	actor := &User{Login: "zhangliang", Name: "Zhang Liang", URL: "https://git.example.com/zhangliang"}
	commit := &Commit{ID: "e1822db470e60d090affd0956d743cb0e7cdf113", Message: "fix: login\n\nbody", Link: "https://git.example.com/p/-/commit/e1822db"}
	base := Event{Source: "gitlab", SourceName: "GitLab", ActorUser: actor, ProjectName: "uc-api", ProjectURL: "https://git.example.com/p"}
	for _, tt := range []struct {
		name string
		ev   func(e *Event)
		want map[string][]string
	}{
		{"job failed", func(e *Event) {
			e.Name, e.Verb, e.Title, e.Number, e.Type, e.Status = EventJob, "failed", "unit-test", "4711", "test", "failed"
			e.Branch, e.Commit, e.Duration, e.Error = "main", commit, 5*time.Minute, "script failure"
			e.ObjectURL = "https://git.example.com/p/-/jobs/4711"
		}, map[string][]string{"zh": {"unit-test #4711", "失败", "阶段：test", "e1822db"}, "en": {"unit-test #4711", "failed", "Stage: test", "e1822db"}}},
		{"deployment succeeded", func(e *Event) {
			e.Name, e.Verb, e.Environment, e.Status, e.Branch, e.Commit = EventDeployment, "succeeded", "production", "success", "main", commit
			e.ObjectURL = "https://git.example.com/p/-/environments/3"
		}, map[string][]string{"zh": {"production", "成功"}, "en": {"deployed to", "production", "succeeded"}}},
		{"comment on a commit", func(e *Event) {
			e.Name, e.Verb, e.Type, e.Commit = EventComment, "commented", "commit", commit
			e.Comment = &Comment{Body: "Looks good", URL: "https://git.example.com/p/-/commit/e1822db#note_1"}
			e.ObjectURL = e.Comment.URL
		}, map[string][]string{"zh": {"评论了提交", "e1822db", "Looks good"}, "en": {"commented on commit", "e1822db", "Looks good"}}},
		{"release published", func(e *Event) {
			e.Name, e.Verb, e.Tag, e.Title, e.Body = EventRelease, "published", "v1.2.0", "Spring release", "Notes"
			e.ObjectURL = "https://git.example.com/p/-/releases/v1.2.0"
		}, map[string][]string{"zh": {"发布了版本 [v1.2.0]", "名称：Spring release", "Notes"}, "en": {"published release [v1.2.0]", "Name: Spring release", "Notes"}}},
	} {
		ev := base
		tt.ev(&ev)
		ev.Complete()
		for _, lang := range []string{"zh", "en"} {
			r := newTestRenderer(t, lang)
			for _, target := range Targets {
				m, err := r.Render(&ev, target, "")
				if err != nil {
					t.Fatalf("%s %s/%s: %v", tt.name, lang, target, err)
				}
				all := m.Title + "\n" + m.Text + "\n" + m.Summary
				for _, w := range tt.want[lang] {
					if !strings.Contains(all, w) {
						t.Errorf("%s %s/%s: no %q in\n%s", tt.name, lang, target, w, all)
					}
				}
				// A card links the object with its button (m.Link).
				if !(strings.Contains(m.Text, ev.ObjectURL) || target == Feishu) || m.Link != ev.ObjectURL {
					t.Errorf("%s %s/%s: not linked to %s:\n%s", tt.name, lang, target, ev.ObjectURL, m.Text)
				}
				if lang == "en" && strings.IndexFunc(all, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
					t.Errorf("%s en/%s: Chinese in an English message:\n%s", tt.name, target, all)
				}
				if strings.Contains(all, "CODING") {
					t.Errorf("%s %s/%s: names CODING:\n%s", tt.name, lang, target, all)
				}
			}
		}
	}
}
