package dingtalk

import (
	"slices"
	"strings"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/translate"
)

// Target is the name DingTalk messages are rendered (and queued) under.
const Target translate.Target = "dingtalk"

// MaxBody is DingTalk's limit on the JSON request body, which must be smaller.
const MaxBody = 20000

// uuidReserve is Size's room for Send's msgUuid field (a UUID up to 48 chars).
const uuidReserve = 64

// Dialect is DingTalk's markdown: headings, lists, quotes, <font color>, and
// @mobile / @userid mentions in the text and the body's "at" list.
type Dialect struct{}

var _ translate.Dialect = Dialect{}

// Name is "dingtalk".
func (Dialect) Name() translate.Target { return Target }

// Capabilities are everything but a card.
func (Dialect) Capabilities() translate.Capabilities {
	return translate.Capabilities{Headings: true, Colors: true, Lists: true, Quotes: true, Mentions: true}
}

// Escape is translate.EscapeInline; one line cannot make a table, so "|" stays.
func (Dialect) Escape(s string) string { return translate.EscapeInline(s) }

// Link is a markdown link.
func (Dialect) Link(text, href string) string {
	return translate.MarkdownLink(translate.EscapeLinkText(text), href)
}

// Quote is a markdown quote, lines ending in two spaces (else DingTalk joins
// them), "|" escaped (the desktop client renders tables).
func (Dialect) Quote(s string) string {
	return translate.QuoteLines(s, "  \n", ">", func(l string) string { return "> " + translate.NoPipes(l) })
}

// Bullet is a list item.
func (Dialect) Bullet() string { return "- " }

var colors = map[string]string{
	"success": "#1a9c3c", "info": "#1a9c3c",
	"failure": "#d9363e", "warning": "#d9363e", "error": "#d9363e",
	"running": "#1677ff", "comment": "#8c8c8c", "neutral": "#8c8c8c",
}

// Color is a <font color="#rrggbb"> element.
func (Dialect) Color(level, text string) string {
	if c, ok := colors[level]; ok {
		return `<font color="` + c + `">` + text + `</font>`
	}
	return text
}

var mentionKeys = []translate.MentionKey{{Name: "dingtalk_mobile", Phone: true}, {Name: "dingtalk_userid"}}

// MentionKeys are dingtalk_mobile (a phone number) and dingtalk_userid.
func (Dialect) MentionKeys() []translate.MentionKey { return mentionKeys }

// MentionLine is @mobile and @userid for each: DingTalk mentions only whom
// both the text and the "at" list name.
func (Dialect) MentionLine(mobiles, ids []string) string {
	all := slices.Concat(mobiles, ids)
	if len(all) == 0 {
		return ""
	}
	return "@" + strings.Join(all, " @")
}

// Size is the length of the body Send posts for m, msgUuid included.
func (Dialect) Size(m translate.Message) int { return robot.JSONSize(wireOf(m, "")) + uuidReserve }

// Limit is just under MaxBody.
func (Dialect) Limit() int { return MaxBody - 1 }
