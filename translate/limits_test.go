package translate

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func decodeFile(tb testing.TB, name string) *Event {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	ev, err := Decode(SampleEventName(name), b)
	if err != nil {
		tb.Fatal(err)
	}
	return ev
}

func TestPush120CommitsFitsAndCounts(t *testing.T) {
	ev := decodeFile(t, "push-120-commits.json")
	for _, lang := range []string{"zh", "en"} {
		r := newTestRenderer(t, lang)
		for _, target := range Targets {
			m, err := r.Render(ev, target, "")
			if err != nil {
				t.Fatal(err)
			}
			body := wireBody(t, m, "123e4567-e89b-12d3-a456-426614174000")
			assertWellFormed(t, m, body)
			if !strings.Contains(m.Title, "120") || !strings.Contains(m.Text, "120") {
				t.Errorf("%s/%s: 120 commits not said:\n%s", lang, target, m.Text)
			}
			if !strings.Contains(m.Text, ev.CompareURL) {
				t.Errorf("%s/%s: no compare link for the rest", lang, target)
			}
			if target == DingTalk && len(body) >= DingTalkMaxBody {
				t.Errorf("body with uuid is %d bytes", len(body))
			}
		}
	}
}

func TestLongDescriptionCutAtLine(t *testing.T) {
	r := newTestRenderer(t, "zh")
	ev := decodeFile(t, "merge_request-create-long-body.json")
	for _, target := range Targets {
		m, err := r.Render(ev, target, "")
		if err != nil {
			t.Fatal(err)
		}
		if !Fits(m) {
			t.Fatalf("%s does not fit", target)
		}
		if !strings.Contains(m.Text, "description.…") {
			t.Errorf("%s: description not cut at a line end with …:\n%s", target, m.Text)
		}
	}
}

// TestShrinkLastResort feeds a template that ignores the budget, so only
// the final cut can make it fit.
func TestShrinkLastResort(t *testing.T) {
	long := strings.Repeat("[链接](https://e.coding.net/x) 文字 **粗体** <font color=\"info\">绿</font> ", 800)
	user := mapFS{"huge.tmpl": `{{define "push.text"}}` + long + `{{end}}{{define "push.title"}}` + strings.Repeat("标题", 500) + `{{end}}`}
	r, err := New(testDefaults(t), user, Options{Dialects: testKinds.dialects, Mentions: testMentions})
	if err != nil {
		t.Fatal(err)
	}
	ev := decodeFile(t, "push-two-commits.json")
	for _, target := range Targets {
		m, err := r.Render(ev, target, "")
		if err != nil {
			t.Fatal(err)
		}
		assertWellFormed(t, m, wireBody(t, m, ""))
		if !strings.HasSuffix(m.Text, "…") {
			t.Errorf("%s: cut text does not end with …: %q", target, m.Text[len(m.Text)-40:])
		}
		if Size(m) < Limit(target)-600 {
			t.Errorf("%s: cut far too much: %d of %d", target, Size(m), Limit(target))
		}
	}
}

func TestCutMarkdown(t *testing.T) {
	s := "ab [link](https://x.y/z) cd <font color=\"info\">ok</font> 中文"
	for n := 0; n <= len(s); n++ {
		got := cutMarkdown(s, n)
		if len(got) > n || !utf8.ValidString(got) || !strings.HasPrefix(s, got) {
			t.Fatalf("cutMarkdown(%d) = %q", n, got)
		}
		if strings.Count(got, "[") != strings.Count(got, ")") {
			t.Errorf("cutMarkdown(%d) = %q cuts the link", n, got)
		}
		if strings.Count(got, "<font") != strings.Count(got, "</font>") {
			t.Errorf("cutMarkdown(%d) = %q cuts the font element", n, got)
		}
	}
}

func TestClipLines(t *testing.T) {
	tests := []struct {
		max  int
		in   string
		want string
	}{
		{10, "short", "short"},
		{0, "anything", ""},
		{12, "line one\nline two\nline three", "line one…"},
		{5, "abcdefghij", "abcde…"},
		{4, "中文中文中文", "中文中文…"},
	}
	for _, tt := range tests {
		if got := clipLines(tt.max, tt.in); got != tt.want {
			t.Errorf("clipLines(%d, %q) = %q, want %q", tt.max, tt.in, got, tt.want)
		}
	}
}

func TestHelpers(t *testing.T) {
	tests := []struct{ got, want string }{
		{sha7("f2517d28df3ac6b033a4b8521b324ae5454c1a57"), "f2517d2"},
		{sha7("abc"), "abc"},
		{refName("refs/heads/feature/x"), "feature/x"},
		{refName("refs/tags/v1"), "v1"},
		{refName("main"), "main"},
		{firstLine("\n  subject line  \nbody"), "subject line"},
		{humanBytes(512), "512 B"},
		{humanBytes(7622367), "7.2 MB"},
		{humanBytes(1024), "1.0 KB"},
		{humanBytes(int64(300) << 30), "300 GB"},
		{formatDuration(83000, "zh"), "1 分 23 秒"},
		{formatDuration(3725000, "zh"), "1 小时 2 分"},
		{formatDuration(3725000, "en"), "1 h 2 min"},
		{formatDuration(3600000, "en"), "1 h"},
		{formatDuration(420000, "zh"), "7 分"},
		{formatDuration(301000, "en"), "5 min 1 s"},
		{formatDuration(83, "en", "s"), "1 min 23 s"},
		{formatDuration(45*time.Second, "en"), "45 s"},
		{formatDuration(0, "zh"), ""},
		{formatDuration(500, "zh"), "不到 1 秒"},
		{truncateRunes(3, "中文字符"), "中文…"},
		{truncateRunes(10, "中文字符"), "中文字符"},
		{fmt.Sprint(oneOf("Merged", "merge", "merged")), "true"},
		{buildLevel("FAILED"), "failure"},
		{buildLevel("SUCCEED"), "success"},
		{buildLevel("QUEUED"), "neutral"},
		{colorize(DingTalk, "success", "ok"), `<font color="#1a9c3c">ok</font>`},
		{colorize(WeCom, "failure", "x"), `<font color="warning">x</font>`},
		{colorize(WeCom, "bogus", "x"), `x`},
		{mdLink(DingTalk, "a]b", "javascript:alert(1)"), `a\]b`},
		{mdLink(WeCom, "t", "https://x.y/a b(c)"), "[t](https://x.y/a%20b%28c%29)"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	r := newTestRenderer(t, "zh")
	loc := r.Location()
	for _, tt := range []struct {
		in         any
		lang, want string
	}{
		{int64(1589451706000), "zh", "2020-05-14 18:21"},
		{"1589451706000", "zh", "2020-05-14 18:21"},
		{int64(1589451706000), "en", "2020-05-14 18:21 UTC+8"},
		{time.Date(2020, 5, 14, 10, 21, 0, 0, time.UTC), "en", "2020-05-14 18:21 UTC+8"},
		{time.Date(2020, 5, 14, 0, 0, 0, 0, Day), "en", "2020-05-14"},
		{0, "zh", ""},
		{time.Time{}, "en", ""},
	} {
		if got := formatTime(tt.in, loc, tt.lang); got != tt.want {
			t.Errorf("formatTime(%v, %s) = %q, want %q", tt.in, tt.lang, got, tt.want)
		}
	}
	if got := formatTime(int64(1589451706000), time.FixedZone("IST", 19800), "en"); got != "2020-05-14 15:51 UTC+5:30" {
		t.Errorf("half-hour zone: %q", got)
	}
}
