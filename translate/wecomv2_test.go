package translate

import (
	"regexp"
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/templates"
)

// TestWeComV2Escape checks that user content stays inert in markdown_v2,
// which renders lists, nested quotes, tables, code blocks, images and rules.
func TestWeComV2Escape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain 中文", "plain 中文"},
		{"- item", `\- item`},
		{"+ item", `\+ item`},
		{"* item", `\* item`},
		{"1. item", `1\. item`},
		{"2) item", `2\) item`},
		{"> quote", `\> quote`},
		{">> nested", `\>> nested`},
		{"| a | b |", `\| a \| b \|`},
		{"|---|---|", `\|---\|---\|`},
		{"--- | ---", `\--- \| ---`},
		{"a|b", `a\|b`},
		{`a\|b`, `a\\\|b`},
		{"```go", "\\`\\`\\`go"},
		{"~~~", `\~\~\~`},
		{"---", `\---`},
		{"***", `\*\*\*`},
		{"___", `\_\_\_`},
		{"# heading", `\# heading`},
		{"![img](http://evil)", `!\[img\](http://evil)`},
		{"[x](http://evil)", `\[x\](http://evil)`},
		{"<img src=x>", "<\u2060img src=x>"},
		{`<font color="info">x</font>`, "<\u2060font color=\"info\">x<\u2060/font>"},
		{"<@zhangsan> @all", "<\u2060@\u2060zhangsan> @\u2060all"},
		{"**bold** _it_ `code`", `\*\*bold\*\* \_it\_ ` + "\\`code\\`"},
		{"&lt;b&gt;", "&amp;lt;b&amp;gt;"},
		{"line1\n| a |\n|---|", `line1 \| a \| \|---\|`},
	}
	for _, tt := range tests {
		if got := escapeFor(WeComV2, tt.in); got != tt.want {
			t.Errorf("escapeFor(wecom_v2, %q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// The other dialects render no tables: their escaping is unchanged.
	for _, target := range []Target{DingTalk, WeCom} {
		for _, in := range []string{"a|b", "| a | b |", "- x", "[x](http://evil)"} {
			if got, want := escapeFor(target, in), EscapeInline(in); got != want {
				t.Errorf("escapeFor(%s, %q) = %q, want escapeInline's %q", target, in, got, want)
			}
		}
	}
}

func TestWeComV2Helpers(t *testing.T) {
	if got := bullet(WeComV2); got != "- " {
		t.Errorf("bullet = %q, want a list item", got)
	}
	for _, level := range []string{"success", "failure", "running", "neutral", "info", "warning", "comment", "bogus"} {
		if got := colorize(WeComV2, level, "已合并"); got != "已合并" {
			t.Errorf("color %s = %q, want the plain text", level, got)
		}
	}
	links := []struct{ text, url, want string }{
		{"a|b [x]", "https://e.coding.net/p", `[a\|b \[x\]](https://e.coding.net/p)`},
		{"#12 | fix", "https://e.coding.net/p", `[#12 \| fix](https://e.coding.net/p)`},
		{"x|y", "javascript:alert(1)", `x\|y`},
	}
	for _, tt := range links {
		if got := mdLink(WeComV2, tt.text, tt.url); got != tt.want {
			t.Errorf("link %q %q = %q, want %q", tt.text, tt.url, got, tt.want)
		}
	}
	in := "| a | b |\n|---|---|\n\n```\n<@u> code\n```\n- x\n1. y\n>> z"
	want := "> \\| a \\| b \\|  \n> \\|---\\|---\\|  \n>  \n> \\`\\`\\`  \n> <\u2060@\u2060u> code  \n> \\`\\`\\`  \n> \\- x  \n> 1\\. y  \n> \\>> z"
	if got := quoteBlock(WeComV2, in); got != want {
		t.Errorf("blockquote:\n got %q\nwant %q", got, want)
	}
	if got := quoteBlock(WeCom, "a | b\nc"); got != "> a | b\n> c" {
		t.Errorf("WeCom v1 blockquote changed: %q", got)
	}
}

// TestWeComV2Render renders events with hostile user content for
// markdown_v2 and checks the structure is the templates' own: list items,
// quote lines, headings and paragraphs (starting with bold or a link of
// theirs: a user's "[" is escaped), no table, code block or HTML, and
// nobody mentioned although the templates ask for mentions.
func TestWeComV2Render(t *testing.T) {
	for _, lang := range templates.Languages {
		r := newTestRenderer(t, lang)

		push := decodeFile(t, "push-two-commits.json")
		push.Commits[0].Message = "| a | b |\n|---|---|"
		push.Commits[1].Message = "```sh\nrm -rf /\n```"
		mr := decodeFile(t, "merge_request-create.json")
		mr.Title = "1. fix | <@LiSi>"
		mr.Body = "| x | y |\n| --- | --- |\n| 1 | 2 |\n\n```\ncode\n```\n- item\n1. one\n![img](http://evil)\n<font color=\"warning\">red</font>"
		ci := decodeFile(t, "ci-complete_build-failed.json")

		for _, ev := range []*Event{push, mr, ci} {
			m, err := r.Render(ev, WeComV2, "")
			if err != nil {
				t.Fatal(err)
			}
			assertWellFormed(t, m, wireBody(t, m, ""))
			assertWeComV2(t, m)
			for _, line := range strings.Split(m.Text, "\n") {
				if strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "#### ") && !strings.HasPrefix(line, "**") && !strings.HasPrefix(line, "[") &&
					!strings.HasPrefix(line, "- ") && !strings.HasPrefix(line, "> ") && strings.TrimSpace(line) != ">" {
					t.Errorf("%s/%s: line with structure of its own: %q", lang, ev.Name, line)
				}
			}
			v1, err := r.Render(ev, WeCom, "")
			if err != nil {
				t.Fatal(err)
			}
			if ev != push && len(v1.AtUserIDs) == 0 {
				t.Errorf("%s/%s: the v1 render mentions nobody: the test proves nothing", lang, ev.Name)
			}
		}
		m, err := r.Render(mr, WeComV2, "")
		if err != nil {
			t.Fatal(err)
		}
		reviewers := map[string]string{"zh": "\n- 评审人：", "en": "\n- Reviewers: "}[lang]
		for _, want := range []string{reviewers, "\n> \\| x \\| y \\|  \n", "> \\- item", "> 1\\. one", `!\[img\](http://evil)`} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("%s: merge request lacks %q:\n%s", lang, want, m.Text)
			}
		}
	}
}

