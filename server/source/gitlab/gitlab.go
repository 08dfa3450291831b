// Package gitlab is the POST /webhook/gitlab intake: GitLab and JiHu
// (X-Gitlab-Event, X-Gitlab-Token, Idempotency-Key), Codeup (Codeup-Event,
// X-Codeup-Token) and TGit (X-Event, X-Token); payloads: translate/gitlab.
package gitlab

import (
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/translate"
	payloads "github.com/coding-relay/coding-relay/translate/gitlab"
)

// Source is the GitLab intake. The zero value takes every request.
type Source struct {
	// Token is RELAY_GITLAB_TOKEN; when set, every request must carry it.
	Token string
	// Key is RELAY_GITLAB_SIGNING_KEY (see ParseKey); when set, all must be signed.
	Key []byte
	// Now checks signature timestamps; time.Now when nil.
	Now func() time.Time
}

var (
	_ source.Source   = Source{}
	_ source.Verifier = Source{}
)

// maxDelivery bounds Idempotency-Key: it keys the dedup index.
const maxDelivery = 200

// Name is "gitlab".
func (Source) Name() string { return "gitlab" }

// Path is /webhook/gitlab.
func (Source) Path() string { return "/webhook/gitlab" }

// Check accepts application/json, the only body GitLab, Codeup and TGit send.
func (Source) Check(h http.Header) error {
	if source.MediaType(h) != "application/json" {
		return source.Errorf(source.ErrUnsupported, "Content-Type must be application/json")
	}
	return nil
}

// Verify checks the secret token and, as the body streams, the signature.
func (s Source) Verify(h http.Header, body io.Reader) error {
	if err := s.checkToken(h); err != nil || s.Key == nil {
		return err
	}
	return s.verify(h, func(w io.Writer) { _, _ = io.Copy(w, body) })
}

// Decode checks token and signature and decodes the event. A System Hook (an
// instance's feed of every project) is answered, not sent (source.ErrIgnored).
func (s Source) Decode(h http.Header, body []byte) (*translate.Event, error) {
	if err := s.checkToken(h); err != nil {
		return nil, err
	}
	if s.Key != nil {
		if err := s.verify(h, func(w io.Writer) { _, _ = w.Write(body) }); err != nil {
			return nil, err
		}
	}
	name := s.EventHeader(h)
	if hook, _ := payloads.ParseHook(name); hook == payloads.HookSystem {
		return nil, source.Errorf(source.ErrIgnored, "System Hook events are not relayed: add the webhook to a project or a group")
	}
	if len(s.Delivery(h)) > maxDelivery {
		return nil, source.Errorf(source.ErrBadRequest, "Idempotency-Key is longer than %d characters", maxDelivery)
	}
	ev, err := payloads.Decode(name, body, h.Get("X-Gitlab-Instance"))
	if errors.Is(err, payloads.ErrNoEventName) {
		return nil, source.Errorf(source.ErrBadRequest, "no event name: set X-Gitlab-Event, or send object_kind or event_name in the body")
	}
	if err != nil {
		return nil, source.Errorf(source.ErrBadRequest, "malformed JSON payload: %v", err)
	}
	return ev, nil
}

// DecodePayload decodes a payload for a hook name ("Push Hook"; "" = body's).
func (Source) DecodePayload(name string, payload []byte) (*translate.Event, error) {
	return payloads.Decode(name, payload, "")
}

// Delivery is Idempotency-Key, stable across retries and resends (unlike
// X-Gitlab-Webhook-UUID), else webhook-id, which GitLab sets to the same.
func (Source) Delivery(h http.Header) string {
	_, v := header(h, "Idempotency-Key", "Webhook-Id")
	return v
}

// EventHeader is X-Gitlab-Event, else Codeup-Event (Codeup), else X-Event (TGit).
func (Source) EventHeader(h http.Header) string {
	_, v := header(h, "X-Gitlab-Event", "Codeup-Event", "X-Event")
	return v
}

// Canonical maps GitLab's event names ("Merge Request Hook", "note") to the model's.
func (Source) Canonical(name string) string { return payloads.Canonical(name) }

// checkToken compares the GitLab, Codeup or TGit token in constant time.
func (s Source) checkToken(h http.Header) error {
	k, v := header(h, "X-Gitlab-Token", "X-Codeup-Token", "X-Token")
	switch {
	case s.Token == "":
		return nil
	case v == "":
		return source.Errorf(source.ErrUnauthorized, "missing X-Gitlab-Token (RELAY_GITLAB_TOKEN is set)")
	case subtle.ConstantTimeCompare([]byte(v), []byte(s.Token)) != 1:
		return source.Errorf(source.ErrUnauthorized, "%s does not match RELAY_GITLAB_TOKEN", k)
	}
	return nil
}

// header is the first of keys that h has, and its value.
func header(h http.Header, keys ...string) (key, value string) {
	for _, k := range keys {
		if v := h.Get(k); v != "" {
			return k, v
		}
	}
	return "", ""
}
