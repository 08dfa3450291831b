package translate

import (
	"regexp"
	"strings"
	"testing"
)

func TestEscapeInline(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain 中文", "plain 中文"},
		{"@all", "@\u2060all"},
		{"@13800000000 hi", "@\u206013800000000 hi"},
		{"mail a@b.c", "mail a@\u2060b.c"},
		{"lone @ sign", "lone @ sign"},
		{"<@zhangsan>", "<\u2060@\u2060zhangsan>"}, {"a < b <3", "a < b <3"},
		{"<font color=\"red\">x</font>", "<\u2060font color=\"red\">x<\u2060/font>"},
		{"[evil](http://x)", `\[evil\](http://x)`},
		{"![img](http://x)", `!\[img\](http://x)`},
		{"**bold** `code`", `\*\*bold\*\* ` + "\\`code\\`"},
		{"snake_case_name", "snake_case_name"},
		{"_italic_", `\_italic\_`},
		{"~~strike~~", `\~\~strike\~\~`},
		{"a ~ b", "a ~ b"},
		{`back\slash \*`, `back\slash \\\*`},
		{"# heading", `\# heading`},
		{"> quote", `\> quote`},
		{"- item", `\- item`},
		{"1. item", `1\. item`},
		{"1.0.0", "1.0.0"},
		{"line1\nline2\r\n\tx", "line1 line2   x"},
		{"&lt;b&gt; &amp; a & b", "&amp;lt;b&amp;gt; &amp;amp; a & b"},
		{"a -> b", "a -> b"},
		{"zero\u2028sep\x00ctl", "zerosepctl"},
	}
	for _, tt := range tests {
		if got := EscapeInline(tt.in); got != tt.want {
			t.Errorf("EscapeInline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuoteBlock(t *testing.T) {
	in := "\n\n第一行 @all\r\n\r\n\r\n# 第二行\n[x](http://evil)\n\n"
	if got, want := quoteBlock(DingTalk, in), "> 第一行 @\u2060all  \n>  \n> \\# 第二行  \n> \\[x\\](http://evil)"; got != want {
		t.Errorf("DingTalk:\n got %q\nwant %q", got, want)
	}
	if got, want := quoteBlock(WeCom, in), "> 第一行 @\u2060all\n>\n> \\# 第二行\n> \\[x\\](http://evil)"; got != want {
		t.Errorf("WeCom:\n got %q\nwant %q", got, want)
	}
}

func TestCleanURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://e.coding.net/p/x", "https://e.coding.net/p/x"},
		{"<a href='https://e.coding.net/p/x/git/compare/a...b'>a...b</a>", "https://e.coding.net/p/x/git/compare/a...b"},
		{`<A HREF="http://e.coding.net/c?a=1&amp;b=2">c</A>`, "http://e.coding.net/c?a=1&b=2"},
		{"javascript:alert(1)", ""},
		{"<a>no href</a>", ""},
		{"ftp://x", ""},
		{" https://x.y/a b)(\"<>[]`\n", "https://x.y/a%20b%29%28%22%3C%3E%5B%5D%60"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := cleanURL(tt.in); got != tt.want {
			t.Errorf("cleanURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestInjection renders payloads whose user content tries to mention
// people, inject HTML or disguise links, and checks none of it survives.
func TestInjection(t *testing.T) {
	files := []string{"push-injection.json", "merge_request-create-injection.json", "ci-complete_build-failed.json", "GIT_MR_NOTE.json", "ISSUE_COMMENT_CREATED.json"}
	evilLink := regexp.MustCompile(`(^|[^\\])\]\(https?://(evil|a\b|x\b)`)
	for _, lang := range []string{"zh", "en"} {
		r := newTestRenderer(t, lang)
		for _, f := range files {
			ev := decodeFile(t, f)
			for _, target := range Targets {
				m, err := r.Render(ev, target, "")
				if err != nil {
					t.Fatal(err)
				}
				assertWellFormed(t, m, wireBody(t, m, ""))
				// The title is plain text that no robot parses (it is shown as
				// written); the markdown parts must keep user content inert.
				for _, part := range []string{m.Text, m.Summary} {
					if strings.Contains(part, "@all") || strings.Contains(part, "<@zhangsan>") || strings.Contains(part, "@13800000000") {
						t.Errorf("%s %s %s: mention survived: %q", lang, f, target, part)
					}
					if evilLink.MatchString(part) {
						t.Errorf("%s %s %s: disguised link survived: %q", lang, f, target, part)
					}
					if strings.Contains(part, "<script") || strings.Contains(part, `<font color="red"`) {
						t.Errorf("%s %s %s: raw HTML survived: %q", lang, f, target, part)
					}
				}
				for _, mob := range m.AtMobiles {
					if mob == "13800000000" {
						t.Errorf("%s %s: injected mobile mentioned", f, target)
					}
				}
			}
		}
	}
}

func TestMentions(t *testing.T) {
	r := newTestRenderer(t, "zh")
	tests := []struct {
		file        string
		mobiles     []string
		dingIDs     []string
		wecomIDs    []string
		dingTextHas []string
	}{
		{"merge_request-create.json", []string{"13800000002"}, []string{"dfl-ding"}, []string{"LiSi", "DongFeiLong"}, []string{"@13800000002", "@dfl-ding"}},
		{"merge_request-merge-reviewed.json", nil, nil, nil, nil},
		{"task-assigned.json", []string{"13800000002"}, nil, []string{"LiSi"}, []string{"@13800000002"}},
		{"task-edited.json", nil, nil, nil, nil},
		{"ci-complete_build-failed.json", []string{"13800000001"}, nil, []string{"ZhangLiang"}, []string{"@13800000001"}},
		{"ci-complete_build-success.json", nil, nil, nil, nil},
		{"ISSUE_ASSIGNEE_CHANGED.json", []string{"13800000002"}, nil, []string{"LiSi"}, []string{"@13800000002"}},
	}
	for _, tt := range tests {
		ev := decodeFile(t, tt.file)
		dm, err := r.Render(ev, DingTalk, "")
		if err != nil {
			t.Fatal(err)
		}
		wm, err := r.Render(ev, WeCom, "")
		if err != nil {
			t.Fatal(err)
		}
		if !equalStrings(dm.AtMobiles, tt.mobiles) || !equalStrings(dm.AtUserIDs, tt.dingIDs) {
			t.Errorf("%s: DingTalk at = %v %v, want %v %v", tt.file, dm.AtMobiles, dm.AtUserIDs, tt.mobiles, tt.dingIDs)
		}
		for _, s := range tt.dingTextHas {
			if !strings.Contains(dm.Text, s) {
				t.Errorf("%s: DingTalk text lacks %q", tt.file, s)
			}
		}
		if !equalStrings(wm.AtUserIDs, tt.wecomIDs) {
			t.Errorf("%s: WeCom ids = %v, want %v", tt.file, wm.AtUserIDs, tt.wecomIDs)
		}
		for _, id := range tt.wecomIDs {
			if !strings.Contains(wm.Text, "<@"+id+">") {
				t.Errorf("%s: WeCom text lacks <@%s>", tt.file, id)
			}
		}
		body := wireBody(t, dm, "")
		if (len(tt.mobiles)+len(tt.dingIDs) > 0) != strings.Contains(string(body), `"at":`) {
			t.Errorf("%s: at present = %v", tt.file, strings.Contains(string(body), `"at":`))
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
