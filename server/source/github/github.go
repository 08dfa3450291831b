// Package github is the webhook source of GitHub, GitHub Enterprise Server
// and the hosts that send GitHub-shaped webhooks: Gitea, Forgejo and Gogs.
// It answers POST /webhook/github and, for the people setting them up,
// /webhook/gitea, /webhook/forgejo and /webhook/gogs: the headers tell
// the senders apart, so the routes are the same intake. The payload
// decoding itself is pure and lives in translate/github.
package github

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/translate"
	payloads "github.com/coding-relay/coding-relay/translate/github"
)

// Source is the intake of GitHub-shaped webhooks. The zero value takes
// unsigned webhooks.
type Source struct {
	// Secret is RELAY_GITHUB_SECRET, the webhook secret set at the sender:
	// when set, every request must be signed with it.
	Secret string
}

var (
	_ source.Source   = Source{}
	_ source.Verifier = Source{}
	_ source.Aliased  = Source{}
)

// maxDelivery bounds the delivery id: it keys the dedup index.
const maxDelivery = 200

// The headers each sender puts its event name, delivery id and signature
// in, in the order they are read. Gitea sends its own, Gogs' and GitHub's
// (the same values), Forgejo Gitea's as well; Gitea's and Forgejo's
// *-Event-Type is the finer name (issue_assign where *-Event says issues),
// so it comes first. Gogs sends X-Gogs-* and X-GitHub-Event/-Delivery.
var (
	eventHeaders = []string{
		"X-Forgejo-Event-Type", "X-Gitea-Event-Type",
		"X-GitHub-Event", "X-Forgejo-Event", "X-Gitea-Event", "X-Gogs-Event",
	}
	deliveryHeaders = []string{"X-GitHub-Delivery", "X-Forgejo-Delivery", "X-Gitea-Delivery", "X-Gogs-Delivery"}
	// signatureHeaders: GitHub's is sha256=<hex>, the others bare hex.
	signatureHeaders = []string{"X-Hub-Signature-256", "X-Forgejo-Signature", "X-Gitea-Signature", "X-Gogs-Signature"}
)

// Name is "github".
func (Source) Name() string { return "github" }

// Path is /webhook/github.
func (Source) Path() string { return "/webhook/github" }

// Aliases are the routes named after the other senders.
func (Source) Aliases() []string {
	return []string{"/webhook/gitea", "/webhook/forgejo", "/webhook/gogs"}
}

// Check accepts application/json and application/x-www-form-urlencoded,
// the two content types every one of these senders offers.
func (Source) Check(h http.Header) error {
	if isForm(h) || mediaType(h) == "application/json" {
		return nil
	}
	return source.Errorf(source.ErrUnsupported, "Content-Type must be application/json or application/x-www-form-urlencoded")
}

// Decode unwraps a form body, verifies the signature and decodes the
// payload.
func (s Source) Decode(h http.Header, raw []byte) (*translate.Event, error) {
	payload := raw
	if isForm(h) {
		form, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, source.Errorf(source.ErrBadRequest, "malformed form body: %v", err)
		}
		if payload = []byte(form.Get("payload")); len(payload) == 0 {
			return nil, source.Errorf(source.ErrBadRequest, "form body has no payload field")
		}
	}
	if s.Secret != "" {
		if err := s.verify(h, bytes.NewReader(raw), payload); err != nil {
			return nil, err
		}
	}
	name := s.EventHeader(h)
	if name == "" {
		return nil, source.Errorf(source.ErrBadRequest, "no event name: set X-GitHub-Event, X-Gitea-Event, X-Forgejo-Event or X-Gogs-Event")
	}
	ev, err := payloads.Decode(name, payload)
	if err != nil {
		return nil, source.Errorf(source.ErrBadRequest, "malformed JSON payload: %v", err)
	}
	ev.SourceName = sender(h)
	if len(s.Delivery(h)) > maxDelivery {
		return ev, source.Errorf(source.ErrBadRequest, "delivery id is longer than %d characters", maxDelivery)
	}
	return ev, nil
}

// DecodePayload decodes a payload for the event name.
func (Source) DecodePayload(name string, payload []byte) (*translate.Event, error) {
	return payloads.Decode(name, payload)
}

// Delivery is the sender's delivery id; GitHub sends the same one again
// when a delivery is redelivered.
func (Source) Delivery(h http.Header) string { return first(h, deliveryHeaders) }

// EventHeader is the event name, the finer Gitea/Forgejo name first.
func (Source) EventHeader(h http.Header) string { return first(h, eventHeaders) }

// Canonical maps these senders' event names to the model's.
func (Source) Canonical(name string) string { return payloads.CanonicalEvent(name) }

// Verify checks the signature as the body streams in, when a secret is
// set. A form body is checked by Decode only: Gitea, Forgejo and Gogs sign
// the JSON inside it, not the bytes sent, so here only a missing signature
// is refused.
func (s Source) Verify(h http.Header, body io.Reader) error {
	switch {
	case s.Secret == "":
		return nil
	case isForm(h):
		_, err := signature(h)
		return err
	}
	return s.verify(h, body, nil)
}

// verify checks the request's signature, an HMAC-SHA256 with the secret
// over the raw body, in constant time. alt is the JSON of a form body,
// which the senders other than GitHub sign instead.
func (s Source) verify(h http.Header, body io.Reader, alt []byte) error {
	want, err := signature(h)
	if err != nil {
		return err
	}
	m := hmac.New(sha256.New, []byte(s.Secret))
	_, _ = io.Copy(m, body)
	ok := hmac.Equal(want, m.Sum(nil))
	if !ok && alt != nil {
		m.Reset()
		m.Write(alt)
		ok = hmac.Equal(want, m.Sum(nil))
	}
	if ok {
		return nil
	}
	return source.Errorf(source.ErrUnauthorized, "signature does not match the body (RELAY_GITHUB_SECRET)")
}

// signature is the first signature header with a value. Gitea sends every
// header empty ("sha256=" for GitHub's) when it has no secret: those count
// as missing.
func signature(h http.Header) ([]byte, error) {
	for _, k := range signatureHeaders {
		v := strings.TrimSpace(h.Get(k))
		if algo, hexSum, ok := strings.Cut(v, "="); ok {
			if !strings.EqualFold(algo, "sha256") {
				return nil, source.Errorf(source.ErrUnauthorized, "%s must be sha256=<hex>", k)
			}
			v = hexSum
		}
		if v == "" {
			continue
		}
		b, err := hex.DecodeString(v)
		if err != nil || len(b) != sha256.Size {
			return nil, source.Errorf(source.ErrUnauthorized, "%s is not a hex HMAC-SHA256", k)
		}
		return b, nil
	}
	return nil, source.Errorf(source.ErrUnauthorized,
		"missing signature (RELAY_GITHUB_SECRET is set): X-Hub-Signature-256, X-Gitea-Signature, X-Forgejo-Signature or X-Gogs-Signature")
}

// sender is what people call the host that sent the request, told by the
// headers only it sends (Gitea sends Gogs' too, Forgejo Gitea's).
func sender(h http.Header) string {
	for _, s := range []string{"Forgejo", "Gitea", "Gogs"} {
		if h.Get("X-"+s+"-Event") != "" || h.Get("X-"+s+"-Delivery") != "" {
			return s
		}
	}
	return "GitHub"
}

func first(h http.Header, keys []string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(h.Get(k)); v != "" {
			return v
		}
	}
	return ""
}

func mediaType(h http.Header) string {
	if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil {
		return mt
	}
	return ""
}

func isForm(h http.Header) bool { return mediaType(h) == "application/x-www-form-urlencoded" }
