package coding_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/server/source/coding"
)

const payload = `{"ref":"refs/heads/main","repository":{"name":"demo"}}`

func sign(token, body string) string {
	m := hmac.New(sha1.New, []byte(token))
	m.Write([]byte(body))
	return "sha1=" + hex.EncodeToString(m.Sum(nil))
}

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestDecode(t *testing.T) {
	form := "payload=" + url.QueryEscape(payload)
	tests := []struct {
		name  string
		token string
		h     http.Header
		body  string
		class error  // nil: decoded
		event string // canonical name when decoded
	}{
		{"v2 header", "", header("Content-Type", "application/json", "X-Coding-Event", "push"), payload, nil, "push"},
		{"service hook header", "", header("Content-Type", "application/json", "X-Coding-Service-Hook-Event", "GIT_PUSHED"), payload, nil, "push"},
		{"event in the body", "", header("Content-Type", "application/json"), `{"event":"merge request"}`, nil, "merge_request"},
		{"form body", "", header("Content-Type", "application/x-www-form-urlencoded", "X-Coding-Event", "push"), form, nil, "push"},
		{"signed", "tok", header("Content-Type", "application/json", "X-Coding-Event", "push", "X-Coding-Signature", sign("tok", payload)), payload, nil, "push"},
		{"signed form over the raw bytes", "tok", header("Content-Type", "application/x-www-form-urlencoded", "X-Coding-Event", "push", "X-Coding-Signature", sign("tok", form)), form, nil, "push"},
		{"unsigned", "tok", header("Content-Type", "application/json", "X-Coding-Event", "push"), payload, source.ErrUnauthorized, ""},
		{"wrong signature", "tok", header("Content-Type", "application/json", "X-Coding-Event", "push", "X-Coding-Signature", sign("other", payload)), payload, source.ErrUnauthorized, ""},
		{"not sha1", "tok", header("Content-Type", "application/json", "X-Coding-Signature", "sha256=00"), payload, source.ErrUnauthorized, ""},
		{"not hex", "tok", header("Content-Type", "application/json", "X-Coding-Signature", "sha1=zz"), payload, source.ErrUnauthorized, ""},
		{"no event name", "", header("Content-Type", "application/json"), payload, source.ErrBadRequest, ""},
		{"malformed JSON", "", header("Content-Type", "application/json", "X-Coding-Event", "push"), `{"ref":`, source.ErrBadRequest, ""},
		{"form without payload", "", header("Content-Type", "application/x-www-form-urlencoded", "X-Coding-Event", "push"), "x=1", source.ErrBadRequest, ""},
		{"long delivery id", "", header("Content-Type", "application/json", "X-Coding-Event", "push", "X-Coding-Delivery", strings.Repeat("d", 201)), payload, source.ErrBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := coding.Source{Token: tt.token}
			if err := s.Check(tt.h); err != nil {
				t.Fatalf("Check: %v", err)
			}
			ev, err := s.Decode(tt.h, []byte(tt.body))
			if tt.class != nil {
				if !errors.Is(err, tt.class) {
					t.Fatalf("err = %v, want class %v", err, tt.class)
				}
				if tt.token != "" && strings.Contains(err.Error(), tt.token) {
					t.Errorf("error shows the token: %v", err)
				}
				return
			}
			if err != nil || ev.Name != tt.event {
				t.Fatalf("got %v, %v; want event %s", ev, err, tt.event)
			}
		})
	}
}

func TestCheckRefusesOtherMediaTypes(t *testing.T) {
	for _, ct := range []string{"", "text/plain", "multipart/form-data; boundary=x", "application/json; charset=utf-8"} {
		err := coding.Source{}.Check(header("Content-Type", ct))
		if ct == "application/json; charset=utf-8" {
			if err != nil {
				t.Errorf("%q refused: %v", ct, err)
			}
			continue
		}
		if !errors.Is(err, source.ErrUnsupported) {
			t.Errorf("%q: err = %v, want unsupported", ct, err)
		}
	}
}

func TestHeaders(t *testing.T) {
	s := coding.Source{}
	h := header("X-Coding-Delivery", "d-1", "X-Coding-Service-Hook-Event", "CI_JOB_FINISHED")
	if s.Delivery(h) != "d-1" || s.EventHeader(h) != "CI_JOB_FINISHED" || s.Canonical("CI_JOB_FINISHED") != "ci" || s.Path() != "/webhook" {
		t.Errorf("delivery %q event %q canonical %q", s.Delivery(h), s.EventHeader(h), s.Canonical("CI_JOB_FINISHED"))
	}
}

func TestVerifyStreams(t *testing.T) {
	s := coding.Source{Token: "tok"}
	good := header("X-Coding-Signature", sign("tok", payload))
	if err := s.Verify(good, strings.NewReader(payload)); err != nil {
		t.Errorf("good signature: %v", err)
	}
	if err := s.Verify(good, strings.NewReader(payload+" ")); !errors.Is(err, source.ErrUnauthorized) {
		t.Errorf("changed body: %v", err)
	}
	if err := (coding.Source{}).Verify(http.Header{}, strings.NewReader(payload)); err != nil {
		t.Errorf("no token: %v", err)
	}
}
