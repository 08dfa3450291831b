package translate

import (
	"slices"
	"testing"
)

// The tests of this package render in the robot kinds' dialects and
// measure the kinds' wire bodies, but cannot import the kinds, which
// import translate (an import cycle). external_test.go, in package
// translate_test, which may, hands them to SetTestKinds before any test
// runs. The names below are shorthands for them.

var testKinds struct {
	dialects []Dialect
	body     func(m Message, msgUUID string) ([]byte, error)
}

// SetTestKinds is for external_test.go: the kinds' dialects, and body
// builds the wire body of a message as the kind of its target does.
func SetTestKinds(dialects []Dialect, body func(m Message, msgUUID string) ([]byte, error)) {
	testKinds.dialects, testKinds.body = dialects, body
}

// The targets of the kinds, in their order.
const (
	DingTalk Target = "dingtalk"
	WeCom    Target = "wecom"
	WeComV2  Target = "wecom_v2"
	Feishu   Target = "feishu"
)

// Targets lists the targets.
var Targets = []Target{DingTalk, WeCom, WeComV2, Feishu}

// The kinds' limits, from robot-api.md: DingTalk's on the whole body
// (strictly smaller), WeCom's on the content, Feishu's on the whole body.
const (
	DingTalkMaxBody = 20000
	WeComMaxContent = 4096
	FeishuMaxBody   = 20 * 1024
)

// dialectOf is the dialect of t.
func dialectOf(t Target) Dialect {
	i := slices.IndexFunc(testKinds.dialects, func(d Dialect) bool { return d.Name() == t })
	if i < 0 {
		panic("no test dialect " + string(t))
	}
	return testKinds.dialects[i]
}

// Size, Limit and Fits measure m in its target's dialect.
func Size(m Message) int     { return dialectOf(m.Target).Size(m) }
func Limit(t Target) int     { return dialectOf(t).Limit() }
func Fits(m Message) bool    { return fits(dialectOf(m.Target), m) }
func bullet(t Target) string { return dialectOf(t).Bullet() }

// escapeFor, quoteBlock, colorize, mdLink and mentionLine are what the
// template functions esc, blockquote, color and link and the mention line
// give for target t.
func escapeFor(t Target, s string) string       { return dialectOf(t).Escape(s) }
func quoteBlock(t Target, s string) string      { return dialectOf(t).Quote(s) }
func colorize(t Target, level, s string) string { return dialectOf(t).Color(level, s) }
func mdLink(t Target, text, u any) string       { return link(dialectOf(t), text, u) }
func mentionLine(t Target, mobiles, ids []string) string {
	return dialectOf(t).MentionLine(mobiles, ids)
}

// wireBody is the body a robot of m's target is sent (with msgUUID where
// the kind sends one).
func wireBody(tb testing.TB, m Message, msgUUID string) []byte {
	tb.Helper()
	b, err := testKinds.body(m, msgUUID)
	if err != nil {
		tb.Fatalf("body: %v", err)
	}
	return b
}
