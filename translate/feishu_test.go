package translate

import (
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/templates"
)

// TestFeishuMentions: open_id is preferred, user_id is the fallback, and
// the ids are both in the text and in AtUserIDs.
func TestFeishuMentions(t *testing.T) {
	r := newTestRenderer(t, "zh")
	tests := []struct {
		file string
		ids  []string
	}{
		{"merge_request-create.json", []string{"ou_lisi", "dfl-feishu"}},
		{"ci-complete_build-failed.json", []string{"ou_zhangliang"}},
		{"ci-complete_build-success.json", nil},
		{"task-assigned.json", []string{"ou_lisi"}},
	}
	for _, tt := range tests {
		m, err := r.Render(decodeFile(t, tt.file), Feishu, "")
		if err != nil {
			t.Fatal(err)
		}
		if !equalStrings(m.AtUserIDs, tt.ids) || len(m.AtMobiles) != 0 {
			t.Errorf("%s: ids %v mobiles %v, want %v", tt.file, m.AtUserIDs, m.AtMobiles, tt.ids)
		}
		var line []string
		for _, id := range tt.ids {
			line = append(line, "<at id="+id+"></at>")
		}
		if want := strings.Join(line, " "); !strings.HasSuffix(m.Text, "\n\n"+want) && want != "" {
			t.Errorf("%s: text ends %q, want %q", tt.file, m.Text[max(0, len(m.Text)-60):], want)
		}
	}
}

// TestFeishuRender checks what a Feishu card's markdown cannot show:
// headings and quotes (JSON 1.0 cards), and other targets' markup.
func TestFeishuRender(t *testing.T) {
	ps := payloads(t)
	for _, lang := range templates.Languages {
		r := newTestRenderer(t, lang)
		for _, name := range sortedKeys(ps) {
			m, err := r.Render(decodeFile(t, name), Feishu, "")
			if err != nil {
				t.Fatal(err)
			}
			assertFeishu(t, m)
		}
	}
}

// assertFeishu checks a Feishu message for markup Feishu's card markdown
// does not have.
func assertFeishu(tb testing.TB, m Message) {
	tb.Helper()
	for _, line := range strings.Split(m.Text, "\n") {
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ">") {
			tb.Errorf("heading or quote in a Feishu card: %q", line)
		}
	}
	if strings.Contains(m.Text, `<font color="`) || strings.Contains(m.Text, "<@") || strings.Contains(m.Text, `\`) {
		tb.Errorf("another dialect's markup in a Feishu card:\n%s", m.Text)
	}
	if len(m.AtMobiles) > 0 {
		tb.Errorf("mobiles in a Feishu message: %v", m.AtMobiles)
	}
}

func TestFeishuDigest(t *testing.T) {
	r := newTestRenderer(t, "zh")
	var msgs []Message
	for _, f := range []string{"merge_request-create.json", "ci-complete_build-failed.json", "push.json"} {
		m, err := r.Render(decodeFile(t, f), Feishu, "")
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	// A DingTalk message's user ids are not Feishu ids.
	msgs = append(msgs, Message{Target: DingTalk, Title: "d", Summary: "D", AtUserIDs: []string{"ding-id"}, AtMobiles: []string{"138"}})
	out, err := r.Digest(Feishu, msgs)
	if err != nil || len(out) != 1 {
		t.Fatalf("Digest = %d, %v", len(out), err)
	}
	d := out[0]
	assertWellFormed(t, d, wireBody(t, d, ""))
	assertFeishu(t, d)
	if want := []string{"ou_lisi", "dfl-feishu", "ou_zhangliang"}; !equalStrings(d.AtUserIDs, want) {
		t.Errorf("digest ids %v, want %v", d.AtUserIDs, want)
	}
	if !strings.HasSuffix(d.Text, "\n\n<at id=ou_lisi></at> <at id=dfl-feishu></at> <at id=ou_zhangliang></at>") {
		t.Errorf("digest text ends %q", d.Text[len(d.Text)-80:])
	}
	if d.Outcome != OutcomeFailure {
		t.Errorf("digest outcome %q", d.Outcome)
	}
	// DingTalk and WeCom digests take no Feishu ids.
	for _, target := range []Target{DingTalk, WeCom} {
		out, err := r.Digest(target, msgs[:2])
		if err != nil || len(out) != 1 {
			t.Fatal(err)
		}
		if len(out[0].AtUserIDs) != 0 || strings.Contains(out[0].Text, "ou_") {
			t.Errorf("%s digest mentions Feishu ids: %v", target, out[0].AtUserIDs)
		}
	}
}
