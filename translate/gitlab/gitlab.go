// Package gitlab decodes GitLab-format webhooks (GitLab, JiHu, Codeup, TGit)
// into the event model, with their links. Pure: no network, clock or logging.
package gitlab

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/coding-relay/coding-relay/translate"
)

// ErrNoEventName reports a webhook whose headers and body name no event.
var ErrNoEventName = errors.New("no event name")

// Decode decodes a body for the header's hook name ("" = the body's);
// instance is X-Gitlab-Instance, for links of events that carry none. Only
// bad JSON, a non-object or no event name fail; wrong-typed members stay empty.
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

// verbs renames GitLab's actions; unlisted ones are their own verb.
var verbs = map[string]string{
	"open": "opened", "update": "updated", "close": "closed", "reopen": "reopened", "merge": "merged",
	"approval": "approved", "unapproval": "unapproved", "create": "created", "delete": "deleted",
	"push-update": "updated", // TGit: new commits on a merge request
}

func parse(name string, body []byte) (Hook, *payload, error) {
	p := new(payload)
	if err := translate.DecodeObject(body, p); err != nil {
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
