// Package github decodes the webhooks of GitHub and GitHub Enterprise
// Server and of the hosts that send GitHub-shaped ones, Gitea, Forgejo and
// Gogs, into the event model the templates see (translate.Event). It is
// pure, like translate: no network, no clock, no logging.
package github

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/coding-relay/coding-relay/translate"
)

// ErrNoEventName reports a webhook without an event name.
var ErrNoEventName = errors.New("no event name")

// Decode parses a webhook body for the event name the sender gave in its
// headers. Unknown fields are ignored and wrongly typed ones left empty;
// only malformed JSON, or JSON that is not an object, fails.
func Decode(name string, body []byte) (*translate.Event, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, ErrNoEventName
	}
	if t := strings.TrimSpace(string(body)); !strings.HasPrefix(t, "{") {
		return nil, errors.New("decode webhook body: want a JSON object")
	}
	var p struct{ Action, Zen string }
	if err := json.Unmarshal(body, &p); err != nil {
		if _, mismatch := errors.AsType[*json.UnmarshalTypeError](err); !mismatch {
			return nil, fmt.Errorf("decode webhook body: %w", err)
		}
	}
	ev := &translate.Event{Source: "github", Name: CanonicalEvent(name), Code: name, Action: p.Action, Zen: p.Zen}
	ev.WithPayload(string(body))
	ev.Complete()
	return ev, nil
}
