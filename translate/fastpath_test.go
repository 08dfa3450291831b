package translate

import (
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"
)

// The references below are the straightforward implementations the fast
// paths replaced; the tests check that both agree.

func cleanURLRef(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) > 2 && strings.EqualFold(s[:2], "<a") {
		m := anchorHref.FindStringSubmatch(s)
		if m == nil {
			return ""
		}
		s = m[1] + m[2] + m[3]
	}
	s = strings.TrimSpace(html.UnescapeString(s))
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		return ""
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
		case r == ' ':
			b.WriteString("%20")
		case strings.ContainsRune(`()<>[]"'`+"`", r):
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[r>>4])+string("0123456789abcdef"[r&15])))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// liveMarkup is what escaped text must not hold: a "<" that could start a
// tag, an autolink or a mention, an "@" right before a name, a bracket
// that no backslash escapes.
var liveMarkup = regexp.MustCompile(`<[\pL/!?@]|@[\pL\pN]|(^|[^\\])[\[\]]`)

var blankRunsRef = regexp.MustCompile(`\n[ \t]*\n(?:[ \t]*\n)+`)

var fastPathSeeds = []string{
	"", " ", "plain", "中文 名字", "a_b", "_a", "a_", "**bold**", "`code`", "~~x~~", "a~b",
	"@all", "@ 1", "a@b.c", "x@", "<b>", "[x](y)", "a\\*", "a\\b", "&lt;", "& b", "&#60;",
	"# h", "  > q", "- item", "-x", "--", "+", "= x", "1. one", "12) x", "1.5", "3", " 7.",
	"tab\there", "line\nbreak", "cr\r\n", "nul\x00", "del\x7f", "ls\u2028ps\u2029", "bad\xffutf8", "\xc3",
	"https://x.coding.net/p/a", "HTTP://X/Y", "https://x/a b(c)[d]<e>\"f'g`h", "http://x/\x01y",
	"<a href='https://t.coding.net/p/demo'>demo</a>", "https://x/&amp;y", " https://x ", "ftp://x",
	"javascript:alert(1)", "https://ｘ/中", "https://x/\xff", "\u212Attps://x", "httpſ://x",
	"https://e.coding.net/api/team/t/project/p/git/commit/0123abcDEF",
	"https://e.coding.net/api/team/t/project/p/git/commit/xyz",
	"https://e.coding.net/api/team//project/p/git/commit/01",
	"https://e.coding.net/api/team/t/project/p/git/commit/01/",
	"http://h:8080/api/team/t/project/p/git/commit/ab",
	"https:///api/team/t/project/p/git/commit/ab",
	"https://h/x/api/team/t/project/p/git/commit/ab",
	"https://h/api/team/t/project/p/git/commit/ab\n",
	"quote\" back\\ \b\f\n\r\t \x01\x1f <>&",
	"a\n\n\nb", "a\n \t\n\t \n  b", "\n\n\n", "a\n\nb", "a\n \nb\n\n\n\nc\n\n", "x\n  \n  \n y",
}

func checkFastPaths(t *testing.T, s string) {
	t.Helper()
	if got, want := cleanURL(s), cleanURLRef(s); got != want {
		t.Errorf("cleanURL(%q) = %q, want %q", s, got, want)
	}
	if got, want := EscapeInline(s), escapeInline(s); got != want {
		t.Errorf("EscapeInline(%q) = %q, want %q", s, got, want)
	}
	for _, target := range Targets {
		if esc := escapeFor(target, s); liveMarkup.MatchString(esc) {
			t.Errorf("escapeFor(%s, %q) = %q keeps markup", target, s, esc)
		}
	}
	if got, want := oneLine(s), strings.Join(strings.Fields(s), " "); got != want {
		t.Errorf("oneLine(%q) = %q, want %q", s, got, want)
	}
	if got, want := tidyText(s), blankRunsRef.ReplaceAllString(strings.TrimSpace(s), "\n\n"); got != want {
		t.Errorf("tidyText(%q) = %q, want %q", s, got, want)
	}
	for _, m := range []Message{
		{Target: DingTalk, Event: "push", Title: s, Text: s + "\n" + s},
		{Target: DingTalk, Event: s, Text: "x", AtMobiles: []string{s, "138"}},
		{Target: Feishu, Event: "e", Title: "t", Text: s, Link: s},
	} {
		if body := wireBody(t, m, ""); !json.Valid(body) || Size(m) < len(body) {
			t.Errorf("%+v: Size %d, body %s", m, Size(m), body)
		}
	}
}

func TestFastPathsMatchReferences(t *testing.T) {
	for _, s := range fastPathSeeds {
		checkFastPaths(t, s)
	}
}

func FuzzFastPaths(f *testing.F) {
	for _, s := range fastPathSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkFastPaths(t, s) })
}
