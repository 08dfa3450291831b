// Package robot is the seam between the relay and the chat services it posts
// to. A robot kind (DingTalk, WeCom, Feishu, …) is one package below this one
// that implements Kind; the relay's configuration, queue, server and CLI
// work through these interfaces and never name a kind. This package also
// holds what the kinds share: posting a JSON body with its answer drained,
// the classified send error the queue schedules retries from, redaction of
// robot URLs, pacing limits, and the configured Robot with its filters.
package robot

import (
	"context"
	"net/http"
	"net/url"

	"github.com/coding-relay/coding-relay/translate"
)

// Kind is one chat service's robot API. Its package owns everything about
// the service: which URLs it recognises, where the credential sits and how
// it is hidden, which relay parameters it takes, the wire body, signing,
// answers and failure classes, and its default pacing.
type Kind interface {
	// Name is the kind's name: the URL prefix (<name>+http://… for tests
	// and proxies), the default robot names (<name>-1) and the metrics
	// label. Lower-case letters only.
	Name() string
	// Match reports whether a robot URL without a kind prefix belongs to
	// this service, by its host.
	Match(u *url.URL) bool
	// Params are the relay parameters this kind accepts in a robot URL
	// besides the ones every robot takes (name, rate, filters, …).
	Params() []string
	// Query are the service's own query parameters, which stay in the URL
	// (DingTalk's access_token); nil when the credential is in the path.
	Query() []string
	// Open checks a robot URL and returns the endpoint it describes. u has
	// every relay parameter removed; own holds this kind's Params that the
	// URL set. Errors must not quote a credential.
	Open(u *url.URL, own url.Values) (Endpoint, error)
	// Redact shows a URL of this kind with its credential hidden, for
	// configuration errors raised before Open succeeded.
	Redact(u *url.URL) string
	// Dialects are the dialects this kind's robots are rendered in, the
	// default first (WeCom: markdown, then markdown_v2).
	Dialects() []translate.Dialect
	// Preview is an endpoint of this kind rendering for t, without a real
	// credential: what the render CLI and /api/render show as the wire body.
	Preview(t translate.Target) Endpoint
	// Limits is the pacing a robot of this kind gets when neither its
	// rate= nor RELAY_RATE_LIMIT says otherwise: the service's own limit.
	Limits() Limits
}

// Endpoint is one configured robot of a kind: its URL, credential and
// message format. It is safe for concurrent use.
type Endpoint interface {
	// Credential identifies the robot itself (its token or key), whatever
	// its name or filters: two entries with the same credential post to the
	// same group. It is a secret: fingerprint it, never show it.
	Credential() string
	// Display is the robot's URL with every credential hidden, for logs,
	// errors and admin answers.
	Display() string
	// Target is the dialect messages for this robot are rendered in.
	Target() translate.Target
	// Signed reports whether requests are signed with a secret.
	Signed() bool
	// Body is the wire body the robot would be sent for m, as a preview
	// (render CLI, /api/render): unsigned, with msgUUID when not empty.
	Body(m translate.Message, msgUUID string) ([]byte, error)
	// Send posts m (rendered for Target) to the robot. A nil error means
	// the service accepted it; otherwise the error is an *Error saying
	// whether to retry and how long to wait. msgUUID is stable across the
	// retries of one message, for services that deduplicate by it.
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
