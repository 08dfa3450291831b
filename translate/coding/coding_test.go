package coding

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/templates"
	"github.com/coding-relay/coding-relay/translate"
)

func TestDecodeNameResolution(t *testing.T) {
	tests := []struct {
		name, header, body           string
		wantName, wantCode, wantVerb string
		wantErr                      error
	}{
		{"header wins", "push", `{"event":"GIT_MR_CREATED"}`, "push", "", "", nil},
		{"v2 merge request with space", "merge request", `{"action":"Merge"}`, "merge_request", "", "merge", nil},
		{"v1 merge_request", "merge_request", `{}`, "merge_request", "", "", nil},
		{"service hook code from header", "GIT_PUSHED", `{}`, "push", "GIT_PUSHED", "pushed", nil},
		{"service hook code from body", "", `{"event":"CI_JOB_FINISHED"}`, "ci", "CI_JOB_FINISHED", "finished", nil},
		{"service hook code in lower case", " git_mr_merged ", `{"action":"merge"}`, "merge_request", "GIT_MR_MERGED", "merged", nil},
		{"last event member counts", "", `{"event":null,"event":"ping"}`, "ping", "", "", nil},
		{"event member from a number", "", `{"event":7}`, "7", "", "", nil},
		{"unknown name kept lower-cased", "Star", `{}`, "star", "", "", nil},
		{"no name anywhere", "", `{"action":"x"}`, "", "", "", ErrNoEventName},
		{"blank header, blank body event", "  ", `{"event":""}`, "", "", "", ErrNoEventName},
		{"last event member null", "", `{"event":"ping","event":null}`, "", "", "", ErrNoEventName},
		{"event member an object", "", `{"event":{"a":1}}`, "", "", "", ErrNoEventName},
		{"event member matches exactly only", "", `{"Event":"ping"}`, "", "", "", ErrNoEventName},
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
			if ev.Name != tt.wantName || ev.Code != tt.wantCode || ev.Verb() != tt.wantVerb {
				t.Errorf("Name, Code, Verb = %q, %q, %q; want %q, %q, %q", ev.Name, ev.Code, ev.Verb(), tt.wantName, tt.wantCode, tt.wantVerb)
			}
		})
	}
}

