package translate

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/coding-relay/coding-relay/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testMentions is the mention directory the golden renders use.
var testMentions = map[string]Mention{
	"zhangliang":  {DingTalkMobile: "13800000001", WeComUserID: "ZhangLiang"},
	"dongfeilong": {DingTalkUserID: "dfl-ding", WeComUserID: "DongFeiLong"},
	"lisi":        {DingTalkMobile: "13800000002", WeComUserID: "LiSi"},
	"NeayPucMAz":  {DingTalkMobile: "13800000003", WeComUserID: "AlexLi"},
}

func newTestRenderer(tb testing.TB, lang string) *Renderer {
	tb.Helper()
	r, err := New(templates.FS, nil, Options{Language: lang, Mentions: testMentions})
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return r
}

// payloads reads testdata/*.json; the event name is the file name up to the
// first "-" (see SampleEventName).
func payloads(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	if len(out) == 0 {
		tb.Fatal("no payloads in testdata")
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestGolden renders every payload for every target and language to the
// exact wire body and compares it with testdata/golden/<lang>/<target>/.
func TestGolden(t *testing.T) {
	ps := payloads(t)
	for _, lang := range templates.Languages {
		r := newTestRenderer(t, lang)
		for _, target := range Targets {
			dir := filepath.Join("testdata", "golden", lang, string(target))
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range sortedKeys(ps) {
				t.Run(lang+"/"+string(target)+"/"+name, func(t *testing.T) {
					ev, err := Decode(SampleEventName(name), ps[name])
					if err != nil {
						t.Fatalf("Decode: %v", err)
					}
					m, err := r.Render(ev, target, "")
					if err != nil {
						t.Fatalf("Render: %v", err)
					}
					body, err := Body(m, "")
					if err != nil {
						t.Fatalf("Body: %v", err)
					}
					assertWellFormed(t, m, body)
					if target == WeComV2 {
						assertWeComV2(t, m)
					}
					golden := filepath.Join(dir, name)
					if *update {
						if err := os.WriteFile(golden, body, 0o644); err != nil {
							t.Fatal(err)
						}
						return
					}
					want, err := os.ReadFile(golden)
					if err != nil {
						t.Fatalf("%v (run go test ./translate -update)", err)
					}
					if !bytes.Equal(body, want) {
						t.Errorf("body differs from %s (run go test ./translate -update and review the diff)\n got: %s\nwant: %s", golden, body, want)
					}
				})
			}
		}
	}
}

// assertWellFormed checks what must hold for every message: it fits, it is
// valid UTF-8, it has no raw HTML other than our own <font> and WeCom
// mentions, every markdown link is complete, and the body is valid JSON.
func assertWellFormed(tb testing.TB, m Message, body []byte) {
	tb.Helper()
	if !Fits(m) {
		tb.Errorf("message does not fit %s: size %d > %d", m.Target, Size(m), Limit(m.Target))
	}
	switch m.Target {
	case DingTalk:
		if len(body) >= DingTalkMaxBody {
			tb.Errorf("DingTalk body is %d bytes", len(body))
		}
	case WeCom:
		if len(m.Text) > WeComMaxContent {
			tb.Errorf("WeCom content is %d bytes", len(m.Text))
		}
	}
	for _, s := range []string{m.Title, m.Text, m.Summary} {
		if !utf8.ValidString(s) {
			tb.Errorf("invalid UTF-8: %q", s)
		}
	}
	if !json.Valid(body) {
		tb.Errorf("body is not valid JSON: %s", body)
	}
	if strings.Contains(m.Summary, "\n") {
		tb.Errorf("summary has a line break: %q", m.Summary)
	}
	assertLinksComplete(tb, m.Text)
	assertLinksComplete(tb, m.Summary)
	assertOnlyOurHTML(tb, m.Target, m.Text)
}

// assertLinksComplete fails when a "[" or "](" starts a link that never
// closes (a link cut in half).
func assertLinksComplete(tb testing.TB, s string) {
	tb.Helper()
	for i := 0; i < len(s); i++ {
		if s[i] != '[' || (i > 0 && s[i-1] == '\\') {
			continue
		}
		end := strings.IndexByte(s[i:], ']')
		if end < 0 {
			tb.Errorf("unclosed [ at %d: %q", i, tail(s, i))
			return
		}
		j := i + end
		if j+1 < len(s) && s[j+1] == '(' && strings.IndexByte(s[j:], ')') < 0 {
			tb.Errorf("link cut in half at %d: %q", i, tail(s, i))
			return
		}
	}
}

func tail(s string, i int) string {
	if len(s)-i > 80 {
		return s[i:i+80] + "…"
	}
	return s[i:]
}

// assertOnlyOurHTML fails on any tag other than <font …>, </font> and (for
// WeCom) <@userid>.
func assertOnlyOurHTML(tb testing.TB, t Target, s string) {
	tb.Helper()
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, `<font color="`), strings.HasPrefix(rest, "</font>"):
		case t == WeCom && strings.HasPrefix(rest, "<@"):
		default:
			tb.Errorf("raw HTML at %d: %q", i, tail(s, i))
			return
		}
	}
}
