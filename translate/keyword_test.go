package translate_test

import (
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/server/robot/dingtalk"
	"github.com/coding-relay/coding-relay/translate"
)

// ding is the dialect the keyword tests add keywords in.
var ding = dingtalk.Dialect{}

func TestWithKeyword(t *testing.T) {
	msg := func(text string, mobiles ...string) translate.Message {
		return translate.Message{Target: dingtalk.Target, Event: "push", Title: "CODING push", Text: text, AtMobiles: mobiles}
	}
	tests := []struct {
		name     string
		in       translate.Message
		keywords []string
		want     string
	}{
		{"already there", msg("#### CODING · push"), []string{"CODING"}, "#### CODING · push"},
		{"any keyword will do", msg("代码推送 to main"), []string{"构建", "推送"}, "代码推送 to main"},
		{"title does not count", msg("#### push"), []string{"CODING"}, "#### push\n\nCODING"},
		{"first keyword added", msg("#### push\n"), []string{"", "CODING", "通知"}, "#### push\n\nCODING"},
		{"before the mention line", msg("#### push\n\n@13800000000", "13800000000"), []string{"CODING"}, "#### push\n\nCODING\n\n@13800000000"},
		{"no keywords", msg("#### push"), nil, "#### push"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translate.WithKeyword(ding, tt.in, tt.keywords)
			if got.Text != tt.want {
				t.Errorf("text = %q, want %q", got.Text, tt.want)
			}
			if got.Title != tt.in.Title {
				t.Errorf("title changed to %q", got.Title)
			}
		})
	}
}

func TestWithKeywordStillFits(t *testing.T) {
	// A message already at DingTalk's limit: the keyword and the mention line
	// must both survive, and the body must still fit.
	m := translate.Message{Target: dingtalk.Target, Event: "push", Title: "push", AtMobiles: []string{"13800000000"}}
	line := "\n\n@13800000000"
	for n := 2000; n == 2000 || ding.Size(m) > ding.Limit(); n-- {
		m.Text = strings.Repeat("- commit 汉字\n", n) + line
	}
	got := translate.WithKeyword(ding, m, []string{"CODING-通知"})
	if ding.Size(got) > ding.Limit() {
		t.Fatalf("size %d over the limit %d", ding.Size(got), ding.Limit())
	}
	if !strings.HasSuffix(got.Text, "\n\nCODING-通知"+line) {
		t.Errorf("text ends %q", got.Text[len(got.Text)-60:])
	}
}