// TestDecodeCodeAction checks that a Service Hook code gives the action a
// payload without one lacks, and the verb either way.
func TestDecodeCodeAction(t *testing.T) {
	tests := []struct{ code, body, action, verb string }{
		{"GIT_MR_CREATED", `{}`, "created", "created"},
		{"GIT_MR_MERGED", `{"action":"merge"}`, "merge", "merged"},
		{"ARTIFACTS_VERSION_CREATED", `{}`, "version_created", "version_created"},
		{"GIT_PUSH_", `{}`, "push_", "push_"},
		{"ISSUE_COMMENT_CREATED", `{"action":"x"}`, "x", "comment_created"},
	}
	for _, tt := range tests {
		ev, err := Decode(tt.code, []byte(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		if ev.Action != tt.action || ev.CodeVerb != tt.verb || ev.Verb() != tt.verb {
			t.Errorf("%s %s: Action, CodeVerb, Verb = %q, %q, %q; want %q, %q", tt.code, tt.body, ev.Action, ev.CodeVerb, ev.Verb(), tt.action, tt.verb)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	tests := []struct{ body, want string }{
		{``, "decode webhook body: malformed JSON: EOF"},
		{` `, "decode webhook body: malformed JSON: EOF"},
		{`{`, "decode webhook body: malformed JSON: unexpected EOF"},
		{`{"a":}`, "decode webhook body: malformed JSON: invalid character '}' looking for beginning of value"},
		{`{} {}`, "decode webhook body: malformed JSON: data after the top-level value"},
		{`{}x`, "decode webhook body: malformed JSON: data after the top-level value"},
		{`{"a":1,}`, "decode webhook body: malformed JSON: invalid character '}' looking for beginning of object key string"},
		{`[1,2]`, "decode webhook body: want a JSON object, got an array"},
		{`"push"`, "decode webhook body: want a JSON object, got a string"},
		{`3`, "decode webhook body: want a JSON object, got a number"},
		{`true`, "decode webhook body: want a JSON object, got a boolean"},
		{`null`, "decode webhook body: want a JSON object, got null"},
	}
	for _, tt := range tests {
		_, err := Decode("push", []byte(tt.body))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Decode(%q) = %v, want %s", tt.body, err, tt.want)
		}
	}
	// What encoding/json rejects fails, and never as a missing name.
	for _, body := range []string{
		`}`, `{},`, `{"a" 1}`, `{a:1}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`,
		`{"a":1e}`, `{"a":+1}`, `{"a":tru}`, `{"a":nul}`, `{"a":"\x"}`, `{"a":"\u12"}`,
		"{\"a\":\"tab\there\"}", `{"a":[1,]}`, `{"a":[,1]}`, `{"a":"unterminated}`,
		"\xef\xbb\xbf{}", `{"a":NaN}`, `{"a":Infinity}`, `{"a":'x'}`,
		`{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	} {
		_, err := Decode("", []byte(body))
		if err == nil || errors.Is(err, ErrNoEventName) || !strings.HasPrefix(err.Error(), "decode webhook body: malformed JSON: ") {
			t.Errorf("Decode(%.40q) = %v, want a malformed JSON error", body, err)
		}
	}
	// As deep as encoding/json goes is fine.
	deep := `{"a":` + strings.Repeat("[", 9998) + strings.Repeat("]", 9998) + `}`
	if _, err := Decode("push", []byte(deep)); err != nil {
		t.Errorf("Decode(nested 9999 deep) = %v", err)
	}
}

// TestDecodeLenient decodes a payload with many wrong types at once, and
// checks what the accessors templates use make of it.
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

func TestCanonicalEvent(t *testing.T) {
	tests := map[string]string{
		"push": "push", "merge request": "merge_request", "merge_request": "merge_request",
		"Merge Request": "merge_request", "merge-request": "merge_request", "MR": "merge_request",
		"pull_request": "merge_request", "GIT_PUSHED": "push", "GIT_MR_MERGED": "merge_request",
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

func TestParseAPICommitURL(t *testing.T) {
	tests := []struct{ in, origin, project, sha string }{
		{"https://e.coding.net/api/team/t/project/p/git/commit/0123abcDEF", "https://e.coding.net", "p", "0123abcDEF"},
		{"http://h:8080/api/team/t/project/p/git/commit/ab", "http://h:8080", "p", "ab"},
		{"https://e.coding.net/api/team/t/project/p/git/commit/xyz", "", "", ""},
		{"https://e.coding.net/api/team//project/p/git/commit/01", "", "", ""},
		{"https://e.coding.net/api/team/t/project//git/commit/01", "", "", ""},
		{"https://e.coding.net/api/team/t/project/p/git/commit/", "", "", ""},
		{"https://e.coding.net/api/team/t/project/p/git/commit/01/", "", "", ""},
		{"https:///api/team/t/project/p/git/commit/ab", "", "", ""},
		{"https://h/x/api/team/t/project/p/git/commit/ab", "", "", ""},
		{"https://h/api/team/t/project/p/git/commit/ab\n", "", "", ""},
		{"ftp://h/api/team/t/project/p/git/commit/ab", "", "", ""},
		{"https://e.coding.net/p/p/d/r/git/commit/ab", "", "", ""},
	}
	for _, tt := range tests {
		origin, project, sha, ok := parseAPICommitURL(tt.in)
		if ok != (tt.sha != "") || origin != tt.origin || project != tt.project || sha != tt.sha {
			t.Errorf("parseAPICommitURL(%q) = %q, %q, %q, %v; want %q, %q, %q", tt.in, origin, project, sha, ok, tt.origin, tt.project, tt.sha)
		}
	}
}

// TestFixCommitURLs checks that commit API addresses become web pages,
// but only when the repository is known.
func TestFixCommitURLs(t *testing.T) {
	const api = "https://e.coding.net/api/team/t/project/demo/git/commit/abc123"
	body := `{"repository":{"name":"my repo@1"},"commits":[{"url":"` + api + `"},{"url":"https://e.coding.net/p/x"}],"head_commit":{"url":"` + api + `"}}`
	ev, err := Decode("push", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	const page = "https://e.coding.net/p/demo/d/my%20repo%401/git/commit/abc123"
	if ev.Commits[0].URL != page || ev.HeadCommit.URL != page || ev.Commits[1].URL != "https://e.coding.net/p/x" {
		t.Errorf("commit URLs %q, %q, head %q", ev.Commits[0].URL, ev.Commits[1].URL, ev.HeadCommit.URL)
	}
	ev, err = Decode("push", []byte(`{"commits":[{"url":"`+api+`"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Commits[0].URL != api {
		t.Errorf("without a repository: %q", ev.Commits[0].URL)
	}
}

func TestSampleEventName(t *testing.T) {
	for in, want := range map[string]string{
		"merge_request-create.json": "merge_request", "samples/GIT_MR_CREATED.json": "GIT_MR_CREATED",
		"../testdata/push-two-commits.json": "push", "ping.json": "ping",
	} {
		if got := SampleEventName(in); got != want {
			t.Errorf("SampleEventName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEveryPayloadDecodes decodes every sample and test payload, each to
// an event of a family the templates know or the name it came with.
func TestEveryPayloadDecodes(t *testing.T) {
	payloads := templates.Samples()
	files, err := filepath.Glob("../testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test payloads: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		payloads["testdata/"+filepath.Base(f)] = b
	}
	known := map[string]bool{}
	for _, e := range translate.Events {
		known[e] = true
	}
	for file, body := range payloads {
		ev, err := DecodeSample(file, body)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if !known[ev.Name] && ev.Name != strings.ToLower(SampleEventName(file)) {
			t.Errorf("%s: event %q", file, ev.Name)
		}
	}
}
