package translate

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The Feishu (Lark) dialect. A Feishu custom bot is sent an interactive
// card: the title in its header (plain text, coloured by the outcome), the
// text in a markdown element, and a button to Message.Link. The card's
// markdown (JSON 1.0 cards) is Feishu's own subset: **bold**, *italic*,
// ~~strike~~, [text](url), <font color='green|red|grey'>, <at id=…></at>,
// "- " lists and \n line breaks, but no headings and no quotes (those
// need JSON 2.0 cards). Characters that would be markup are escaped with
// HTML entities (&#42; for *), as Feishu documents, not with backslashes.

// FeishuMaxBody is the Feishu limit on the whole JSON request body
// (20 KB; a body of exactly this size is accepted).
const FeishuMaxBody = 20 * 1024

// feishuCardSkeleton is the request body of the Feishu kind with every
// variable part empty: header title and template (colour), the markdown
// content, the button's text and URL, timestamp and sign.
const feishuCardSkeleton = `{"msg_type":"interactive","card":{"config":{"wide_screen_mode":true},` +
	`"header":{"title":{"tag":"plain_text","content":""},"template":""},` +
	`"elements":[{"tag":"markdown","content":""},` +
	`{"tag":"action","actions":[{"tag":"button","text":{"tag":"plain_text","content":""},"type":"primary","url":""}]}]},` +
	`"timestamp":"","sign":""}`

// feishuCardReserve is the margin FeishuCardOverhead keeps beyond the
// skeleton, for small changes to the card (a field more) that should not
// make a fitting message too big.
const feishuCardReserve = 64

// FeishuCardOverhead is what Size counts for a Feishu message besides its
// JSON-escaped title, text and link: the card skeleton (feishuCardSkeleton
// above, the body the Feishu kind sends, JSON encoded without HTML
// escaping), the longest header colour ("orange") and button text
// ("查看详情"), a 10-digit timestamp in seconds, a 44-character signature
// (base64 of HMAC-SHA256), and a reserve of 64 bytes. A message that Fits
// therefore has a card body of at most FeishuMaxBody bytes.
const FeishuCardOverhead = len(feishuCardSkeleton) + len("orange") + len("查看详情") + 10 + 44 + feishuCardReserve

// feishuBodyLen is what Size counts for a Feishu message: FeishuCardOverhead
// and the JSON-escaped title (the event name when there is none, as on
// DingTalk), text and link.
func feishuBodyLen(m Message) int {
	title := m.Title
	if title == "" {
		title = m.Event
	}
	return FeishuCardOverhead + jsonStringLen(title) + jsonStringLen(m.Text) + jsonStringLen(m.Link)
}

// FeishuHeaderColour is the card header template (colour) for a message's
// outcome: green for success, red for failure, orange for a warning, blue
// otherwise.
func FeishuHeaderColour(outcome string) string {
	switch outcome {
	case OutcomeSuccess:
		return "green"
	case OutcomeFailure:
		return "red"
	case OutcomeWarning:
		return "orange"
	}
	return "blue"
}

// FeishuButtonText is the text of the card's button that opens
// Message.Link, in the language of the templates (Renderer.Language).
func FeishuButtonText(lang string) string {
	if lang == "en" {
		return "View"
	}
	return "查看详情"
}

// feishuColors are the <font> colours of color's levels: Feishu's card
// markdown documents green, red and grey.
var feishuColors = map[string]string{
	"success": "green", "info": "green",
	"failure": "red", "warning": "red", "error": "red",
	"running": "grey", "comment": "grey", "neutral": "grey",
}

// feishuEntities turns the backslash escapes of escapeInline and
// escapeLine into the HTML entities Feishu documents for showing markup
// characters as they are (\* → &#42;). A backslash before ASCII
// punctuation in their output is always one of their escapes (they escape
// a user's own backslash there), so the pairs can be read back left to
// right; any other backslash is the user's and stays.
func feishuEntities(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && s[i+1] < utf8.RuneSelf && isASCIIPunct(s[i+1]) {
			b.WriteString("&#")
			b.WriteString(strconv.Itoa(int(s[i+1])))
			b.WriteByte(';')
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isASCIIPunct(c byte) bool {
	r := rune(c)
	return unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// feishuQuote is blockquote for Feishu, whose JSON 1.0 card markdown has no
// quotes: every line of the user text, escaped, in grey (each line its
// own <font>, so a cut between lines leaves no element open), the lines
// broken with \n, and "|" full-width as quoteBlock does for the dialects
// that render tables (Feishu's JSON 2.0 cards do).
func feishuQuote(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if l == "" {
			continue
		}
		b.WriteString("<font color='grey'>")
		b.WriteString(feishuEntities(noPipes(escapeLine(strings.TrimLeft(l, " ")))))
		b.WriteString("</font>")
	}
	return b.String()
}
