package feishu

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/translate"
)

// Target is the name Feishu messages are rendered (and queued) under.
const Target translate.Target = "feishu"

// MaxBody is Feishu's limit on the JSON request body (20 KB, inclusive).
const MaxBody = 20 * 1024

// Dialect is Feishu's JSON 1.0 card markdown: **bold**, *italic*, ~~strike~~,
// links, <font color='…'>, <at id=…></at>, "- " lists, \n breaks; no headings
// or quotes (the title is the header). Markup is escaped with HTML entities
// (&#42; for *), as Feishu documents, not backslashes.
type Dialect struct{}

var _ translate.Dialect = Dialect{}

// Name is "feishu".
func (Dialect) Name() translate.Target { return Target }

// Capabilities are a card with colours, lists and mentions.
func (Dialect) Capabilities() translate.Capabilities {
	return translate.Capabilities{Colors: true, Lists: true, Mentions: true, Card: true}
}

// Escape is translate.EscapeInline with entities for its backslash escapes.
func (Dialect) Escape(s string) string { return entities(translate.EscapeInline(s)) }

// Link is a markdown link.
func (Dialect) Link(text, href string) string {
	return translate.MarkdownLink(entities(translate.EscapeLinkText(text)), href)
}

// Quote is each escaped line in its own grey <font> (a cut leaves none open),
// "|" escaped (JSON 2.0 cards render tables): cards have no quotes.
func (Dialect) Quote(s string) string {
	return translate.QuoteLines(s, "\n", "", func(l string) string {
		return "<font color='grey'>" + entities(translate.NoPipes(l)) + "</font>"
	})
}

// Bullet is a list item.
func (Dialect) Bullet() string { return "- " }

var colors = map[string]string{
	"success": "green", "info": "green",
	"failure": "red", "warning": "red", "error": "red",
	"running": "grey", "comment": "grey", "neutral": "grey",
}

// Color is <font color='…'>, single-quoted as Feishu documents it.
func (Dialect) Color(level, text string) string {
	if c, ok := colors[level]; ok {
		return `<font color='` + c + `'>` + text + `</font>`
	}
	return text
}

var mentionKeys = []translate.MentionKey{{Name: "feishu_open_id"}, {Name: "feishu_user_id"}}

// MentionKeys are feishu_open_id (ou_…), which every bot can resolve, else
// the tenant's feishu_user_id.
func (Dialect) MentionKeys() []translate.MentionKey { return mentionKeys }

// MentionLine is <at id=…></at> for each.
func (Dialect) MentionLine(_, ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return "<at id=" + strings.Join(ids, "></at> <at id=") + "></at>"
}

// sizeSign stands for a signature in Size: 44-char HMAC, 10-digit timestamp.
var sizeSign = strings.Repeat("s", 43) + "="

const sizeTimestamp = 9_999_999_999

// Size is the length of the card Send posts for m, signed.
func (Dialect) Size(m translate.Message) int {
	return robot.JSONSize(cardOf(m, sizeTimestamp, sizeSign))
}

// Limit is MaxBody.
func (Dialect) Limit() int { return MaxBody }

// entities turns EscapeInline's escapes into Feishu's documented entities (\*
// → &#42;, "<"+word joiner → &lt;); its backslash before punctuation always escapes.
func entities(s string) string {
	s = strings.ReplaceAll(s, "<\u2060", "&lt;")
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	return escapePair.ReplaceAllStringFunc(s, func(e string) string { return "&#" + strconv.Itoa(int(e[1])) + ";" })
}

var escapePair = regexp.MustCompile(`\\[!-/:-@\[-` + "`" + `{-~]`)
