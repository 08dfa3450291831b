// Package github decodes GitHub, Gitea, Forgejo and Gogs webhooks; pure, no I/O.
package github

import (
	"errors"
	"strings"

	"github.com/coding-relay/coding-relay/translate"
)

// ErrNoEventName reports a webhook without an event name.
var ErrNoEventName = errors.New("no event name")

// Decode parses a body for the header's event name (X-GitHub-Event, …), or
// detects it from the members. Wrong-typed members stay empty; only bad JSON
// or a non-object fails.
func Decode(name string, body []byte) (*translate.Event, error) {
	var p payload
	if err := translate.DecodeObject(body, &p); err != nil {
		return nil, err
	}
	if name = strings.ToLower(strings.TrimSpace(name)); name == "" {
		if name = detect(&p); name == "" {
			return nil, ErrNoEventName
		}
	}
	ev := &translate.Event{Source: "github", SourceName: "GitHub", Name: CanonicalEvent(name), Code: name, Action: p.Action}
	toEvent(&p, ev)
	ev.WithPayload(string(body))
	ev.Complete()
	return ev, nil
}
