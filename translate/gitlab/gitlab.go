// Package gitlab decodes GitLab-format webhooks (GitLab, JiHu GitLab,
// Alibaba Codeup, Tencent TGit) into the relay's event model: the hooks'
// names, their payloads, and the links GitLab's pages have. It is pure, like
// translate: no network, no clock, no logging.
package gitlab

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/coding-relay/coding-relay/translate"
)

// ErrNoEventName reports a webhook whose event is named neither by a
// header nor by its body.
var ErrNoEventName = errors.New("no event name")

// Decode decodes a GitLab-format webhook body. name is the hook the
// headers name ("Push Hook"), or "" to take it from the body; instance is
// the GitLab's address when the headers give it (X-Gitlab-Instance), for
// the links of events that carry none. Only malformed JSON, JSON that is
// not an object and a body that names no event fail; a member of the wrong
// type is left empty.
func Decode(name string, body []byte, instance string) (*translate.Event, error) {
	hook, p, err := parse(name, body)
	if err != nil {
		return nil, err
	}
	ev := &translate.Event{Source: "gitlab", SourceName: "GitLab", Name: hook.Kind(), Code: string(hook)}
	ev.Action = cmp.Or(p.Attrs.ExtensionAction, p.Attrs.Action, p.Action)
	ev.Verb = strings.ToLower(ev.Action)
	if v, ok := verbs[ev.Verb]; ok {
		ev.Verb = v
	}
	toEvent(p, ev, instance)
	ev.WithPayload(string(body))
	ev.Complete()
	return ev, nil
}

// verbs are the model's words for GitLab's actions; an action not listed
// is its own verb (approved, unapproved).
var verbs = map[string]string{
	"open": "opened", "update": "updated", "close": "closed", "reopen": "reopened", "merge": "merged",
	"approval": "approved", "unapproval": "unapproved", "create": "created", "delete": "deleted",
	"push-update": "updated", // TGit: new commits on a merge request
}

// parse finds the hook and decodes the payload.
func parse(name string, body []byte) (Hook, *payload, error) {
	p := new(payload)
	if err := translate.DecodeObject(body, p, jsonv1.MatchCaseSensitiveDelimiter(false)); err != nil {
		return "", nil, err
	}
	hook, ok := ParseHook(name)
	switch {
	case name == "":
		hook = detect(p)
	case !ok:
		hook = Hook(name) // a hook GitLab does not document: the generic message
	}
	if hook == "" {
		return "", nil, fmt.Errorf("decode webhook body: %w in the headers or the body", ErrNoEventName)
	}
	return hook, p, nil
}
