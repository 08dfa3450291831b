package github_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/server/source/github"
)

const secret = "It's a Secret to Everybody"

func hmacHex(key, body string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}

func hmacSHA1(key, body string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(body))
	return "sha1=" + hex.EncodeToString(m.Sum(nil))
}

func fixture(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile("../../../translate/github/testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func form(payload string) string { return url.Values{"payload": {payload}}.Encode() }

// request is a delivery as one of the senders makes it: its headers, the
// body, and the signature made with key ("" when the sender has none)
// over signed (the body itself unless given).
type request struct {
	sender, event, fine, delivery, body, key, signed string
	form                                             bool
}

func (r request) build() *http.Request {
	body := r.body
	if r.form {
		body = form(r.body)
	}
	req := httptest.NewRequest(http.MethodPost, "/webhook/"+r.sender, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if r.form {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	signed := r.signed
	if signed == "" {
		signed = body
	}
	var sig256, sig1 string
	if r.key != "" {
		sig256, sig1 = hmacHex(r.key, signed), hmacSHA1(r.key, signed)
	}
	h := req.Header
	switch r.sender {
	case "github":
		h.Set("User-Agent", "GitHub-Hookshot/5b6c7d8")
		h.Set("X-GitHub-Event", r.event)
		h.Set("X-GitHub-Delivery", r.delivery)
		h.Set("X-GitHub-Hook-ID", "500123456")
		if r.key != "" {
			h.Set("X-Hub-Signature", sig1)
			h.Set("X-Hub-Signature-256", "sha256="+sig256)
		}
	case "gitea", "forgejo":
		// Gitea sends every header, empty signatures included, and the
		// same values under Gogs' and GitHub's names; Forgejo adds its own.
		names := []string{"Gitea", "Gogs"}
		if r.sender == "forgejo" {
			names = append(names, "Forgejo")
		}
		for _, n := range names {
			h.Set("X-"+n+"-Delivery", r.delivery)
			h.Set("X-"+n+"-Event", r.event)
			h.Set("X-"+n+"-Event-Type", r.fine)
			h.Set("X-"+n+"-Signature", sig256)
		}
		h.Set("X-GitHub-Delivery", r.delivery)
		h.Set("X-GitHub-Event", r.event)
		h.Set("X-GitHub-Event-Type", r.fine)
		h.Set("X-Hub-Signature", "sha1="+strings.TrimPrefix(sig1, "sha1="))
		h.Set("X-Hub-Signature-256", "sha256="+sig256)
	case "gogs":
		h.Set("X-Github-Delivery", r.delivery)
		h.Set("X-Github-Event", r.event)
		h.Set("X-Gogs-Delivery", r.delivery)
		h.Set("X-Gogs-Event", r.event)
		h.Set("X-Gogs-Signature", sig256)
	}
	return req
}

func TestDecode(t *testing.T) {
	pr := fixture(t, "pull_request-opened.json")
	review := fixture(t, "pull_request_review_approved-gitea.json")
	push := fixture(t, "push-gogs.json")
	tests := []struct {
		name   string
		secret string
		req    request
		class  error  // nil: decoded
		kind   string // the event's kind when decoded
		header string // the event name the headers give
	}{
		{"github signed", secret, request{sender: "github", event: "pull_request", delivery: "d1", body: pr, key: secret}, nil, "merge_request", "pull_request"},
		{"github form signed over the bytes sent", secret, request{sender: "github", event: "pull_request", delivery: "d1", body: pr, key: secret, form: true}, nil, "merge_request", "pull_request"},
		{"github unsigned", secret, request{sender: "github", event: "pull_request", body: pr}, source.ErrUnauthorized, "", ""},
		{"github wrong secret", secret, request{sender: "github", event: "pull_request", body: pr, key: "another"}, source.ErrUnauthorized, "", ""},
		{"github signed, relay without secret", "", request{sender: "github", event: "pull_request", body: pr, key: "whatever"}, nil, "merge_request", "pull_request"},
		{"gitea finer name", secret, request{sender: "gitea", event: "pull_request_approved", fine: "pull_request_review_approved", body: review, key: secret}, nil, "merge_request", "pull_request_review_approved"},
		{"gitea form signs the JSON", secret, request{sender: "gitea", event: "pull_request_approved", fine: "pull_request_review_approved", body: review, key: secret, form: true, signed: review}, nil, "merge_request", "pull_request_review_approved"},
		{"gitea without a secret: empty signature headers", secret, request{sender: "gitea", event: "pull_request_approved", fine: "pull_request_review_approved", body: review}, source.ErrUnauthorized, "", ""},
		{"gitea without a secret, relay without one", "", request{sender: "gitea", event: "issues", fine: "issue_assign", body: fixture(t, "issue_assign-gitea.json")}, nil, "issue", "issue_assign"},
		{"gitea older: no event type", "", request{sender: "gitea", event: "pull_request_rejected", body: review}, nil, "merge_request", "pull_request_rejected"},
		{"forgejo signed", secret, request{sender: "forgejo", event: "pull_request_approved", fine: "pull_request_review_approved", body: review, key: secret}, nil, "merge_request", "pull_request_review_approved"},
		{"forgejo wrong secret", secret, request{sender: "forgejo", event: "push", fine: "push", body: push, key: "another"}, source.ErrUnauthorized, "", ""},
		{"gogs signed", secret, request{sender: "gogs", event: "push", body: push, key: secret}, nil, "push", "push"},
		{"gogs form signs the JSON", secret, request{sender: "gogs", event: "push", body: push, key: secret, form: true, signed: push}, nil, "push", "push"},
		{"gogs form signed with another secret", secret, request{sender: "gogs", event: "push", body: push, key: "another", form: true, signed: push}, source.ErrUnauthorized, "", ""},
		{"gogs unsigned", secret, request{sender: "gogs", event: "push", body: push}, source.ErrUnauthorized, "", ""},
		{"no event name", "", request{sender: "github", body: pr}, source.ErrBadRequest, "", ""},
		{"malformed JSON", "", request{sender: "github", event: "push", body: `{"ref":`}, source.ErrBadRequest, "", ""},
		{"not an object", "", request{sender: "github", event: "push", body: `[1,2]`}, source.ErrBadRequest, "", ""},
		{"long delivery id", "", request{sender: "github", event: "push", delivery: strings.Repeat("d", 201), body: push}, source.ErrBadRequest, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := github.Source{Secret: tt.secret}
			req := tt.req.build()
			if err := s.Check(req.Header); err != nil {
				t.Fatalf("Check: %v", err)
			}
			body := readAll(t, req)
			// The streaming check refuses what Decode refuses, except a
			// form body's signature, which Decode checks.
			verr := s.Verify(req.Header, strings.NewReader(body))
			ev, err := s.Decode(req.Header, []byte(body))
			if tt.class != nil {
				if !errors.Is(err, tt.class) {
					t.Fatalf("err = %v, want class %v", err, tt.class)
				}
				if tt.class == source.ErrUnauthorized && verr == nil && !tt.req.form {
					t.Errorf("Verify passed a request Decode refuses")
				}
				if strings.Contains(err.Error(), secret) || (verr != nil && strings.Contains(verr.Error(), secret)) {
					t.Errorf("error shows the secret: %v", err)
				}
				return
			}
			if verr != nil {
				t.Errorf("Verify: %v", verr)
			}
			if err != nil || ev.Name != tt.kind {
				t.Fatalf("got %v, %v; want kind %s", ev, err, tt.kind)
			}
			if want := map[string]string{"github": "GitHub", "gitea": "Gitea", "forgejo": "Forgejo", "gogs": "Gogs"}[tt.req.sender]; ev.SourceName != want {
				t.Errorf("SourceName = %q, want %q", ev.SourceName, want)
			}
			if got := s.EventHeader(req.Header); got != tt.header {
				t.Errorf("EventHeader = %q, want %q", got, tt.header)
			}
			if got := s.Delivery(req.Header); got != tt.req.delivery {
				t.Errorf("Delivery = %q, want %q", got, tt.req.delivery)
			}
		})
	}
}

func readAll(tb testing.TB, req *http.Request) string {
	tb.Helper()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestSignatureHeaders covers the shapes a signature header may take.
func TestSignatureHeaders(t *testing.T) {
	body := `{"zen":"Design for failure."}`
	sum := hmacHex(secret, body)
	tests := []struct {
		name   string
		header map[string]string
		ok     bool
	}{
		{"X-Hub-Signature-256", map[string]string{"X-Hub-Signature-256": "sha256=" + sum}, true},
		{"upper-case prefix and hex", map[string]string{"X-Hub-Signature-256": "SHA256=" + strings.ToUpper(sum)}, true},
		{"X-Gitea-Signature", map[string]string{"X-Gitea-Signature": sum}, true},
		{"X-Forgejo-Signature", map[string]string{"X-Forgejo-Signature": sum}, true},
		{"X-Gogs-Signature", map[string]string{"X-Gogs-Signature": sum}, true},
		{"empty GitHub header, Gitea's set", map[string]string{"X-Hub-Signature-256": "sha256=", "X-Gitea-Signature": sum}, true},
		{"SHA-1 only", map[string]string{"X-Hub-Signature": hmacSHA1(secret, body)}, false},
		{"sha1 in the SHA-256 header", map[string]string{"X-Hub-Signature-256": hmacSHA1(secret, body)}, false},
		{"not hex", map[string]string{"X-Gitea-Signature": "zz" + sum[2:]}, false},
		{"too short", map[string]string{"X-Gogs-Signature": sum[:32]}, false},
		{"all empty", map[string]string{"X-Hub-Signature-256": "sha256=", "X-Gitea-Signature": "", "X-Gogs-Signature": " "}, false},
		{"over another body", map[string]string{"X-Hub-Signature-256": "sha256=" + hmacHex(secret, body+"\n")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {"application/json"}, "X-Github-Event": {"ping"}}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			s := github.Source{Secret: secret}
			_, err := s.Decode(h, []byte(body))
			verr := s.Verify(h, strings.NewReader(body))
			if tt.ok != (err == nil) || tt.ok != (verr == nil) {
				t.Fatalf("Decode: %v, Verify: %v; want ok=%v", err, verr, tt.ok)
			}
			if !tt.ok && !errors.Is(err, source.ErrUnauthorized) {
				t.Errorf("err = %v, want unauthorized", err)
			}
		})
	}
}

func TestVerifyForm(t *testing.T) {
	s := github.Source{Secret: secret}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	body := form(`{"zen":"x"}`)
	if err := s.Verify(h, strings.NewReader(body)); !errors.Is(err, source.ErrUnauthorized) {
		t.Errorf("unsigned form: %v, want unauthorized", err)
	}
	h.Set("X-Gogs-Signature", hmacHex(secret, `{"zen":"x"}`))
	if err := s.Verify(h, strings.NewReader(body)); err != nil {
		t.Errorf("signed form: %v (Decode checks it)", err)
	}
	if err := (github.Source{}).Verify(http.Header{}, strings.NewReader(body)); err != nil {
		t.Errorf("no secret: %v", err)
	}
}

func TestCheck(t *testing.T) {
	for ct, ok := range map[string]bool{
		"application/json": true, "application/json; charset=utf-8": true,
		"application/x-www-form-urlencoded": true, "": false, "text/plain": false,
		"multipart/form-data; boundary=x": false, "application/json;;": false,
	} {
		err := github.Source{}.Check(http.Header{"Content-Type": {ct}})
		if ok != (err == nil) || !ok && !errors.Is(err, source.ErrUnsupported) {
			t.Errorf("%q: %v", ct, err)
		}
	}
}

func TestRoutesAndNames(t *testing.T) {
	s := github.Source{}
	if got := source.Routes(s); !slices.Equal(got, []string{"/webhook/github", "/webhook/gitea", "/webhook/forgejo", "/webhook/gogs"}) {
		t.Errorf("routes %v", got)
	}
	for name, kind := range map[string]string{
		"pull_request": "merge_request", "Pull_Request_Review": "merge_request", "pull_request_sync": "merge_request",
		"pull_request_comment": "merge_request", "issues": "issue", "issue_label": "issue", "issue_comment": "comment",
		"push": "push", "create": "push", "delete": "push", "workflow_run": "ci", "check_suite": "ci", "status": "ci",
		"workflow_job": "job", "check_run": "job", "deployment_status": "deployment", "release": "release",
		"package": "artifact", "gollum": "wiki", "member": "member", "star": "star", " fork ": "fork",
	} {
		if got := s.Canonical(name); got != kind {
			t.Errorf("Canonical(%q) = %q, want %q", name, got, kind)
		}
	}
}