// unescapedPipe is a "|" no backslash escapes, which could build a table.
var unescapedPipe = regexp.MustCompile(`(^|[^\\])(\\\\)*\|`)

// assertWeComV2 checks what markdown_v2 cannot show: colours and mentions.
func assertWeComV2(tb testing.TB, m Message) {
	tb.Helper()
	if m.Target != WeComV2 {
		tb.Errorf("target %q", m.Target)
	}
	if strings.Contains(m.Text, "<font") || strings.Contains(m.Text, "</font>") || strings.Contains(m.Summary, "<font") {
		tb.Errorf("<font> in a markdown_v2 message:\n%s", m.Text)
	}
	if strings.Contains(m.Text, "<@") || len(m.AtUserIDs) > 0 || len(m.AtMobiles) > 0 {
		tb.Errorf("mention in a markdown_v2 message (%v %v):\n%s", m.AtUserIDs, m.AtMobiles, m.Text)
	}
	if unescapedPipe.MatchString(m.Text) {
		tb.Errorf("| in a markdown_v2 message:\n%s", m.Text)
	}
}

func TestWeComV2Fits(t *testing.T) {
	if Limit(WeComV2) != WeComMaxContent || Limit(WeComV2) != 4096 {
		t.Errorf("Limit = %d", Limit(WeComV2))
	}
	big := strings.Repeat("a", WeComMaxContent)
	m := Message{Target: WeComV2, Title: strings.Repeat("t", 5000), Text: big}
	if Size(m) != WeComMaxContent || !Fits(m) {
		t.Errorf("4096-byte content: Size %d, Fits %v", Size(m), Fits(m))
	}
	m.Text += "a"
	if Fits(m) {
		t.Error("4097-byte content fits")
	}
	m.Text = strings.Repeat("文", 1365) + "ab" // 4095 + 2 bytes
	if Size(m) != 4097 || Fits(m) {
		t.Errorf("multi-byte content: Size %d, Fits %v", Size(m), Fits(m))
	}

	// A template that ignores the budget is cut to the limit, outside links.
	long := strings.Repeat("- [链接](https://e.coding.net/x) 文字 **粗体**\n", 400)
	user := mapFS{"huge.tmpl": `{{define "wecom_v2.push.text"}}` + long + `{{end}}`}
	r, err := New(templates.FS, user, Options{Dialects: testKinds.dialects, Mentions: testMentions})
	if err != nil {
		t.Fatal(err)
	}
	m, err = r.Render(decodeFile(t, "push-two-commits.json"), WeComV2, "")
	if err != nil {
		t.Fatal(err)
	}
	assertWellFormed(t, m, wireBody(t, m, ""))
	if !strings.HasSuffix(m.Text, "…") || Size(m) > 4096 || Size(m) < 4096-200 {
		t.Errorf("cut to %d bytes, ends %q", Size(m), m.Text[max(0, len(m.Text)-40):])
	}
}

