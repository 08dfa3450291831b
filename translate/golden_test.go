package translate

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coding-relay/coding-relay/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testMentions is the mention directory the golden renders use.
// dongfeilong has a Feishu user_id only, the others an open_id.
var testMentions = map[string]Mention{
	"zhangliang":  {"dingtalk_mobile": "13800000001", "wecom_userid": "ZhangLiang", "feishu_open_id": "ou_zhangliang"},
	"dongfeilong": {"dingtalk_userid": "dfl-ding", "wecom_userid": "DongFeiLong", "feishu_user_id": "dfl-feishu"},
	"lisi":        {"dingtalk_mobile": "13800000002", "wecom_userid": "LiSi", "feishu_open_id": "ou_lisi", "feishu_user_id": "lisi-feishu"},
	"NeayPucMAz":  {"dingtalk_mobile": "13800000003", "wecom_userid": "AlexLi", "feishu_open_id": "ou_alexli"},
}

func newTestRenderer(tb testing.TB, lang string) *Renderer {
	tb.Helper()
	r, err := New(templates.FS, nil, Options{Dialects: testKinds.dialects, Language: lang, Mentions: testMentions})
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

// TestGolden renders every payload for every target and language and
// compares the message as a person sees it (see goldenText) with
// testdata/golden/<lang>/<target>/<payload>.md, and a digest of some of
// them with _digest.md there.
func TestGolden(t *testing.T) {
	ps := payloads(t)
	for _, lang := range templates.Languages {
		r := newTestRenderer(t, lang)
		for _, target := range Targets {
			dir := goldenDir(t, lang, target)
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
					assertWellFormed(t, m, wireBody(t, m, ""))
					assertLinked(t, m)
					assertOutcomeShown(t, m)
					switch target {
					case WeComV2:
						assertWeComV2(t, m)
					case Feishu:
						assertFeishu(t, m)
					}
					checkGolden(t, filepath.Join(dir, strings.TrimSuffix(name, ".json")+".md"), goldenText(m))
				})
			}
			for _, golden := range sortedKeys(digestGoldens) {
				t.Run(lang+"/"+string(target)+"/"+golden, func(t *testing.T) {
					var msgs []Message
					for _, name := range digestGoldens[golden] {
						m, err := r.Render(decodeFile(t, name), target, "")
						if err != nil {
							t.Fatal(err)
						}
						msgs = append(msgs, m)
					}
					var at Times
					if golden == "_digest-late" {
						at = lateTimes(len(msgs))
					}
					d, n, err := r.DigestPrefix(target, msgs, at)
					if err != nil || n != len(msgs) {
						t.Fatalf("DigestPrefix: %d of %d, %v", n, len(msgs), err)
					}
					assertWellFormed(t, d, wireBody(t, d, ""))
					checkGolden(t, filepath.Join(dir, golden+".md"), goldenText(d))
				})
			}
		}
	}
}

// digestGoldens are the golden digests (_digest*.md) and their messages:
// _digest has each outcome and mentions; _digest-late is sent 18 minutes
// after its first item, across midnight (see lateTimes); _digest-burst is
// a burst of mixed events from several projects, two builds failing among
// them.
var digestGoldens = map[string][]string{
	"_digest":      {"push-two-commits.json", "merge_request-create.json", "ci-complete_build-failed.json", "merge_request-merge.json", "push-branch-delete.json"},
	"_digest-late": {"push-two-commits.json", "ci-complete_build-failed.json", "GIT_PUSHED-branch-delete.json", "merge_request-merge.json"},
	"_digest-burst": {"push-120-commits-oldest-first.json", "GIT_PUSHED.json", "ci-complete_build-success.json", "CI_JOB_FINISHED-no-html-url.json",
		"GIT_MR_CREATED-no-html-url.json", "GIT_MR_MERGED-by-reviewer.json", "task-opened-priority-3.json", "ISSUE_STATUS_UPDATED.json",
		"GIT_PUSHED-branch-delete.json", "release-published.json", "ci-failed_build.json", "DEPLOY_FINISHED.json"},
}

// lateTimes are n items arriving five minutes apart from 23:50 Beijing
// time, the digest sent at 00:08 the next day: a robot that was down a
// while.
func lateTimes(n int) Times {
	start := time.Date(2026, 12, 7, 15, 50, 0, 0, time.UTC)
	at := Times{Sent: start.Add(18 * time.Minute)}
	for i := range n {
		at.Arrived = append(at.Arrived, start.Add(time.Duration(i)*5*time.Minute))
	}
	return at
}

