package robot_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/server/robot/feishu"
	"github.com/coding-relay/coding-relay/server/robot/wecom"
	"github.com/coding-relay/coding-relay/server/source/coding"
	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
)

// TestFittingMessagesMakeBodiesWithinTheLimit renders every sample payload
// for every target of every kind, in both languages, also cut down from an
// oversized text, and checks that what translate says fits is a wire body
// the service takes: translate measures, the kind builds.
func TestFittingMessagesMakeBodiesWithinTheLimit(t *testing.T) {
	files, _ := filepath.Glob("../../translate/testdata/*.json")
	if len(files) < 50 {
		t.Fatalf("only %d samples", len(files))
	}
	// The limits of robot-api.md: the whole body (DingTalk's strictly
	// smaller), or WeCom's content.
	maxBody := map[translate.Target]int{dingtalk.Target: dingtalk.MaxBody - 1, feishu.Target: feishu.MaxBody}
	for _, lang := range templates.Languages {
		r, err := translate.New(templates.FS, nil, translate.Options{Language: lang, Dialects: robot.Dialects(parser.Kinds)})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range parser.Kinds {
			for _, d := range k.Dialects() {
				target := d.Name()
				ep := k.Preview(target)
				for _, f := range files {
					name, _, _ := strings.Cut(filepath.Base(f), "-")
					body, _ := os.ReadFile(f)
					ev, err := coding.Source{}.DecodePayload(strings.TrimSuffix(name, ".json"), body)
					if err != nil {
						continue // samples of malformed payloads
					}
					m, err := r.Render(ev, target, "")
					if err != nil {
						t.Fatalf("%s %s: %v", target, f, err)
					}
					big := m
					big.Text = strings.Repeat("一行 \"<字>\" & 文字\n", 3000)
					for _, msg := range []translate.Message{m, cut(d, big)} {
						if d.Size(msg) > d.Limit() {
							t.Fatalf("%s %s: rendered message does not fit", target, f)
						}
						b, err := ep.Body(msg, "123e4567-e89b-12d3-a456-426614174000")
						if err != nil {
							t.Fatalf("%s %s: %v", target, f, err)
						}
						limit, whole := maxBody[target]
						if whole && len(b) > limit {
							t.Errorf("%s %s: body %d bytes > %d", target, f, len(b), limit)
						}
						if !whole && len(msg.Text) > wecom.MaxContent {
							t.Errorf("%s %s: content %d bytes", target, f, len(msg.Text))
						}
					}
				}
			}
		}
	}
}

// cut keeps the most whole lines of m's text that fit d (a binary search:
// the size grows with every line).
func cut(d translate.Dialect, m translate.Message) translate.Message {
	lines := strings.SplitAfter(m.Text, "\n")
	lo, hi := 0, len(lines)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		m.Text = strings.Join(lines[:mid], "")
		if d.Size(m) <= d.Limit() {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	m.Text = strings.Join(lines[:lo], "")
	return m
}
