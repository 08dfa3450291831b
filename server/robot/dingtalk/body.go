package dingtalk

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/coding-relay/coding-relay/translate"
)

// body is DingTalk's markdown message.
type body struct {
	MsgType  string   `json:"msgtype"`
	Markdown markdown `json:"markdown"`
	At       *at      `json:"at,omitempty"`
	MsgUUID  string   `json:"msgUuid,omitempty"`
}

type markdown struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

type at struct {
	AtMobiles []string `json:"atMobiles"`
	AtUserIDs []string `json:"atUserIds"`
	IsAtAll   bool     `json:"isAtAll"`
}

// Body is the JSON DingTalk expects for m:
//
//	{"msgtype":"markdown","markdown":{"title":…,"text":…},"at":{…},"msgUuid":…}
//
// "at" is present only when m mentions somebody, msgUuid only when msgUUID
// is not empty (reuse it when retrying so DingTalk does not post twice).
// HTML is not \u-escaped: DingTalk counts bytes and <font> stays short;
// translate.Size measures exactly this encoding.
func Body(m translate.Message, msgUUID string) ([]byte, error) {
	if m.Target != translate.DingTalk {
		return nil, fmt.Errorf("build dingtalk body: message rendered for %q", m.Target)
	}
	b := body{MsgType: "markdown", Markdown: markdown{Title: m.Title, Text: m.Text}, MsgUUID: msgUUID}
	if b.Markdown.Title == "" {
		b.Markdown.Title = m.Event
	}
	if len(m.AtMobiles) > 0 || len(m.AtUserIDs) > 0 {
		b.At = &at{AtMobiles: nonNil(m.AtMobiles), AtUserIDs: nonNil(m.AtUserIDs)}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return nil, fmt.Errorf("build dingtalk body: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
