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

// MaxBody is Feishu's limit on the whole JSON request body (20 KB; a body
// of exactly this size is accepted).
const MaxBody = 20 * 1024

// Dialect is the markdown of a Feishu card (JSON 1.0 cards), Feishu's own
// subset: **bold**, *italic*, ~~strike~~, [text](url), <font
// color='green|red|grey'>, <at id=…></at>, "- " lists and \n line breaks,
// but no headings and no quotes. The title is in the card's header.
// Characters that would be markup are escaped with HTML entities (&#42;
// for *), as Feishu documents, not with backslashes.
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

// Quote, as the card has no quotes, is every line of the user text,
// escaped, in grey (each line its own <font>, so a cut between lines
// leaves no element open), the lines broken with \n, and "|" escaped
// (JSON 2.0 cards render tables).
func (Dialect) Quote(s string) string {
	return translate.QuoteLines(s, "\n", "", func(l string) string {
		return "<font color='grey'>" + entities(translate.NoPipes(l)) + "</font>"
	})
}

// Bullet is a list item.
func (Dialect) Bullet() string { return "- " }

// colors are the <font> colours Feishu's card markdown documents.
var colors = map[string]string{
	"success": "green", "info": "green",
	"failure": "red", "warning": "red", "error": "red",
	"running": "grey", "comment": "grey", "neutral": "grey",
}

// Color is a <font color='…'> element, in single quotes as Feishu's
// documentation writes it.
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

// sizeSign stands for a signature in the body Size measures: a base64
// HMAC-SHA256 is 44 characters, with a 10-digit timestamp.
var sizeSign = strings.Repeat("s", 43) + "="

const sizeTimestamp = 9_999_999_999

// Size is the length of the card Send posts for m, signed.
func (Dialect) Size(m translate.Message) int {
	return robot.JSONSize(cardOf(m, sizeTimestamp, sizeSign))
}

// Limit is MaxBody.
func (Dialect) Limit() int { return MaxBody }

// entities turns the escapes of translate.EscapeInline into the HTML
// entities Feishu documents for showing markup characters: \* becomes &#42;,
// "<" and a word joiner &lt;. A backslash before ASCII punctuation in its
// output is always an escape (a user's own is escaped there).
func entities(s string) string {
	s = strings.ReplaceAll(s, "<\u2060", "&lt;")
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	return escapePair.ReplaceAllStringFunc(s, func(e string) string { return "&#" + strconv.Itoa(int(e[1])) + ";" })
}

// escapePair is a backslash escape: a backslash and ASCII punctuation.
var escapePair = regexp.MustCompile(`\\[!-/:-@\[-` + "`" + `{-~]`)
