package console

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/translate"
)

// preview is a robot's endpoint (or a kind's placeholder) and the template variant.
type preview struct {
	endpoint robot.Endpoint
	variant  string
	robot    *robot.Robot // nil for a bare target
}

// renderAnswer is the message, exact body and size against the limit, or the
// problem that stopped it: an answer, not an HTTP error, as the user types.
type renderAnswer struct {
	OK      bool     `json:"ok"`
	Problem *problem `json:"problem,omitempty"`

	Event  string `json:"event,omitempty"`
	Action string `json:"action,omitempty"`
	Target string `json:"target,omitempty"`
	Kind   string `json:"kind,omitempty"`
	// Robot is rendered for; Sent is whether its filters let the event through.
	Robot string `json:"robot,omitempty"`
	Sent  *bool  `json:"sent,omitempty"`

	Title   string          `json:"title,omitempty"`
	Text    string          `json:"text,omitempty"`
	Outcome string          `json:"outcome,omitempty"`
	Body    json.RawMessage `json:"body,omitempty"`
	Bytes   int             `json:"bytes,omitempty"`
	// Size is measured as the limit is (Dialect.Size) against Limit.
	Size     int      `json:"size,omitempty"`
	Limit    int      `json:"limit,omitempty"`
	Fits     bool     `json:"fits"`
	Variant  string   `json:"variant,omitempty"`
	Variants []string `json:"variants,omitempty"`
}

// problem is why rendering failed, with the template's file and line if any.
type problem struct {
	Stage   string `json:"stage"` // payload, template, render, body
	Message string `json:"message"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
}

// templatePos finds "name.tmpl:line" in text/template's errors ("template:
// zh/push.tmpl:12: …", also from a {{define}} of that file).
var templatePos = regexp.MustCompile(`((?:[A-Za-z0-9._-]+/)?[A-Za-z0-9._-]+\.tmpl):(\d+)`)

func problemOf(stage string, err error) *problem {
	p := &problem{Stage: stage, Message: err.Error()}
	if m := templatePos.FindStringSubmatch(p.Message); m != nil {
		p.File = m[1]
		p.Line, _ = strconv.Atoi(m[2])
	}
	return p
}

// render decodes the payload and renders it with r as p's robot gets it.
func (p preview) render(kinds []robot.Kind, r *translate.Renderer, src source.Source, event string, payload []byte) renderAnswer {
	k, d, _ := robot.ForTarget(kinds, p.endpoint.Target())
	ans := renderAnswer{Target: string(d.Name()), Kind: k.Name(), Variant: p.variant, Variants: r.Variants()}
	ev, err := src.DecodePayload(event, payload)
	if err != nil {
		ans.Problem = problemOf("payload", err)
		return ans
	}
	ans.Event, ans.Action = ev.Name, ev.Action
	if p.robot != nil {
		sent := p.robot.Wants(ev)
		ans.Robot, ans.Sent = p.robot.Name, &sent
	}
	pv, err := robot.RenderPreview(context.Background(), r, ev, p.endpoint, d, p.variant)
	var pe *robot.PreviewError
	if errors.As(err, &pe) {
		ans.Problem = problemOf(pe.Stage, err)
		return ans
	}
	ans.OK = true
	ans.Title, ans.Text, ans.Outcome = pv.Message.Title, pv.Message.Text, pv.Message.Outcome
	ans.Body, ans.Bytes = pv.Body, len(pv.Body)
	ans.Size, ans.Limit, ans.Fits = pv.Size, pv.Limit, pv.Fits()
	return ans
}
