// Package source is the seam between intake and webhook senders: each sender
// is one sub-package implementing Source. The server reads the bounded body,
// calls the source and maps the errors below to HTTP; it never names a source.
package source

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/coding-relay/coding-relay/translate"
)

// Source is one webhook sender.
type Source interface {
	// Name is the source's name, for logs and metrics ("coding").
	Name() string
	// Path is the route it answers (POST), such as "/webhook".
	Path() string
	// Check refuses a request by its headers (media type) before the body is read.
	Check(h http.Header) error
	// Decode verifies the signature and decodes the event. Errors wrap one of
	// the Err classes below and their text is safe to show the sender.
	Decode(h http.Header, body []byte) (*translate.Event, error)
	// DecodePayload decodes a preview payload (/api/render, render command);
	// name may be empty when the payload names its event.
	DecodePayload(name string, payload []byte) (*translate.Event, error)
	// Delivery is the sender's delivery id ("" if none), for dedup.
	Delivery(h http.Header) string
	// EventHeader is the header's event name, to count failed requests.
	EventHeader(h http.Header) string
	// Canonical maps a robot's events= name (GIT_PUSHED, "merge request") to
	// the model's canonical name (push, merge_request).
	Canonical(name string) string
}

// Verifier is a Source that checks the signature over the streamed body, so an
// unsigned flood costs only the bounded read buffers. Decode still verifies.
type Verifier interface {
	Verify(h http.Header, body io.Reader) error
}

// Aliased is a Source with more routes (/webhook/gitea beside /webhook/github).
type Aliased interface {
	Aliases() []string
}

// Routes is every route src answers: its Path, then its aliases.
func Routes(src Source) []string {
	routes := []string{src.Path()}
	if a, ok := src.(Aliased); ok {
		routes = append(routes, a.Aliases()...)
	}
	return routes
}

// The classes of intake errors; the server maps each to one HTTP status.
var (
	// ErrUnauthorized is a missing or wrong signature (401).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrBadRequest is a malformed request: body, event name, headers (400).
	ErrBadRequest = errors.New("bad request")
	// ErrUnsupported is a media type the source does not take (415).
	ErrUnsupported = errors.New("unsupported media type")
	// ErrIgnored is a genuine event the relay does not relay by design
	// (GitLab's System Hook): answered 200 and counted, nothing sent.
	ErrIgnored = errors.New("ignored")
)

// Error is an intake error: its class and a message safe to show.
type Error struct {
	Class error
	Msg   string
}

// Error is the message shown to the sender.
func (e *Error) Error() string { return e.Msg }

// Unwrap is the class, for errors.Is.
func (e *Error) Unwrap() error { return e.Class }

// Errorf builds an intake error of class.
func Errorf(class error, format string, args ...any) error {
	return &Error{Class: class, Msg: fmt.Sprintf(format, args...)}
}

// Sample maps a path under samples/ to its source and event: <source>/x.json
// names its event in the body; a top-level <event>[-<case>].json is CODING's.
func Sample(file string) (src, event string) {
	if dir, _, ok := strings.Cut(file, "/"); ok {
		return dir, ""
	}
	event, _, _ = strings.Cut(strings.TrimSuffix(path.Base(file), ".json"), "-")
	return "", event
}

// DecodeSample decodes sample files (see Sample) for translate.Renderer.Check.
func DecodeSample(srcs []Source) translate.SampleDecoder {
	return func(file string, body []byte) (*translate.Event, error) {
		name, event := Sample(file)
		if s := Named(srcs, name); s != nil {
			return s.DecodePayload(event, body)
		}
		return nil, fmt.Errorf("no source %q for sample %s", name, file)
	}
}

// Named is the source called name (the first if name is empty), or nil.
func Named(srcs []Source, name string) Source {
	for _, s := range srcs {
		if name == "" || s.Name() == name {
			return s
		}
	}
	return nil
}
