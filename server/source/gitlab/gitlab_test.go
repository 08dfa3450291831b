package gitlab_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/source"
	"github.com/coding-relay/coding-relay/server/source/gitlab"
	payloads "github.com/coding-relay/coding-relay/translate/gitlab"
)

const (
	push   = `{"object_kind":"push","ref":"refs/heads/main","before":"a","after":"b","project":{"name":"demo"}}`
	secret = "s3cret-token"
	keyB64 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
)

// now is the relay's clock in these tests.
var now = time.Unix(1_741_000_000, 0)

// request is a webhook as it arrives, its headers given as pairs.
func request(body string, kv ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhook/gitlab", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(kv); i += 2 {
		r.Header.Set(kv[i], kv[i+1])
	}
	return r
}

// sign is GitLab's webhook-signature over id, timestamp and body.
func sign(key []byte, id string, ts time.Time, body string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "." + body))
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// signed is a request signed with key at ts; kv may then change its
// headers.
func signed(key []byte, ts time.Time, body string, kv ...string) *http.Request {
	return request(body, append([]string{"webhook-id", "idem-1",
		"webhook-timestamp", strconv.FormatInt(ts.Unix(), 10),
		"webhook-signature", sign(key, "idem-1", ts, body)}, kv...)...)
}

func mustKey(t *testing.T) []byte {
	t.Helper()
	key, err := gitlab.ParseKey("whsec_" + keyB64)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestDecode(t *testing.T) {
	key := mustKey(t)
	other := []byte("another key, as after a rotation")
	rotated := signed(key, now, push)
	rotated.Header.Set("webhook-signature", sign(other, "idem-1", now, push)+" "+rotated.Header.Get("webhook-signature"))
	tampered := signed(key, now, push)
	tests := []struct {
		name   string
		src    gitlab.Source
		req    *http.Request
		body   string // the body decoded, when not the request's
		class  error  // nil: decoded
		event  string // Name when decoded
		action string
	}{
		{"GitLab header", gitlab.Source{}, request(push, "X-Gitlab-Event", "Push Hook"), "", nil, "push", ""},
		{"Codeup header", gitlab.Source{}, request(push, "Codeup-Event", "Merge Request Hook"), "", nil, "merge_request", ""},
		{"TGit header", gitlab.Source{}, request(push, "X-Event", "Tag Push Hook"), "", nil, "push", ""},
		{"object_kind", gitlab.Source{}, request(`{"object_kind":"pipeline","object_attributes":{"status":"failed"}}`), "", nil, "ci", ""},
		{"group event by event_name", gitlab.Source{}, request(`{"event_name":"user_add_to_group","group_name":"g"}`), "", nil, "member", ""},
		{"old push without names", gitlab.Source{}, request(`{"ref":"refs/heads/main","before":"a","after":"b"}`), "", nil, "push", ""},
		{"old tag push without names", gitlab.Source{}, request(`{"ref":"refs/tags/v1","before":"0","after":"b"}`), "", nil, "push", ""},
		{"the header wins over the body", gitlab.Source{}, request(`{"object_kind":"issue"}`, "X-Gitlab-Event", "Note Hook"), "", nil, "comment", ""},
		{"undocumented hook", gitlab.Source{}, request(`{"object_kind":"review"}`, "X-Event", "Review Hook"), "", nil, "review", ""},
		{"no name anywhere", gitlab.Source{}, request(`{"project":{"name":"demo"}}`), "", source.ErrBadRequest, "", ""},
		{"malformed JSON", gitlab.Source{}, request(`{"object_kind":`, "X-Gitlab-Event", "Push Hook"), "", source.ErrBadRequest, "", ""},
		{"not an object", gitlab.Source{}, request(`[{"object_kind":"push"}]`, "X-Gitlab-Event", "Push Hook"), "", source.ErrBadRequest, "", ""},
		{"wrong types are left empty", gitlab.Source{}, request(`{"object_kind":"push","ref":5,"total_commits_count":"x"}`), "", nil, "push", ""},
		{"System Hook", gitlab.Source{}, request(push, "X-Gitlab-Event", "System Hook"), "", source.ErrIgnored, "", ""},
		{"long Idempotency-Key", gitlab.Source{}, request(push, "X-Gitlab-Event", "Push Hook", "Idempotency-Key", strings.Repeat("k", 201)), "", source.ErrBadRequest, "", ""},

		{"GitLab token", gitlab.Source{Token: secret}, request(push, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", secret), "", nil, "push", ""},
		{"Codeup token", gitlab.Source{Token: secret}, request(push, "Codeup-Event", "Push Hook", "X-Codeup-Token", secret), "", nil, "push", ""},
		{"TGit token", gitlab.Source{Token: secret}, request(push, "X-Event", "Push Hook", "X-Token", secret), "", nil, "push", ""},
		{"missing token", gitlab.Source{Token: secret}, request(push, "X-Gitlab-Event", "Push Hook"), "", source.ErrUnauthorized, "", ""},
		{"wrong token", gitlab.Source{Token: secret}, request(push, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", "guess"), "", source.ErrUnauthorized, "", ""},
		{"token with a suffix", gitlab.Source{Token: secret}, request(push, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", secret+"x"), "", source.ErrUnauthorized, "", ""},
		{"System Hook without the token", gitlab.Source{Token: secret}, request(push, "X-Gitlab-Event", "System Hook"), "", source.ErrUnauthorized, "", ""},

		{"signed", gitlab.Source{Key: key}, signed(key, now, push, "X-Gitlab-Event", "Push Hook"), "", nil, "push", ""},
		{"signed 4 minutes ago", gitlab.Source{Key: key}, signed(key, now.Add(-4*time.Minute), push), "", nil, "push", ""},
		{"signed by a clock 4 minutes ahead", gitlab.Source{Key: key}, signed(key, now.Add(4*time.Minute), push), "", nil, "push", ""},
		{"one of two signatures matches", gitlab.Source{Key: key}, rotated, "", nil, "push", ""},
		{"signed and with the token", gitlab.Source{Token: secret, Key: key}, signed(key, now, push, "X-Gitlab-Token", secret), "", nil, "push", ""},
		{"signed with another key", gitlab.Source{Key: key}, signed(other, now, push), "", source.ErrUnauthorized, "", ""},
		{"unsigned", gitlab.Source{Key: key}, request(push, "X-Gitlab-Event", "Push Hook"), "", source.ErrUnauthorized, "", ""},
		{"stale signature", gitlab.Source{Key: key}, signed(key, now.Add(-6*time.Minute), push), "", source.ErrUnauthorized, "", ""},
		{"signature from the future", gitlab.Source{Key: key}, signed(key, now.Add(6*time.Minute), push), "", source.ErrUnauthorized, "", ""},
		{"body changed after signing", gitlab.Source{Key: key}, tampered, push + " ", source.ErrUnauthorized, "", ""},
		{"timestamp not a number", gitlab.Source{Key: key}, signed(key, now, push, "webhook-timestamp", "yesterday"), "", source.ErrUnauthorized, "", ""},
		{"signature version unknown", gitlab.Source{Key: key}, signed(key, now, push, "webhook-signature", "v1a,"+keyB64), "", source.ErrUnauthorized, "", ""},
		{"signed but the token is wrong", gitlab.Source{Token: secret, Key: key}, signed(key, now, push, "X-Gitlab-Token", "guess"), "", source.ErrUnauthorized, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.src
			s.Now = func() time.Time { return now }
			h := tt.req.Header
			if err := s.Check(h); err != nil {
				t.Fatalf("Check: %v", err)
			}
			body := tt.body
			if body == "" {
				b, err := io.ReadAll(tt.req.Body)
				if err != nil {
					t.Fatal(err)
				}
				body = string(b)
			}
			verr := s.Verify(h, strings.NewReader(body))
			ev, err := s.Decode(h, []byte(body))
			if tt.class != nil {
				if !errors.Is(err, tt.class) {
					t.Fatalf("Decode err = %v, want class %v", err, tt.class)
				}
				if tt.class == source.ErrUnauthorized && !errors.Is(verr, source.ErrUnauthorized) {
					t.Errorf("Verify = %v; the streaming check must refuse what Decode refuses", verr)
				}
				for _, s := range []string{secret, keyB64} {
					if strings.Contains(err.Error(), s) {
						t.Errorf("error shows a secret: %v", err)
					}
				}
				return
			}
			if verr != nil {
				t.Errorf("Verify: %v", verr)
			}
			if err != nil || ev.Name != tt.event {
				t.Fatalf("got %+v, %v; want event %s", ev, err, tt.event)
			}
		})
	}
}

func TestCheckTakesJSONOnly(t *testing.T) {
	for ct, ok := range map[string]bool{
		"application/json": true, "application/json; charset=UTF-8": true,
		"": false, "text/plain": false, "application/x-www-form-urlencoded": false,
	} {
		err := gitlab.Source{}.Check(http.Header{"Content-Type": {ct}})
		if ok != (err == nil) || (!ok && !errors.Is(err, source.ErrUnsupported)) {
			t.Errorf("Content-Type %q: %v", ct, err)
		}
	}
}

func TestHeaders(t *testing.T) {
	s := gitlab.Source{}
	if s.Name() != "gitlab" || s.Path() != "/webhook/gitlab" {
		t.Errorf("name %q path %q", s.Name(), s.Path())
	}
	tests := []struct {
		name           string
		req            *http.Request
		delivery, hook string
	}{
		// X-Gitlab-Webhook-UUID is new on every delivery, retries included:
		// it must not key dedup.
		{"GitLab", request(push, "X-Gitlab-Event", "Push Hook", "Idempotency-Key", "k-1", "X-Gitlab-Webhook-UUID", "u-1", "X-Gitlab-Event-UUID", "e-1"), "k-1", "Push Hook"},
		{"GitLab before Idempotency-Key", request(push, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Webhook-UUID", "u-1"), "", "Push Hook"},
		{"signed only", request(push, "X-Gitlab-Event", "Job Hook", "webhook-id", "w-1"), "w-1", "Job Hook"},
		{"Codeup", request(push, "Codeup-Event", "Note Hook"), "", "Note Hook"},
		{"TGit sends both names", request(push, "X-Event", "Review Hook", "X-Gitlab-Event", "Merge Request Hook"), "", "Merge Request Hook"},
	}
	for _, tt := range tests {
		if d, e := s.Delivery(tt.req.Header), s.EventHeader(tt.req.Header); d != tt.delivery || e != tt.hook {
			t.Errorf("%s: delivery %q event %q, want %q %q", tt.name, d, e, tt.delivery, tt.hook)
		}
	}
}

func TestCanonical(t *testing.T) {
	for name, want := range map[string]string{
		"Push Hook": "push", "Tag Push Hook": "push", "tag_push": "push", "Merge Request Hook": "merge_request",
		"merge_request": "merge_request", "Note Hook": "comment", "Confidential Note Hook": "comment", "note": "comment",
		"Issue Hook": "issue", "Confidential Issue Hook": "issue", "work_item": "issue", "Pipeline Hook": "ci",
		"pipeline": "ci", "Job Hook": "job", "Build Hook": "job", "build": "job", "Deployment Hook": "deployment",
		"Release Hook": "release", "Wiki Page Hook": "wiki", "wiki_page": "wiki", "Milestone Hook": "iteration",
		"Member Hook": "member", "Feature Flag Hook": "feature_flag", "Emoji Hook": "emoji", "Subgroup Hook": "subgroup",
		"Project Hook": "project", "Resource Access Token Hook": "access_token", "Vulnerability Hook": "vulnerability",
		" push hook ": "push", "PUSH_HOOK": "push", "ci": "ci", "Something Else": "something else",
	} {
		if got := (gitlab.Source{}).Canonical(name); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestParseKey(t *testing.T) {
	if key := mustKey(t); string(key) != "0123456789abcdef0123456789abcdef" {
		t.Errorf("key = %q", key)
	}
	for _, bad := range []string{"", keyB64, "whsec_", "whsec_not base64!", "WHSEC_" + keyB64} {
		if _, err := gitlab.ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
}

// Every sample payload decodes, named by its file (or, for body-*.json,
// by the body alone), to the kind its file name says.
func TestSamplesDecode(t *testing.T) {
	files, err := filepath.Glob("../../../translate/gitlab/testdata/*.json")
	if err != nil || len(files) < 80 {
		t.Fatalf("%d samples, %v", len(files), err)
	}
	s := gitlab.Source{Token: secret, Now: func() time.Time { return now }}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		hook := sampleHook(base)
		header := "X-Gitlab-Event"
		switch {
		case strings.Contains(base, "codeup"):
			header = "Codeup-Event"
		case strings.Contains(base, "tgit"):
			header = "X-Event"
		}
		req := request(string(body), header, hook, "X-Gitlab-Token", secret)
		if hook == "" {
			req.Header.Del(header)
		}
		ev, err := s.Decode(req.Header, body)
		if strings.HasPrefix(base, "system-") {
			if !errors.Is(err, source.ErrIgnored) {
				t.Errorf("%s: %v, want it ignored", base, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", base, err)
			continue
		}
		want := s.Canonical(strings.SplitN(strings.TrimPrefix(strings.TrimSuffix(base, ".json"), "body-"), "-", 2)[0])
		if base == "note-merge_request.json" || base == "note-codeup.json" {
			want = "merge_request" // a merge request's comments are merge request events
		}
		if ev.Name != want {
			t.Errorf("%s: event %q, want %q", base, ev.Name, want)
		}
	}
}

// sampleHook is the hook a sample file was sent with: the file name up to
// its first "-" is the hook's key (merge_request-open.json → Merge Request
// Hook); body-*.json were sent without one.
func sampleHook(file string) string {
	base, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(file), ".json"), "-")
	if base == "body" {
		return ""
	}
	h, _ := payloads.ParseHook(base)
	return string(h)
}
