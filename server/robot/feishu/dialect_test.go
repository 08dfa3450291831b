package feishu

import (
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/translate"
)

// TestSize checks that Size is the length of the signed card, for every
// header colour, both button texts, escapes and a message without a link.
func TestSize(t *testing.T) {
	base := translate.Message{Target: Target, Event: "push", Title: "t", Text: "\"<x>\" \\ \n\t\x01 \u2028", Link: "https://e.coding.net/p"}
	for _, outcome := range []string{translate.OutcomeSuccess, translate.OutcomeFailure, translate.OutcomeWarning, translate.OutcomeNeutral} {
		for _, lang := range []string{"zh", "en"} {
			for _, link := range []string{base.Link, ""} {
				m := base
				m.Outcome, m.Lang, m.Link = outcome, lang, link
				b, err := Body(m, 1700000000, Sign("secret", 1700000000))
				if err != nil {
					t.Fatal(err)
				}
				if got := (Dialect{}).Size(m); got != len(b) {
					t.Errorf("%s/%s/%q: Size %d, signed body %d bytes", outcome, lang, link, got, len(b))
				}
			}
		}
	}
	m := base
	m.Text = "a"
	m.Text = strings.Repeat("a", MaxBody-(Dialect{}).Size(m)+1)
	if (Dialect{}).Size(m) != MaxBody || (Dialect{}).Limit() != MaxBody {
		t.Errorf("at the limit: Size %d, Limit %d", (Dialect{}).Size(m), (Dialect{}).Limit())
	}
}

func TestEscape(t *testing.T) {
	d := Dialect{}
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
		{"<at id=all></at> @all", "&lt;at id=all>&lt;/at> @\u2060all"},
		{"<font color='red'>x</font>", "&lt;font color='red'>x&lt;/font>"}, {"a < b", "a < b"},
		{"[x](https://evil) ![i](k)", "&#91;x&#93;(https://evil) !&#91;i&#93;(k)"},
		{"&lt;b&gt; &#42;", "&amp;lt;b&amp;gt; &amp;#42;"},
		{"a|b", "a|b"},
		{"line1\nline2", "line1 line2"},
	}
	for _, tt := range tests {
		if got := d.Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := d.Link("#12 **fix**", "https://e.coding.net/p"), "[#12 &#42;&#42;fix&#42;&#42;](https://e.coding.net/p)"; got != want {
		t.Errorf("link = %q, want %q", got, want)
	}
	in := "\n第一行 **b**\r\n\r\n\r\n# 第二行\n| a | b |\n<at id=all></at>\n\n"
	want := "<font color='grey'>第一行 &#42;&#42;b&#42;&#42;</font>\n\n<font color='grey'>&#35; 第二行</font>\n<font color='grey'>&#124; a &#124; b &#124;</font>\n<font color='grey'>&lt;at id=all>&lt;/at></font>"
	if got := d.Quote(in); got != want {
		t.Errorf("Quote:\n got %q\nwant %q", got, want)
	}
}

// TestEntitiesLeaveNoEscape: no backslash escape and no markup survives
// Escape, whatever the input.
func TestEntitiesLeaveNoEscape(t *testing.T) {
	for _, s := range []string{"", "plain", "a\\*", "a\\b", `\\`, "**x** _y_ `z` ~~w~~", "# h", "- i", "1. x", "<b>[x](y)", "\xff\\*", "a\\"} {
		got := Dialect{}.Escape(s)
		for i := 0; i+1 < len(got); i++ {
			if escapePair.MatchString(got[i : i+2]) {
				t.Errorf("Escape(%q) = %q keeps a backslash escape", s, got)
				break
			}
		}
		if strings.ContainsAny(got, "<[]*`") {
			t.Errorf("Escape(%q) = %q keeps markup", s, got)
		}
	}
}

func TestHelpers(t *testing.T) {
	d := Dialect{}
	if got := d.Bullet(); got != "- " {
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
		if got := d.Color(tt.level, "ok"); got != tt.want {
			t.Errorf("color %s = %q, want %q", tt.level, got, tt.want)
		}
	}
	cards := []struct{ outcome, lang, header, button string }{
		{translate.OutcomeSuccess, "zh", "green", "查看详情"}, {translate.OutcomeFailure, "en", "red", "View"},
		{translate.OutcomeWarning, "", "orange", "查看详情"}, {translate.OutcomeNeutral, "en", "blue", "View"}, {"bogus", "fr", "blue", "查看详情"},
	}
	for _, tt := range cards {
		c := cardOf(translate.Message{Target: Target, Outcome: tt.outcome, Lang: tt.lang, Text: "text", Link: "https://x"}, 0, "")
		if got := c.Card.Header.Template; got != tt.header {
			t.Errorf("header of %q = %q, want %q", tt.outcome, got, tt.header)
		}
		if got := c.Card.Elements[1].(actionElement).Actions[0].Text.Content; got != tt.button {
			t.Errorf("button in %q = %q, want %q", tt.lang, got, tt.button)
		}
	}
	// The header says the headline: a card with no more to say has no
	// empty markdown element, only its button.
	if c := cardOf(translate.Message{Target: Target, Title: "t", Link: "https://x"}, 0, ""); len(c.Card.Elements) != 1 {
		t.Errorf("card without text has elements %+v, want the button alone", c.Card.Elements)
	}
	if got := d.MentionLine([]string{"13800000000"}, []string{"ou_a", "u_b"}); got != "<at id=ou_a></at> <at id=u_b></at>" {
		t.Errorf("mention line %q", got)
	}
}
