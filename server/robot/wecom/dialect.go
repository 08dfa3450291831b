package wecom

import (
	"strings"

	"github.com/coding-relay/coding-relay/translate"
)

// The targets WeCom messages are rendered (and queued) under: one per
// format, as the two disagree on lists, colours and mentions.
const (
	Target   translate.Target = "wecom"
	TargetV2 translate.Target = "wecom_v2"
)

// MaxContent is WeCom's limit on the content of a message, markdown and
// markdown_v2 alike, in UTF-8 bytes.
const MaxContent = 4096

// Dialect is the markdown of one WeCom message format: Markdown or
// MarkdownV2.
type Dialect struct{ v2 bool }

// The dialects of the two formats. Markdown (v1) has colours and
// <@userid> mentions but no lists, so a list item is a quote line;
// MarkdownV2 has real lists (and tables, code blocks, images) but no
// colours and no mentions, so its messages say the outcome in words and
// mention nobody. A message rendered for one and sent in the other still
// reads (see Body).
var (
	Markdown   = Dialect{}
	MarkdownV2 = Dialect{v2: true}
)

var _ translate.Dialect = Markdown

// Name is Target or TargetV2.
func (d Dialect) Name() translate.Target {
	if d.v2 {
		return TargetV2
	}
	return Target
}

// Capabilities: headings and quotes; v1 colours and mentions, v2 lists.
func (d Dialect) Capabilities() translate.Capabilities {
	return translate.Capabilities{Headings: true, Quotes: true, Colors: !d.v2, Mentions: !d.v2, Lists: d.v2}
}

// pipes is what v2 does to a "|" in user text, which could build a table
// there: v1 renders no tables.
func (d Dialect) pipes(s string) string {
	if d.v2 {
		return translate.NoPipes(s)
	}
	return s
}

// Escape is translate.EscapeInline, and for v2 translate.NoPipes.
func (d Dialect) Escape(s string) string { return d.pipes(translate.EscapeInline(s)) }

// Link is a markdown link.
func (d Dialect) Link(text, href string) string {
	return translate.MarkdownLink(d.pipes(translate.EscapeLinkText(text)), href)
}

// Quote is a markdown quote. v1 breaks a line at a newline; v2 gets
// two-space line ends as well, since WeCom does not say how it treats a
// lone newline in a paragraph, which CommonMark shows as a space.
func (d Dialect) Quote(s string) string {
	if d.v2 {
		return translate.QuoteLines(s, "  \n", ">", func(l string) string { return "> " + translate.NoPipes(l) })
	}
	return translate.QuoteLines(s, "\n", ">", func(l string) string { return "> " + l })
}

// Bullet is a list item in v2 and a quote line in v1, which has no lists.
func (d Dialect) Bullet() string {
	if d.v2 {
		return "- "
	}
	return "> "
}

// colors are v1's three <font> colours for the levels.
var colors = map[string]string{
	"success": "info", "info": "info",
	"failure": "warning", "warning": "warning", "error": "warning",
	"running": "comment", "comment": "comment", "neutral": "comment",
}

// Color is a <font color="info|warning|comment"> element in v1; v2 would
// show the tags as they are, so it gets the text alone.
func (d Dialect) Color(level, text string) string {
	if c, ok := colors[level]; ok && !d.v2 {
		return `<font color="` + c + `">` + text + `</font>`
	}
	return text
}

var mentionKeys = []translate.MentionKey{{Name: "wecom_userid"}}

// MentionKeys is wecom_userid for v1; v2 mentions nobody.
func (d Dialect) MentionKeys() []translate.MentionKey {
	if d.v2 {
		return nil
	}
	return mentionKeys
}

// MentionLine is <@userid> for each (v1); v2 would show them as text.
func (d Dialect) MentionLine(_, ids []string) string {
	if d.v2 {
		return ""
	}
	var parts []string
	for _, id := range ids {
		parts = append(parts, "<@"+id+">")
	}
	return strings.Join(parts, " ")
}

// Size is the length of the content, which is what WeCom limits.
func (Dialect) Size(m translate.Message) int { return len(m.Text) }

// Limit is MaxContent.
func (Dialect) Limit() int { return MaxContent }