// TestWeComV2Lookup checks the lookup chain V.wecom_v2.E.P, V.E.P,
// wecom_v2.E.P, E.P: wecom.* overrides are written for markdown v1 and do
// not apply.
func TestWeComV2Lookup(t *testing.T) {
	ev := decodeFile(t, "push-two-commits.json")
	render := func(user mapFS, target Target, variant string) string {
		t.Helper()
		r, err := New(templates.FS, user, Options{Dialects: testKinds.dialects})
		if err != nil {
			t.Fatal(err)
		}
		m, err := r.Render(ev, target, variant)
		if err != nil {
			t.Fatal(err)
		}
		return m.Text
	}
	def := render(nil, WeComV2, "")
	if !strings.HasPrefix(def, "#### [uc-api]") {
		t.Fatalf("default push: %q", def)
	}

	v1only := mapFS{"u.tmpl": `{{define "wecom.push.text"}}v1 only{{end}}`}
	if got := render(v1only, WeComV2, ""); got != def {
		t.Errorf("wecom.push.text applied to wecom_v2: %q", got)
	}
	if got := render(v1only, WeCom, ""); got != "v1 only" {
		t.Errorf("wecom.push.text not used for wecom: %q", got)
	}

	both := mapFS{"u.tmpl": `{{define "wecom.push.text"}}v1{{end}}
{{define "wecom_v2.push.text"}}v2 {{bullet}}{{color "success" "ok"}} {{.Lists}} {{.Colors}}{{end}}
{{define "push.text"}}any {{.Target}}{{end}}`}
	if got := render(both, WeComV2, ""); got != "v2 - ok true false" {
		t.Errorf("wecom_v2.push.text: %q", got)
	}
	if got := render(both, WeCom, ""); got != "v1" {
		t.Errorf("wecom with a wecom_v2 override: %q", got)
	}
	if got := render(both, DingTalk, ""); got != "any dingtalk" {
		t.Errorf("dingtalk: %q", got)
	}
	generic := mapFS{"u.tmpl": `{{define "wecom.push.text"}}v1{{end}}{{define "push.text"}}any {{.Target}}{{end}}`}
	if got := render(generic, WeComV2, ""); got != "any wecom_v2" {
		t.Errorf("push.text for wecom_v2: %q", got)
	}

	variants := mapFS{"u.tmpl": `{{define "terse.push.text"}}terse{{end}}
{{define "terse.wecom.push.text"}}terse v1{{end}}
{{define "terse.wecom_v2.push.text"}}terse v2{{end}}
{{define "wecom_v2.push.text"}}v2{{end}}`}
	if got := render(variants, WeComV2, "terse"); got != "terse v2" {
		t.Errorf("variant for wecom_v2: %q", got)
	}
	noV2Variant := mapFS{"u.tmpl": `{{define "terse.push.text"}}terse{{end}}
{{define "terse.wecom.push.text"}}terse v1{{end}}
{{define "wecom_v2.push.text"}}v2{{end}}`}
	if got := render(noV2Variant, WeComV2, "terse"); got != "terse" {
		t.Errorf("V.E.P must win over wecom_v2.E.P and V.wecom.E.P must not apply: %q", got)
	}

	r, err := New(templates.FS, variants, Options{Dialects: testKinds.dialects})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Variants(), ","); got != "brief,terse" {
		t.Errorf("Variants = %q (wecom_v2 is a target, not a variant)", got)
	}
	if !r.HasVariant("terse") || r.HasVariant("nosuch") {
		t.Error("HasVariant")
	}
	if err := r.Check(decodeSample); err != nil {
		t.Errorf("Check: %v", err)
	}
}