// goldenDir is the golden files' directory of one language and target;
// with -update it is emptied first, so goldens of removed payloads go.
func goldenDir(tb testing.TB, lang string, target Target) string {
	tb.Helper()
	dir := filepath.Join("testdata", "golden", lang, string(target))
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			tb.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// checkGolden compares got with the golden file, or writes it with -update.
func checkGolden(tb testing.TB, file, got string) {
	tb.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		tb.Fatalf("%v (run go test ./translate -update)", err)
	}
	if got != string(want) {
		tb.Errorf("message differs from %s (run go test ./translate -update and review the diff)\n got:\n%s\nwant:\n%s", file, got, want)
	}
}

// goldenText is a message as a person sees it, for a golden file a review
// diff can be read in: a header with what shows besides the text (the
// title, the link, the outcome unless neutral, for Feishu the card's
// header colour, the mentions and the digest summary line), a line
// "---", then the text exactly as rendered. Header values are one line
// each (titles and summaries are), so the first "---" line ends the header.
func goldenText(m Message) string {
	var b strings.Builder
	line := func(key, value string) {
		if value != "" {
			b.WriteString(key + ": " + value + "\n")
		}
	}
	line("title", m.Title)
	line("link", m.Link)
	line("outcome", m.Outcome)
	if m.Target == Feishu {
		line("card", cardHeader(m)+" header with the title, a button to the link")
	}
	line("at mobiles", strings.Join(m.AtMobiles, ", "))
	line("at user ids", strings.Join(m.AtUserIDs, ", "))
	line("summary", m.Summary)
	b.WriteString("---\n")
	b.WriteString(m.Text)
	b.WriteString("\n")
	return b.String()
}

// cardHeader is the header colour of the card the Feishu kind sends for m.
func cardHeader(m Message) string {
	body, err := testKinds.body(m, "")
	if err != nil {
		panic(err)
	}
	var card struct {
		Card struct {
			Header struct{ Template string } `json:"header"`
		} `json:"card"`
	}
	if err := json.Unmarshal(body, &card); err != nil {
		panic(err)
	}
	return card.Card.Header.Template
}

// assertWellFormed checks what must hold for every message: it fits, it is
// valid UTF-8, it has no raw HTML other than our own <font> and WeCom and
// Feishu mentions, every markdown link is complete, and the body is valid
// JSON.
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
	case Feishu:
		if len(body) > FeishuMaxBody {
			tb.Errorf("Feishu body is %d bytes", len(body))
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

// assertLinked fails when a message links nowhere: every sample payload
// names at least its project or team, so every message has a Link and its
// text at least one link, or, on a card, its button.
func assertLinked(tb testing.TB, m Message) {
	tb.Helper()
	if m.Link == "" {
		tb.Errorf("message has no link:\n%s", m.Text)
	}
	if m.Target != Feishu && !strings.Contains(m.Text, "](http") {
		tb.Errorf("text links nowhere:\n%s", m.Text)
	}
}

// assertOutcomeShown fails when a failure does not say so at a glance:
// its title (a notification, a card's header) and its text carry the mark
// ❌, which shows where colours do not; a card's text leaves the headline
// to the header.
func assertOutcomeShown(tb testing.TB, m Message) {
	tb.Helper()
	if m.Outcome == OutcomeFailure && (!strings.HasPrefix(m.Title, "❌") || (m.Target != Feishu && !strings.Contains(m.Text, "❌"))) {
		tb.Errorf("a failure without its mark:\n%s\n%s", m.Title, m.Text)
	}
	if m.Outcome != OutcomeFailure && strings.Contains(m.Title, "❌") {
		tb.Errorf("a mark of failure on %s: %s", m.Outcome, m.Title)
	}
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

// feishuTag matches the tags a Feishu text may start with: our colours
// and mentions.
var feishuTag = regexp.MustCompile(`^(<font color='(green|red|grey)'>|<at id=[^<>\s]+></at>)`)

func tail(s string, i int) string {
	if len(s)-i > 80 {
		return s[i:i+80] + "…"
	}
	return s[i:]
}

// assertOnlyOurHTML fails on any tag other than <font …>, </font>, (for
// WeCom) <@userid> and (for Feishu) <font color='…'> and <at id=…></at>.
// tagStart is a "<" that could start a tag, an autolink or a mention.
var tagStart = regexp.MustCompile(`^<[\pL/!?@]`)

func assertOnlyOurHTML(tb testing.TB, t Target, s string) {
	tb.Helper()
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, `<font color="`), strings.HasPrefix(rest, "</font>"):
		case !tagStart.MatchString(rest): // no tag, autolink or mention starts here
		case t == WeCom && strings.HasPrefix(rest, "<@"):
		case t == Feishu && feishuTag.MatchString(rest):
			i += len(feishuTag.FindString(rest)) - 1
		default:
			tb.Errorf("raw HTML at %d: %q", i, tail(s, i))
			return
		}
	}
}
