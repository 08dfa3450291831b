package translate_test

import (
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/translate"
)

func TestWithKeyword(t *testing.T) {
	ding := func(text string, mobiles ...string) translate.Message {
		return translate.Message{Target: translate.DingTalk, Event: "push", Title: "CODING push", Text: text, AtMobiles: mobiles}
	}
	tests := []struct {
		name     string
		in       translate.Message
		keywords []string
		want     string
	}{
		{"already there", ding("#### CODING · push"), []string{"CODING"}, "#### CODING · push"},
		{"any keyword will do", ding("代码推送 to main"), []string{"构建", "推送"}, "代码推送 to main"},
		{"title does not count", ding("#### push"), []string{"CODING"}, "#### push\n\nCODING"},
		{"first keyword added", ding("#### push\n"), []string{"", "CODING", "通知"}, "#### push\n\nCODING"},
		{"before the mention line", ding("#### push\n\n@13800000000", "13800000000"), []string{"CODING"}, "#### push\n\nCODING\n\n@13800000000"},
		{"no keywords", ding("#### push"), nil, "#### push"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translate.WithKeyword(tt.in, tt.keywords)
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
	m := translate.Message{Target: translate.DingTalk, Event: "push", Title: "push", AtMobiles: []string{"13800000000"}}
	line := "\n\n@13800000000"
	for n := 2000; n == 2000 || !translate.Fits(m); n-- {
		m.Text = strings.Repeat("- commit 汉字\n", n) + line
	}
	got := translate.WithKeyword(m, []string{"CODING-通知"})
	if !translate.Fits(got) {
		t.Fatalf("size %d over the limit %d", translate.Size(got), translate.Limit(got.Target))
	}
	if !strings.HasSuffix(got.Text, "\n\nCODING-通知"+line) {
		t.Errorf("text ends %q", got.Text[len(got.Text)-60:])
	}
}
