package wecom

import (
	"fmt"
	"regexp"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/translate"
)

type content struct {
	Content string `json:"content"`
}

type markdownBody struct {
	MsgType  string  `json:"msgtype"`
	Markdown content `json:"markdown"`
}

type markdownV2Body struct {
	MsgType    string  `json:"msgtype"`
	MarkdownV2 content `json:"markdown_v2"`
}

// Body is the JSON a WeCom robot of format expects for m:
//
//	markdown     {"msgtype":"markdown","markdown":{"content":…}}
//	markdown_v2  {"msgtype":"markdown_v2","markdown_v2":{"content":…}}
//
// Mentions are in the content. A v1 rendering sent to a v2 robot (queued
// before a switch) loses its colour tags, as markdown_v2 has no colours.
func Body(m translate.Message, format string) ([]byte, error) {
	var v any
	switch {
	case format == FormatMarkdownV2 && m.Target == TargetV2:
		v = markdownV2Body{MsgType: "markdown_v2", MarkdownV2: content{m.Text}}
	case format == FormatMarkdownV2 && m.Target == Target:
		v = markdownV2Body{MsgType: "markdown_v2", MarkdownV2: content{fontTag.ReplaceAllString(m.Text, "")}}
	case format != FormatMarkdownV2 && (m.Target == Target || m.Target == TargetV2):
		// A v2 rendering sent as v1 reads fine: v1 shows lists as plain lines.
		v = markdownBody{MsgType: "markdown", Markdown: content{m.Text}}
	default:
		return nil, fmt.Errorf("build wecom body: message rendered for %q", m.Target)
	}
	b, err := robot.JSON(v)
	if err != nil {
		return nil, fmt.Errorf("build wecom body: %w", err)
	}
	return b, nil
}

var fontTag = regexp.MustCompile(`</?font[^>]*>`)
