package translate

// Regression tests for bugs found in review: markup from a payload field,
// a trailing backslash eating the template's next character, and a digest
// of messages rendered for the other WeCom dialect.

import (
	"strings"
	"testing"
)

// typeZh is printed by the zh issue templates in the heading, text and
// summary: it must be escaped like any other payload text.
func TestIssueTypeZhIsEscaped(t *testing.T) {
	evil := "缺陷\n\n# 标题 | a | b |\n|---|---|\n<font color=\"warning\">x</font> [点我](https://evil.example) <@all> @all"
	body := `{"event":"ISSUE_CREATED","issue":{"code":1,"title":"t","typeZh":` + jsonQuote(evil) + `,"html_url":"https://e.coding.net/p/x/all/issues/1"},"sender":{"name":"u"}}`
	ev, err := Decode("ISSUE_CREATED", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	r := newTestRenderer(t, "zh")
	for _, tg := range Targets {
		m, err := r.Render(ev, tg, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"\n# ", "<font color=\"warning\">x", "[点我]", "<@all>", " @all"} {
			if strings.Contains(m.Text, bad) || strings.Contains(m.Summary, bad) {
				t.Errorf("%s: user typeZh reaches the message as markup %q:\n%s", tg, bad, m.Text)
			}
		}
		if tg == WeComV2 && strings.Contains(m.Text, "|---|") {
			t.Errorf("wecom_v2: user typeZh builds a table:\n%s", m.Text)
		}
	}
}

// A value ending in a backslash must not escape the template's next
// character: a link's "]" or the closing "**" of a name.
func TestTrailingBackslash(t *testing.T) {
	for _, tg := range Targets {
		got := mdLink(tg, `fix path C:\`, "https://e.coding.net/p/x/git/merge/1")
		label := strings.TrimSuffix(strings.TrimPrefix(got, "["), "](https://e.coding.net/p/x/git/merge/1)")
		if n := len(label) - len(strings.TrimRight(label, `\`)); n%2 == 1 {
			t.Errorf("%s: link %q: the label's trailing backslash escapes the closing ]", tg, got)
		}
		if e := escapeFor(tg, `name\`); strings.HasSuffix(e, `\`) && !strings.HasSuffix(e, `\\`) {
			t.Errorf("%s: esc %q ends in a lone backslash: `**%s**` loses its closing bold", tg, e, e)
		}
	}
}

// Messages queued as WeCom v1 and digested after their robot switched to
// markdown_v2 must not show v1 markup (<font>) as text.
func TestDigestV2OfV1Messages(t *testing.T) {
	r := newTestRenderer(t, "zh")
	ev := decodeFile(t, "ci-complete_build-failed.json")
	m, err := r.Render(ev, WeCom, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Summary, "<font") {
		t.Skip("sample summary has no colour")
	}
	out, err := r.Digest(WeComV2, []Message{m, m})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range out {
		if d.Target == WeComV2 && strings.Contains(d.Text, "<font") {
			t.Errorf("wecom_v2 digest shows v1 <font> tags as text:\n%s", d.Text)
		}
	}
}

func jsonQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
