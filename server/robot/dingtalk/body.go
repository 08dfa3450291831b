package dingtalk

import (
	"cmp"
	"fmt"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/translate"
)

// wire is DingTalk's markdown message.
type wire struct {
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
// "at" only with mentions; msgUuid only when set (reused on retry so DingTalk
// does not post twice). HTML is not \u-escaped: DingTalk counts bytes.
func Body(m translate.Message, msgUUID string) ([]byte, error) {
	if m.Target != Target {
		return nil, fmt.Errorf("build dingtalk body: message rendered for %q", m.Target)
	}
	b, err := robot.JSON(wireOf(m, msgUUID))
	if err != nil {
		return nil, fmt.Errorf("build dingtalk body: %w", err)
	}
	return b, nil
}

func wireOf(m translate.Message, msgUUID string) wire {
	b := wire{MsgType: "markdown", Markdown: markdown{Title: cmp.Or(m.Title, m.Event), Text: m.Text}, MsgUUID: msgUUID}
	if len(m.AtMobiles) > 0 || len(m.AtUserIDs) > 0 {
		b.At = &at{AtMobiles: nonNil(m.AtMobiles), AtUserIDs: nonNil(m.AtUserIDs)}
	}
	return b
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
