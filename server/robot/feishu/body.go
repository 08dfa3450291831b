package feishu

import (
	"cmp"
	"fmt"
	"strconv"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/translate"
)

// card is the interactive message: coloured header, markdown text, a button.
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

// Body is the card for m, signed when ts is not 0; no link, no button.
func Body(m translate.Message, ts int64, sign string) ([]byte, error) {
	if m.Target != Target {
		return nil, fmt.Errorf("build feishu body: message rendered for %q", m.Target)
	}
	b, err := robot.JSON(cardOf(m, ts, sign))
	if err != nil {
		return nil, fmt.Errorf("build feishu body: %w", err)
	}
	return b, nil
}

func cardOf(m translate.Message, ts int64, sign string) card {
	title := cmp.Or(m.Title, m.Event)
	c := card{MsgType: "interactive", Card: cardBody{
		Config:   cardConfig{WideScreenMode: true},
		Header:   header{Title: plainText{"plain_text", title}, Template: cmp.Or(headerColours[m.Outcome], "blue")},
		Elements: []any{},
	}}
	// A card may not have an empty markdown element.
	if m.Text != "" {
		c.Card.Elements = append(c.Card.Elements, markdownElement{"markdown", m.Text})
	}
	if m.Link != "" {
		c.Card.Elements = append(c.Card.Elements, actionElement{Tag: "action", Actions: []button{{
			Tag: "button", Text: plainText{"plain_text", cmp.Or(buttonTexts[m.Lang], "查看详情")}, Type: "primary", URL: m.Link,
		}}})
	}
	if ts != 0 {
		c.Timestamp, c.Sign = formatTS(ts), sign
	}
	return c
}

func formatTS(ts int64) string { return strconv.FormatInt(ts, 10) }

// headerColours are the header colours by outcome (blue for none); buttonTexts
// the button's text by language (zh for any other).
var (
	headerColours = map[string]string{translate.OutcomeSuccess: "green", translate.OutcomeFailure: "red", translate.OutcomeWarning: "orange"}
	buttonTexts   = map[string]string{"en": "View"}
)
