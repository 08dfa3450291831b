package translate

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeNameResolution(t *testing.T) {
	tests := []struct {
		name, header, body string
		wantName, wantCode string
		wantErr            error
	}{
		{"header wins", "push", `{"event":"GIT_MR_CREATED"}`, "push", "", nil},
		{"v2 merge request with space", "merge request", `{}`, "merge_request", "", nil},
		{"v1 merge_request", "merge_request", `{}`, "merge_request", "", nil},
		{"service hook code from header", "GIT_PUSHED", `{}`, "push", "GIT_PUSHED", nil},
		{"service hook code from body", "", `{"event":"CI_JOB_FINISHED"}`, "ci", "CI_JOB_FINISHED", nil},
		{"unknown name kept lower-cased", "Star", `{}`, "star", "", nil},
		{"no name anywhere", "", `{"action":"x"}`, "", "", ErrNoEventName},
		{"blank header, blank body event", "  ", `{"event":""}`, "", "", ErrNoEventName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := Decode(tt.header, []byte(tt.body))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Name != tt.wantName || ev.Code != tt.wantCode {
				t.Errorf("Name, Code = %q, %q; want %q, %q", ev.Name, ev.Code, tt.wantName, tt.wantCode)
			}
		})
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, body := range []string{``, `{`, `{"a":}`, `[1,2]`, `"push"`, `{} {}`, `null`} {
		_, err := Decode("push", []byte(body))
		if err == nil {
			t.Errorf("Decode(%q): no error", body)
			continue
		}
		if errors.Is(err, ErrNoEventName) {
			t.Errorf("Decode(%q): %v wraps ErrNoEventName", body, err)
		}
		if !strings.Contains(err.Error(), "JSON") {
			t.Errorf("Decode(%q): error %q does not say what is wrong", body, err)
		}
	}
}

func TestDecodeLenient(t *testing.T) {
	body := `{
		"action": "complete_build",
		"sender": {"id": "42", "login": 12345, "name": null},
		"repository": {"id": 7, "name": "demo", "private": "true", "html_url": "<a href='https://t.coding.net/p/demo'>demo</a>", "owner": "not an object"},
		"compare": "<a href=\"https://t.coding.net/p/demo/git/compare/a...b\">a...b</a>",
		"commits": [{"id": "abc", "timestamp": "1589451706000", "url": "javascript:alert(1)"}, null, 5],
		"ci": {"name": "job", "build": {"number": "7", "duration": 83000.0, "status": "FAILED"}},
		"unknown": {"deep": [1, 2, 3]}
	}`
	ev, err := Decode("ci", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ got, want any }{
		{ev.Sender.ID, "42"},
		{ev.Sender.Login, "12345"},
		{ev.Sender.Name, ""},
		{ev.Repository.ID, "7"},
		{ev.Repository.Private, true},
		{ev.Repository.HTMLURL, "https://t.coding.net/p/demo"},
		{ev.Repository.Owner == nil, true},
		{ev.Compare, "https://t.coding.net/p/demo/git/compare/a...b"},
		{len(ev.Commits), 2},
		{ev.Commits[0].Timestamp, int64(1589451706000)},
		{ev.Commits[0].URL, ""},
		{ev.CI.Build.Number, int64(7)},
		{ev.CI.Build.Duration, int64(83000)},
		{ev.Action, "complete_build"},
		{ev.Actor(), "12345"},
		{ev.ProjectName(), "demo"},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: got %#v, want %#v", i, c.got, c.want)
		}
	}
}

func TestEventAccessors(t *testing.T) {
	tests := []struct {
		name, header, body string
		branch, project    string
		actor, zen         string
	}{
		{"push branch", "push", `{"ref":"refs/heads/release/1.0","repository":{"name":"r"},"pusher":{"username":"tom"}}`, "release/1.0", "r", "tom", ""},
		{"tag", "push", `{"ref":"refs/tags/v1.2.0","sender":{"login":"amy"}}`, "v1.2.0", "", "amy", ""},
		{"mr target", "merge request", `{"mergeRequest":{"head":{"ref":"feat"},"base":{"ref":"main"},"user":{"login":"bo"}}}`, "main", "", "bo", ""},
		{"ci branch", "ci", `{"ci":{"build":{"branch":"refs/heads/dev"}},"project":{"name":"p"}}`, "dev", "p", "", ""},
		{"ping", "ping", `{"zen":"Keep it simple","hook":{"id":3}}`, "", "", "", "Keep it simple"},
		{"service hook project", "", `{"event":"ISSUE_CREATED","project":{"name":"p1","display_name":"Project One"},"sender":{"login":"x"}}`, "", "Project One", "x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := Decode(tt.header, []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if got := ev.Branch(); got != tt.branch {
				t.Errorf("Branch = %q, want %q", got, tt.branch)
			}
			if got := ev.ProjectName(); got != tt.project {
				t.Errorf("ProjectName = %q, want %q", got, tt.project)
			}
			if got := ev.Actor(); got != tt.actor {
				t.Errorf("Actor = %q, want %q", got, tt.actor)
			}
			if got := ev.Zen(); got != tt.zen {
				t.Errorf("Zen = %q, want %q", got, tt.zen)
			}
		})
	}
}

func TestCanonicalEvent(t *testing.T) {
	tests := map[string]string{
		"push": "push", "merge request": "merge_request", "merge_request": "merge_request",
		"Merge Request": "merge_request", "GIT_PUSHED": "push", "GIT_MR_MERGED": "merge_request",
		"CI_JOB_STARTED": "ci", "ARTIFACTS_VERSION_CREATED": "artifact", "ARTIFACTS_REPO_DELETED": "artifact",
		"MEMBER_ROLE_UPDATED": "member", "ISSUE_COMMENT_CREATED": "issue", "ITERATION_PLANNED": "iteration",
		"WIKI_COPIED": "wiki", "FILE_RENAMED": "file", "ping": "ping", "task": "task", " document ": "document",
		"Something_New": "something_new",
	}
	for in, want := range tests {
		if got := CanonicalEvent(in); got != want {
			t.Errorf("CanonicalEvent(%q) = %q, want %q", in, got, want)
		}
	}
}
