// Package source is the seam between the relay's intake and the systems
// that send it webhooks. A source (CODING today, GitLab next) is one package
// below this one implementing Source: it says which route it answers, checks
// and verifies a request, names the event and decodes it to the model the
// templates see. The server reads the body (bounded), calls the source and
// maps the errors below to HTTP answers; it never names a source.
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
	// Check looks at the headers before the body is read: a request the
	// source cannot take (its media type) is refused without reading it.
	Check(h http.Header) error
	// Decode verifies the request (signature) and decodes its event from
	// the raw body. Errors wrap ErrUnauthorized, ErrBadRequest,
	// ErrUnsupported or ErrIgnored, and their text is safe to show the
	// sender.
	Decode(h http.Header, body []byte) (*translate.Event, error)
	// DecodePayload decodes a payload given apart from a request (a
	// preview: /api/render, the render command) for the event name, which
	// may be empty when the payload names its event.
	DecodePayload(name string, payload []byte) (*translate.Event, error)
	// Delivery is the sender's id of this delivery ("" when it sends
	// none), by which repeats are recognised.
	Delivery(h http.Header) string
	// EventHeader is the event name as the headers give it, for counting
	// a request that failed before its event was decoded.
	EventHeader(h http.Header) string
	// Canonical maps an event name of this source, as a robot's events=
	// may give it (GIT_PUSHED, "merge request"), to the model's canonical
	// name (push, merge_request).
	Canonical(name string) string
}

// Verifier is a Source that can check a request's signature over the raw
// body as it streams from the buffers it was read into, before the server
// puts it together: an unsigned flood then costs no memory beyond the
// bounded read buffers. Decode must still verify on its own.
type Verifier interface {
	Verify(h http.Header, body io.Reader) error
}

// Aliased is a Source that answers more routes than its Path, one per
// sender of the same format (/webhook/gitea beside /webhook/github).
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

// Sample is the source and event a sample payload file stands for, by its
// path under the templates' samples/: <source>/<file>.json is a payload of
// that source whose body names its event (gitlab/push.json); a file at the
// top is the first source's (CODING's), named <event>[-<case>].json.
func Sample(file string) (src, event string) {
	if dir, _, ok := strings.Cut(file, "/"); ok {
		return dir, ""
	}
	event, _, _ = strings.Cut(strings.TrimSuffix(path.Base(file), ".json"), "-")
	return "", event
}

// DecodeSample decodes sample payload files (see Sample) with the
// sources, for translate.Renderer.Check.
func DecodeSample(srcs []Source) translate.SampleDecoder {
	return func(file string, body []byte) (*translate.Event, error) {
		name, event := Sample(file)
		if s := Named(srcs, name); s != nil {
			return s.DecodePayload(event, body)
		}
		return nil, fmt.Errorf("no source %q for sample %s", name, file)
	}
}

// Named is the source of srcs called name, the first when name is empty,
// nil when none is.
func Named(srcs []Source, name string) Source {
	for _, s := range srcs {
		if name == "" || s.Name() == name {
			return s
		}
	}
	return nil
}
