package translate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
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

// Body is the JSON a robot of m's target expects:
//
//	DingTalk {"msgtype":"markdown","markdown":{"title":…,"text":…},"at":{…},"msgUuid":…}
//	WeCom    {"msgtype":"markdown","markdown":{"content":…}}
//
// "at" is present only when m mentions somebody, msgUuid only when msgUUID
// is not empty (reuse it when retrying so DingTalk does not post twice).
// HTML is not \u-escaped: DingTalk counts bytes and <font> stays short.
// WeCom mentions live in the content (<@userid>), so AtUserIDs is not sent.
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
// body in bytes (with room for a msgUuid), for WeCom the content in bytes.
func Size(m Message) int {
	switch m.Target {
	case WeCom:
		return len(m.Text)
	case DingTalk:
		b, err := Body(m, "")
		if err != nil {
			return len(m.Text)
		}
		return len(b) + uuidReserve
	}
	return len(m.Text)
}

// Limit is the largest Size a message for t may have.
func Limit(t Target) int {
	if t == WeCom {
		return WeComMaxContent
	}
	return DingTalkMaxBody - 1 // strictly smaller than 20000
}

// Fits reports whether m's body is within its target's limit (for DingTalk
// with any msgUuid added by Body).
func Fits(m Message) bool {
	return Size(m) <= Limit(m.Target)
}

// jsonStringLen is the length of s as a JSON string without quotes, as Body
// encodes it (HTML not escaped).
func jsonStringLen(s string) int {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return b.Len() - 3 // quotes and newline
}
