// Package coding is the CODING webhook source on POST /webhook: event in
// X-Coding-Event, X-Coding-Service-Hook-Event or the body's "event"; id in
// X-Coding-Delivery; optional X-Coding-Signature; JSON body or form "payload".
package coding

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/translate"
	payloads "github.com/coding-relay/coding-relay/translate/coding"
)

// Source is the CODING intake. The zero value takes unsigned webhooks.
type Source struct {
	// Token is RELAY_CODING_TOKEN; when set, every request must be signed.
	Token string
}

var (
	_ source.Source   = Source{}
	_ source.Verifier = Source{}
)

// maxDelivery bounds X-Coding-Delivery: it keys the dedup index.
const maxDelivery = 200

// Name is "coding".
func (Source) Name() string { return "coding" }

// Path is /webhook.
func (Source) Path() string { return "/webhook" }

// Check accepts JSON and form bodies.
func (Source) Check(h http.Header) error { return source.CheckJSONOrForm(h) }

// Decode verifies the signature over the raw bytes, then unwraps and decodes.
func (s Source) Decode(h http.Header, raw []byte) (*translate.Event, error) {
	if err := s.Verify(h, bytes.NewReader(raw)); err != nil {
		return nil, err
	}
	payload, err := source.Payload(h, raw)
	if err != nil {
		return nil, err
	}
	ev, err := payloads.Decode(s.EventHeader(h), payload)
	if err != nil {
		if errors.Is(err, payloads.ErrNoEventName) {
			return nil, source.Errorf(source.ErrBadRequest, "no event name: set X-Coding-Event or X-Coding-Service-Hook-Event, or an event field in the body")
		}
		return nil, source.Errorf(source.ErrBadRequest, "malformed JSON payload: %v", err)
	}
	if len(h.Get("X-Coding-Delivery")) > maxDelivery {
		return ev, source.Errorf(source.ErrBadRequest, "X-Coding-Delivery is longer than %d characters", maxDelivery)
	}
	return ev, nil
}

// DecodePayload decodes a CODING payload for the event name.
func (Source) DecodePayload(name string, payload []byte) (*translate.Event, error) {
	return payloads.Decode(name, payload)
}

// Delivery is X-Coding-Delivery.
func (Source) Delivery(h http.Header) string { return h.Get("X-Coding-Delivery") }

// EventHeader is X-Coding-Event, else X-Coding-Service-Hook-Event.
func (Source) EventHeader(h http.Header) string {
	if name := h.Get("X-Coding-Event"); name != "" {
		return name
	}
	return h.Get("X-Coding-Service-Hook-Event")
}

// Canonical maps CODING's event names and Service Hook codes to the model's.
func (Source) Canonical(name string) string { return payloads.CanonicalEvent(name) }

// Verify checks X-Coding-Signature (sha1=<hex HMAC-SHA1(token, body)>) as it streams.
func (s Source) Verify(h http.Header, body io.Reader) error {
	if s.Token == "" {
		return nil
	}
	header := h.Get("X-Coding-Signature")
	if header == "" {
		return source.Errorf(source.ErrUnauthorized, "missing X-Coding-Signature (RELAY_CODING_TOKEN is set)")
	}
	algo, sig, ok := strings.Cut(header, "=")
	if !ok || !strings.EqualFold(algo, "sha1") {
		return source.Errorf(source.ErrUnauthorized, "X-Coding-Signature must be sha1=<hex>")
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return source.Errorf(source.ErrUnauthorized, "X-Coding-Signature must be sha1=<hex>")
	}
	m := hmac.New(sha1.New, []byte(s.Token))
	_, _ = io.Copy(m, body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return source.Errorf(source.ErrUnauthorized, "signature does not match the body")
	}
	return nil
}
