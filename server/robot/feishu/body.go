package feishu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/coding-relay/coding-relay/translate"
)

// card is the interactive message: a coloured header with the title, the
// text in a markdown element and a button to the thing. translate's
// FeishuCardOverhead counts exactly this skeleton.
type card struct {
	MsgType   string   `json:"msg_type"`
	Card      cardBody `json:"card"`
	Timestamp string   `json:"timestamp,omitempty"`
	Sign      string   `json:"sign,omitempty"`
}

type cardBody struct {
	Config   cardConfig `json:"config"`
	Header   header     `json:"header"`
	Elements []any      `json:"elements"`
}

type cardConfig struct {
	WideScreenMode bool `json:"wide_screen_mode"`
}

type header struct {
	Title    plainText `json:"title"`
	Template string    `json:"template"`
}

type plainText struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

type markdownElement struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

type actionElement struct {
	Tag     string   `json:"tag"`
	Actions []button `json:"actions"`
}

type button struct {
	Tag  string    `json:"tag"`
	Text plainText `json:"text"`
	Type string    `json:"type"`
	URL  string    `json:"url"`
}

// Body is the card for m (rendered for translate.Feishu), with timestamp
// and sign when ts is not 0. A message without a link has no button.
func Body(m translate.Message, ts int64, sign string) ([]byte, error) {
	if m.Target != translate.Feishu {
		return nil, fmt.Errorf("build feishu body: message rendered for %q", m.Target)
	}
	title := m.Title
	if title == "" {
		title = m.Event
	}
	c := card{MsgType: "interactive", Card: cardBody{
		Config:   cardConfig{WideScreenMode: true},
		Header:   header{Title: plainText{"plain_text", title}, Template: translate.FeishuHeaderColour(m.Outcome)},
		Elements: []any{markdownElement{"markdown", m.Text}},
	}}
	if m.Link != "" {
		c.Card.Elements = append(c.Card.Elements, actionElement{Tag: "action", Actions: []button{{
			Tag: "button", Text: plainText{"plain_text", translate.FeishuButtonText(m.Lang)}, Type: "primary", URL: m.Link,
		}}})
	}
	if ts != 0 {
		c.Timestamp, c.Sign = formatTS(ts), sign
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("build feishu body: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func formatTS(ts int64) string { return strconv.FormatInt(ts, 10) }
