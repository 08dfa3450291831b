package translate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/templates"
)

// feishuCard is the body the Feishu kind sends for m (see
// feishuCardSkeleton), with a timestamp and signature of their real
// lengths, for checking Size and the structure of the text.
func feishuCard(tb testing.TB, m Message, lang string) []byte {
	tb.Helper()
	type text struct {
		Tag     string `json:"tag"`
		Content string `json:"content"`
	}
	type button struct {
		Tag  string `json:"tag"`
		Text text   `json:"text"`
		Type string `json:"type"`
		URL  string `json:"url"`
	}
	type element struct {
		Tag     string   `json:"tag"`
		Content string   `json:"content,omitempty"`
		Actions []button `json:"actions,omitempty"`
	}
	title := m.Title
	if title == "" {
		title = m.Event
	}
	var card struct {
		MsgType string `json:"msg_type"`
		Card    struct {
			Config struct {
				WideScreenMode bool `json:"wide_screen_mode"`
			} `json:"config"`
			Header struct {
				Title    text   `json:"title"`
				Template string `json:"template"`
			} `json:"header"`
			Elements []element `json:"elements"`
		} `json:"card"`
		Timestamp string `json:"timestamp"`
		Sign      string `json:"sign"`
	}
	card.MsgType = "interactive"
	card.Card.Config.WideScreenMode = true
	card.Card.Header.Title = text{"plain_text", title}
	card.Card.Header.Template = FeishuHeaderColour(m.Outcome)
	card.Card.Elements = []element{
		{Tag: "markdown", Content: m.Text},
		{Tag: "action", Actions: []button{{Tag: "button", Text: text{"plain_text", FeishuButtonText(lang)}, Type: "primary", URL: m.Link}}},
	}
	card.Timestamp = "1700000000"
	card.Sign = strings.Repeat("s", 43) + "="
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(card); err != nil {
		tb.Fatal(err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// wireBody is the body a robot of m's target is sent: Body, or for Feishu
// the card the Feishu kind builds.
func wireBody(tb testing.TB, m Message, msgUUID string) []byte {
	tb.Helper()
	if m.Target == Feishu {
		return feishuCard(tb, m, m.Lang)
	}
	b, err := Body(m, msgUUID)
	if err != nil {
		tb.Fatalf("Body: %v", err)
	}
	return b
}

// TestFeishuSize checks that Size is the card body's length plus the
// reserve when the colour and the button text are the longest, and at
// least the body's length otherwise.
func TestFeishuSize(t *testing.T) {
	ps := payloads(t)
	for _, lang := range templates.Languages {
		r := newTestRenderer(t, lang)
		for _, name := range sortedKeys(ps) {
			m, err := r.Render(decodeFile(t, name), Feishu, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := len(feishuCard(t, m, lang)); got > Size(m) {
				t.Errorf("%s/%s: card %d bytes, Size %d", lang, name, got, Size(m))
			}
			m.Outcome = OutcomeWarning
			if got := len(feishuCard(t, m, "zh")) + feishuCardReserve; got != Size(m) {
				t.Errorf("%s/%s: orange zh card %d bytes + reserve, Size %d", lang, name, got, Size(m))
			}
		}
	}
	m := Message{Target: Feishu, Event: "push", Outcome: OutcomeWarning, Text: "\"<x>\" \\ \n\t\x01 \u2028"}
	if got := len(feishuCard(t, m, "zh")) + feishuCardReserve; got != Size(m) {
		t.Errorf("escapes and the event for a title: %d, Size %d", got, Size(m))
	}
	if Limit(Feishu) != 20*1024 {
		t.Errorf("Limit = %d", Limit(Feishu))
	}
	m.Text = ""
	m.Text = strings.Repeat("a", FeishuMaxBody-Size(m))
	if Size(m) != FeishuMaxBody || !Fits(m) {
		t.Errorf("at the limit: Size %d, Fits %v", Size(m), Fits(m))
	}
	m.Text += "a"
	if Fits(m) {
		t.Error("one byte over the limit fits")
	}
}

func TestFeishuEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain 中文", "plain 中文"},
		{"**bold** `code`", "&#42;&#42;bold&#42;&#42; &#96;code&#96;"},
		{"_it_ snake_case", "&#95;it&#95; snake_case"},
		{"~~strike~~ a ~ b", "&#126;&#126;strike&#126;&#126; a ~ b"},
		{`back\slash \*`, `back\slash &#92;&#42;`},
		{`ends in \`, `ends in &#92;`},
		{"# heading", "&#35; heading"},
		{"- item", "&#45; item"},
		{"1. item", "1&#46; item"},
		{"> quote", "&#62; quote"},
		{"<at id=all></at> @all", "＜at id=all>＜/at> ＠all"},
		{"<font color='red'>x</font>", "＜font color='red'>x＜/font>"},
		{"[x](https://evil) ![i](k)", "［x］(https://evil) !［i］(k)"},
		{"&lt;b&gt; &#42;", "&amp;lt;b&amp;gt; &amp;#42;"},
		{"a|b", "a|b"},
		{"line1\nline2", "line1 line2"},
	}
	for _, tt := range tests {
		if got := escapeFor(Feishu, tt.in); got != tt.want {
			t.Errorf("escapeFor(feishu, %q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := mdLink(Feishu, "#12 **fix**", "https://e.coding.net/p"), "[#12 &#42;&#42;fix&#42;&#42;](https://e.coding.net/p)"; got != want {
		t.Errorf("link = %q, want %q", got, want)
	}
	in := "\n第一行 **b**\r\n\r\n\r\n# 第二行\n| a | b |\n<at id=all></at>\n\n"
	want := "<font color='grey'>第一行 &#42;&#42;b&#42;&#42;</font>\n\n<font color='grey'>&#35; 第二行</font>\n<font color='grey'>｜ a ｜ b ｜</font>\n<font color='grey'>＜at id=all>＜/at></font>"
	if got := quoteBlock(Feishu, in); got != want {
		t.Errorf("blockquote:\n got %q\nwant %q", got, want)
	}
}

func TestFeishuHelpers(t *testing.T) {
	if got := bullet(Feishu); got != "- " {
		t.Errorf("bullet = %q", got)
	}
	colors := []struct{ level, want string }{
		{"success", "<font color='green'>ok</font>"},
		{"failure", "<font color='red'>ok</font>"},
		{"warning", "<font color='red'>ok</font>"},
		{"running", "<font color='grey'>ok</font>"},
		{"neutral", "<font color='grey'>ok</font>"},
		{"bogus", "ok"},
	}
	for _, tt := range colors {
		if got := colorize(Feishu, tt.level, "ok"); got != tt.want {
			t.Errorf("color %s = %q, want %q", tt.level, got, tt.want)
		}
	}
	headers := []struct{ outcome, want string }{
		{OutcomeSuccess, "green"}, {OutcomeFailure, "red"}, {OutcomeWarning, "orange"}, {OutcomeNeutral, "blue"}, {"bogus", "blue"},
	}
	for _, tt := range headers {
		if got := FeishuHeaderColour(tt.outcome); got != tt.want {
			t.Errorf("FeishuHeaderColour(%q) = %q, want %q", tt.outcome, got, tt.want)
		}
	}
	if FeishuButtonText("zh") != "查看详情" || FeishuButtonText("en") != "View" || FeishuButtonText("") != "查看详情" {
		t.Error("FeishuButtonText")
	}
	if got := mentionLine(Feishu, []string{"13800000000"}, []string{"ou_a", "u_b"}); got != "<at id=ou_a></at> <at id=u_b></at>" {
		t.Errorf("mention line %q", got)
	}
}

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
