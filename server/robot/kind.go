// Package robot is the seam to the chat services: each kind is a package
// below implementing Kind, so nothing else names a kind. It also holds what
// kinds share: posting, classified send errors, URL redaction, pacing.
package robot

import (
	"context"
	"net/http"
	"net/url"

	"github.com/coding-relay/coding-relay/translate"
)

// Kind is one chat service's robot API; its package owns everything about
// the service, from URLs and credentials to wire body, answers and pacing.
type Kind interface {
	// Name (lower-case letters) is the URL prefix (<name>+http://…), the
	// default robot name prefix and the metrics label.
	Name() string
	// Match reports whether an unprefixed robot URL's host is this service.
	Match(u *url.URL) bool
	// Params are this kind's own relay parameters in a robot URL.
	Params() []string
	// Query are the service's own query parameters, which stay in the URL
	// (DingTalk's access_token); nil when the credential is in the path.
	Query() []string
	// Open checks u (relay parameters removed; own holds this kind's
	// Params) and returns its endpoint. Errors must not quote a credential.
	Open(u *url.URL, own url.Values) (Endpoint, error)
	// Redact hides u's credential, for config errors before Open succeeds.
	Redact(u *url.URL) string
	// Dialects are the dialects this kind's robots are rendered in, the
	// default first (WeCom: markdown, then markdown_v2).
	Dialects() []translate.Dialect
	// Preview is a credential-less endpoint rendering for t, for previews.
	Preview(t translate.Target) Endpoint
	// Limits is the service's own limit, the default pacing.
	Limits() Limits
}

// Endpoint is one configured robot of a kind: its URL, credential and
// message format. It is safe for concurrent use.
type Endpoint interface {
	// Credential (token or key) identifies the group the robot posts to.
	// It is a secret: fingerprint it, never show it.
	Credential() string
	// Display is the robot's URL with every credential hidden.
	Display() string
	// Target is the dialect this robot's messages are rendered in.
	Target() translate.Target
	// Signed reports whether requests are signed with a secret.
	Signed() bool
	// Body is m's unsigned wire body, for previews.
	Body(m translate.Message, msgUUID string) ([]byte, error)
	// Send posts m; a non-nil error is an *Error saying whether and when
	// to retry. msgUUID is stable across retries, for services' dedup.
	Send(ctx context.Context, client *http.Client, m translate.Message, msgUUID string) error
}

// Sender is an endpoint bound to the HTTP client it posts with: what the
// delivery queue calls.
type Sender struct {
	Endpoint Endpoint
	Client   *http.Client
}

// Send posts m through the bound client.
func (s Sender) Send(ctx context.Context, m translate.Message, msgUUID string) error {
	return s.Endpoint.Send(ctx, s.Client, m, msgUUID)
}

// ForTarget finds the kind whose robots render in t, and its dialect.
func ForTarget(kinds []Kind, t translate.Target) (Kind, translate.Dialect, bool) {
	for _, k := range kinds {
		for _, d := range k.Dialects() {
			if d.Name() == t {
				return k, d, true
			}
		}
	}
	return nil, nil, false
}

// Dialects are the dialects of kinds, in order: what the relay renders for.
func Dialects(kinds []Kind) []translate.Dialect {
	var out []translate.Dialect
	for _, k := range kinds {
		out = append(out, k.Dialects()...)
	}
	return out
}

// Targets are the names of the dialects of kinds, in order.
func Targets(kinds []Kind) []string {
	var out []string
	for _, d := range Dialects(kinds) {
		out = append(out, string(d.Name()))
	}
	return out
}
