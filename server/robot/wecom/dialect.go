package wecom

import (
	"strings"

	"github.com/coding-relay/coding-relay/translate"
)

// The targets WeCom messages are rendered under: one per format, as the two
// disagree on lists, colours and mentions.
const (
	Target   translate.Target = "wecom"
	TargetV2 translate.Target = "wecom_v2"
)

// MaxContent is WeCom's limit on a message's content in UTF-8 bytes (v1 and v2).
const MaxContent = 4096

// Dialect is the markdown of one WeCom message format.
type Dialect struct {
	name   translate.Target
	caps   translate.Capabilities
	bullet string
	keys   []translate.MentionKey
	// pipes escapes "|" where tables render (v2); lineEnd ends a quote line.
	pipes   func(string) string
	lineEnd string
}

// Markdown (v1) has colours and <@userid> mentions but no lists (a list item is
// a quote line). MarkdownV2 has lists and tables but no colours or mentions;
// its quote lines end in two spaces, as WeCom does not document a lone newline.
var (
	Markdown = Dialect{Target, translate.Capabilities{Headings: true, Quotes: true, Colors: true, Mentions: true},
		"> ", []translate.MentionKey{{Name: "wecom_userid"}}, func(s string) string { return s }, "\n"}
	MarkdownV2 = Dialect{TargetV2, translate.Capabilities{Headings: true, Quotes: true, Lists: true},
		"- ", nil, translate.NoPipes, "  \n"}
)

var _ translate.Dialect = Markdown

// Name is Target or TargetV2.
func (d Dialect) Name() translate.Target { return d.name }

// Capabilities: headings and quotes; v1 colours and mentions, v2 lists.
func (d Dialect) Capabilities() translate.Capabilities { return d.caps }

// Escape is translate.EscapeInline, with "|" escaped in v2.
func (d Dialect) Escape(s string) string { return d.pipes(translate.EscapeInline(s)) }

// Link is a markdown link.
func (d Dialect) Link(text, href string) string {
	return translate.MarkdownLink(d.pipes(translate.EscapeLinkText(text)), href)
}

// Quote is a markdown quote.
func (d Dialect) Quote(s string) string {
	return translate.QuoteLines(s, d.lineEnd, ">", func(l string) string { return "> " + d.pipes(l) })
}

// Bullet is a list item in v2 and a quote line in v1.
func (d Dialect) Bullet() string { return d.bullet }

var colors = map[string]string{
	"success": "info", "info": "info",
	"failure": "warning", "warning": "warning", "error": "warning",
	"running": "comment", "comment": "comment", "neutral": "comment",
}

// Color is <font color="info|warning|comment"> in v1; v2 would show the tags.
func (d Dialect) Color(level, text string) string {
	if c, ok := colors[level]; ok && d.caps.Colors {
		return `<font color="` + c + `">` + text + `</font>`
	}
	return text
}

// MentionKeys is wecom_userid for v1; v2 mentions nobody.
func (d Dialect) MentionKeys() []translate.MentionKey { return d.keys }

// MentionLine is <@userid> for each in v1; v2 would show them as text.
func (d Dialect) MentionLine(_, ids []string) string {
	if !d.caps.Mentions || len(ids) == 0 {
		return ""
	}
	return "<@" + strings.Join(ids, "> <@") + ">"
}

// Size is the content's length, which is what WeCom limits.
func (Dialect) Size(m translate.Message) int { return len(m.Text) }

// Limit is MaxContent.
func (Dialect) Limit() int { return MaxContent }