// TestWeComV2Mentions: a mentions template may run for wecom_v2, but
// markdown_v2 cannot mention, so nobody is.
func TestWeComV2Mentions(t *testing.T) {
	user := mapFS{"m.tmpl": `{{define "push.mentions"}}{{.Mention .Event.ActorUser "lisi"}}{{end}}`}
	r, err := New(templates.FS, user, Options{Dialects: testKinds.dialects, Mentions: testMentions})
	if err != nil {
		t.Fatal(err)
	}
	ev := decodeFile(t, "push-two-commits.json")
	v1, err := r.Render(ev, WeCom, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(v1.AtUserIDs) == 0 {
		t.Fatalf("the mentions template mentions nobody on wecom: %q", v1.Text)
	}
	v2, err := r.Render(ev, WeComV2, "")
	if err != nil {
		t.Fatal(err)
	}
	assertWeComV2(t, v2)
	if strings.Contains(v2.Text, "LiSi") || strings.HasSuffix(v2.Text, "\n\n") {
		t.Errorf("mention line in %q", v2.Text)
	}
}

func TestWeComV2Digest(t *testing.T) {
	r := newTestRenderer(t, "zh")
	ps := payloads(t)
	var msgs []Message
	for _, name := range sortedKeys(ps) {
		ev, err := Decode(SampleEventName(name), ps[name])
		if err != nil {
			t.Fatal(err)
		}
		m, err := r.Render(ev, WeComV2, "")
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	// Messages rendered for v1 carry mentions; a v2 digest drops them.
	mr, err := r.Render(decodeFile(t, "merge_request-create.json"), WeCom, "")
	if err != nil {
		t.Fatal(err)
	}
	mr.Summary = "mentioning summary"
	msgs = append(msgs, mr)
	out, err := r.Digest(WeComV2, msgs)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 2 {
		t.Fatalf("%d messages in %d digests", len(msgs), len(out))
	}
	items := 0
	for _, d := range out {
		body := wireBody(t, d, "")
		assertWellFormed(t, d, body)
		assertWeComV2(t, d)
		if !strings.HasPrefix(string(body), `{"msgtype":"markdown_v2",`) {
			t.Errorf("digest body %.60s", body)
		}
		items += strings.Count(d.Text, "\n- ")
		if strings.Contains(d.Text, "\n> ") {
			t.Errorf("digest items as quote lines:\n%s", d.Text)
		}
	}
	if items != len(msgs) {
		t.Errorf("%d list items for %d messages", items, len(msgs))
	}

	user := mapFS{"d.tmpl": `{{define "wecom.digest.text"}}v1 {{.Count}}{{end}}{{define "digest.text"}}all {{.Count}} {{.Lists}}{{end}}`}
	r, err = New(templates.FS, user, Options{Dialects: testKinds.dialects})
	if err != nil {
		t.Fatal(err)
	}
	two := []Message{{Target: WeComV2, Title: "a", Summary: "A"}, {Target: WeComV2, Title: "b", Summary: "B"}}
	out, err = r.Digest(WeComV2, two)
	if err != nil || len(out) != 1 || out[0].Text != "all 2 true" {
		t.Errorf("digest.text for wecom_v2 = %+v, %v", out, err)
	}
	user["d.tmpl"] += `{{define "wecom_v2.digest.text"}}v2 {{.Count}}{{end}}`
	r, err = New(templates.FS, user, Options{Dialects: testKinds.dialects})
	if err != nil {
		t.Fatal(err)
	}
	if out, err = r.Digest(WeComV2, two); err != nil || len(out) != 1 || out[0].Text != "v2 2" {
		t.Errorf("wecom_v2.digest.text = %+v, %v", out, err)
	}
}
