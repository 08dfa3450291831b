// Package github is the source of GitHub (and GHES) and GitHub-shaped senders
// Gitea, Forgejo and Gogs. /webhook/{github,gitea,forgejo,gogs} are one intake:
// the headers tell senders apart. Pure decoding lives in translate/github.
package github

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"

	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/translate"
	payloads "github.com/coding-relay/coding-relay/translate/github"
)

// Source is the intake of GitHub-shaped webhooks; the zero value takes unsigned.
type Source struct {
	// Secret is RELAY_GITHUB_SECRET; when set, every request must be signed.
	Secret string
}

var (
	_ source.Source   = Source{}
	_ source.Verifier = Source{}
	_ source.Aliased  = Source{}
)

// maxDelivery bounds the delivery id: it keys the dedup index.
const maxDelivery = 200

// Event, delivery and signature headers in read order. Gitea also sends Gogs'
// and GitHub's, Forgejo also Gitea's; *-Event-Type is finer (issue_assign vs
// issues) so it comes first. Gogs sends X-Gogs-* and X-GitHub-Event/-Delivery.
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

// Check accepts JSON and form bodies, the two types every sender offers.
func (Source) Check(h http.Header) error { return source.CheckJSONOrForm(h) }

// Decode unwraps a form body, verifies the signature and decodes the payload.
func (s Source) Decode(h http.Header, raw []byte) (*translate.Event, error) {
	payload, err := source.Payload(h, raw)
	if err != nil {
		return nil, err
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

// Delivery is the sender's delivery id, the same on a GitHub redelivery.
func (Source) Delivery(h http.Header) string { return first(h, deliveryHeaders) }

// EventHeader is the event name, the finer Gitea/Forgejo name first.
func (Source) EventHeader(h http.Header) string { return first(h, eventHeaders) }

// Canonical maps these senders' event names to the model's.
func (Source) Canonical(name string) string { return payloads.CanonicalEvent(name) }

// Verify checks the streamed signature when a secret is set. Gitea, Forgejo
// and Gogs sign a form body's inner JSON, so Verify only refuses none there.
func (s Source) Verify(h http.Header, body io.Reader) error {
	switch {
	case s.Secret == "":
		return nil
	case source.IsForm(h):
		_, err := signature(h)
		return err
	}
	return s.verify(h, body, nil)
}

// verify checks the HMAC-SHA256 over the body in constant time; alt is a
// form body's JSON, which senders other than GitHub sign instead.
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

// signature is the first non-empty signature header; Gitea without a secret
// sends them empty ("sha256=" for GitHub's), which counts as missing.
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

// sender names the host by headers only it sends (Gitea sends Gogs' too).
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
