package translate

// The wire bodies as the DingTalk and WeCom kinds build them, kept here as
// the oracle that Size and the size fitting are tested against (translate
// cannot import the kinds, which import it).

import (
	"bytes"
	"encoding/json"
	"fmt"
)

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
