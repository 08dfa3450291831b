package translate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// uuidReserve is the room Fits keeps in a DingTalk body for the msgUuid the
// sender adds ("msgUuid":"<36-character UUID>" and a comma, with margin), so
// a message that fits still fits with any UUID up to 48 characters.
const uuidReserve = 64

type dingTalkBody struct {
	MsgType  string           `json:"msgtype"`
	Markdown dingTalkMarkdown `json:"markdown"`
	At       *dingTalkAt      `json:"at,omitempty"`
	MsgUUID  string           `json:"msgUuid,omitempty"`
}

type dingTalkMarkdown struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

type dingTalkAt struct {
	AtMobiles []string `json:"atMobiles"`
	AtUserIDs []string `json:"atUserIds"`
	IsAtAll   bool     `json:"isAtAll"`
}

type weComBody struct {
	MsgType  string        `json:"msgtype"`
	Markdown weComMarkdown `json:"markdown"`
}

type weComMarkdown struct {
	Content string `json:"content"`
}

// weComV2Body is the markdown_v2 message: the same content object under
// another type and key.
type weComV2Body struct {
	MsgType    string        `json:"msgtype"`
	MarkdownV2 weComMarkdown `json:"markdown_v2"`
}

// Body is the JSON a robot of m's target expects:
//
//	DingTalk {"msgtype":"markdown","markdown":{"title":…,"text":…},"at":{…},"msgUuid":…}
//	WeCom    {"msgtype":"markdown","markdown":{"content":…}}
//	WeComV2  {"msgtype":"markdown_v2","markdown_v2":{"content":…}}
//
// "at" is present only when m mentions somebody, msgUuid only when msgUUID
// is not empty (reuse it when retrying so DingTalk does not post twice).
// HTML is not \u-escaped: DingTalk counts bytes and <font> stays short.
// WeCom mentions live in the content (<@userid>), so AtUserIDs is not sent;
// WeComV2 messages mention nobody.
func Body(m Message, msgUUID string) ([]byte, error) {
	var v any
	switch m.Target {
	case DingTalk:
		b := dingTalkBody{MsgType: "markdown", Markdown: dingTalkMarkdown{Title: m.Title, Text: m.Text}, MsgUUID: msgUUID}
		if b.Markdown.Title == "" {
			b.Markdown.Title = m.Event
		}
		if len(m.AtMobiles) > 0 || len(m.AtUserIDs) > 0 {
			b.At = &dingTalkAt{AtMobiles: nonNil(m.AtMobiles), AtUserIDs: nonNil(m.AtUserIDs)}
		}
		v = b
	case WeCom:
		v = weComBody{MsgType: "markdown", Markdown: weComMarkdown{Content: m.Text}}
	case WeComV2:
		v = weComV2Body{MsgType: "markdown_v2", MarkdownV2: weComMarkdown{Content: m.Text}}
	default:
		return nil, fmt.Errorf("build body: unknown target %q", m.Target)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("build %s body: %w", m.Target, err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Size is what the target's limit is measured on: for DingTalk the whole
// body in bytes (with room for a msgUuid), for WeCom (either message type)
// the content in bytes, for Feishu the whole card body in bytes (see
// FeishuCardOverhead).
func Size(m Message) int {
	switch m.Target {
	case WeCom, WeComV2:
		return len(m.Text)
	case DingTalk:
		return dingTalkBodyLen(m) + uuidReserve
	case Feishu:
		return feishuBodyLen(m)
	}
	return len(m.Text)
}

// dingTalkBodyLen is len(Body(m, "")) for a DingTalk message, counted
// without building the body.
func dingTalkBodyLen(m Message) int {
	title := m.Title
	if title == "" {
		title = m.Event
	}
	n := len(`{"msgtype":"markdown","markdown":{"title":"","text":""}}`) + jsonStringLen(title) + jsonStringLen(m.Text)
	if len(m.AtMobiles) > 0 || len(m.AtUserIDs) > 0 {
		n += len(`,"at":{"atMobiles":,"atUserIds":,"isAtAll":false}`) + jsonListLen(m.AtMobiles) + jsonListLen(m.AtUserIDs)
	}
	return n
}

// jsonListLen is the length of a list of strings in JSON, as Body encodes
// it ([] for none).
func jsonListLen(l []string) int {
	n := 2 + max(0, len(l)-1) // brackets and commas
	for _, s := range l {
		n += 2 + jsonStringLen(s)
	}
	return n
}

// Limit is the largest Size a message for t may have.
func Limit(t Target) int {
	switch t {
	case WeCom, WeComV2:
		return WeComMaxContent
	case Feishu:
		return FeishuMaxBody
	}
	return DingTalkMaxBody - 1 // strictly smaller than 20000
}

// Fits reports whether m's body is within its target's limit (for DingTalk
// with any msgUuid added by Body).
func Fits(m Message) bool {
	return Size(m) <= Limit(m.Target)
}

// jsonStringLen is the length of s as a JSON string without quotes, as Body
// encodes it (encoding/json with HTML not escaped): quote and backslash and
// \b \f \n \r \t take two bytes, other control characters, invalid UTF-8
// bytes, U+2028 and U+2029 six (\u0001, \ufffd, \u2028); everything else
// is copied.
func jsonStringLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t':
				n++
			case c < 0x20:
				n += 5
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 5
		case r == '\u2028' || r == '\u2029':
			n += 3
		}
		i += size
	}
	return n
}
