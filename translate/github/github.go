// Package github decodes the webhooks of GitHub and GitHub Enterprise
// Server and of the hosts that send GitHub-shaped ones, Gitea, Forgejo and
// Gogs, into the event model (translate.Event): their event names
// (names.go), payloads (payload.go) and the mapping of each event and
// action (event.go). It is pure, like translate: no network, no clock, no
// logging.
package github

import (
	"errors"
	"strings"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/coding-relay/coding-relay/translate"
)

// ErrNoEventName reports a webhook without an event name.
var ErrNoEventName = errors.New("no event name")

// Decode parses a webhook body for the event name the sender gave in its
// headers (X-GitHub-Event, Gitea's X-Gitea-Event-Type, …); without one (a
// preview, a sample) the event is told by the payload's members (see
// detect). Unknown members are ignored and wrongly typed ones left empty;
// only malformed JSON, or JSON that is not an object, fails.
func Decode(name string, body []byte) (*translate.Event, error) {
	var p payload
	// Names matched ignoring _ and - (html_url is HTMLURL), so that the
	// payload structs need no tags.
	if err := translate.DecodeObject(body, &p, jsonv1.MatchCaseSensitiveDelimiter(false)); err != nil {
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
