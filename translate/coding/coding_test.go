package coding

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	jsonv1 "github.com/go-json-experiment/json/v1"

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
		{"event member in any case", "", `{"Event":"ping"}`, "ping", "", "", nil},
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
			if ev.Name != tt.wantName || ev.Code != tt.wantCode || ev.Verb != tt.wantVerb {
				t.Errorf("Name, Code, Verb = %q, %q, %q; want %q, %q, %q", ev.Name, ev.Code, ev.Verb, tt.wantName, tt.wantCode, tt.wantVerb)
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
		if ev.Action != tt.action || ev.Verb != tt.verb {
			t.Errorf("%s %s: Action, Verb = %q, %q; want %q, %q", tt.code, tt.body, ev.Action, ev.Verb, tt.action, tt.verb)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, tt := range []struct{ body, want string }{
		{`[1,2]`, "decode webhook body: want a JSON object, got an array"},
		{`"push"`, "decode webhook body: want a JSON object, got a string"},
		{`3`, "decode webhook body: want a JSON object, got a number"},
		{`true`, "decode webhook body: want a JSON object, got a boolean"},
		{`null`, "decode webhook body: want a JSON object, got null"},
	} {
		_, err := Decode("push", []byte(tt.body))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Decode(%q) = %v, want %s", tt.body, err, tt.want)
		}
	}
	// What encoding/json rejects fails, and never as a missing name.
	for _, body := range []string{
		``, ` `, `{`, `{"a":}`, `{} {}`, `{}x`, `{"a":1,}`,
		`}`, `{},`, `{"a" 1}`, `{a:1}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`,
		`{"a":1e}`, `{"a":+1}`, `{"a":tru}`, `{"a":nul}`, `{"a":"\x"}`, `{"a":"\u12"}`,
		"{\"a\":\"tab\there\"}", `{"a":[1,]}`, `{"a":[,1]}`, `{"a":"unterminated}`,
		"\xef\xbb\xbf{}", `{"a":NaN}`, `{"a":Infinity}`, `{"a":'x'}`,
	} {
		_, err := Decode("", []byte(body))
		if err == nil || errors.Is(err, ErrNoEventName) || !strings.HasPrefix(err.Error(), "decode webhook body: malformed JSON: ") {
			t.Errorf("Decode(%.40q) = %v, want a malformed JSON error", body, err)
		}
	}
}

// TestDecodeLenient decodes a payload with many wrong types at once, and
// checks what the model makes of it: scalars coerced, members of the
// wrong shape left empty, links cleaned.
func TestDecodeLenient(t *testing.T) {
	body := `{
		"action": "complete_build",
		"sender": {"id": 42, "login": 12345, "name": null},
		"repository": {"id": 7, "name": "demo", "private": "true", "html_url": "<a href='https://t.coding.net/p/demo'>demo</a>", "owner": "not an object"},
		"project": ["not", "an", "object"],
		"ci": {"name": "job", "build": {"number": "7", "duration": 83000.0, "status": "FAILED", "branch": {"x": 1}, "commit_id": 12}},
		"unknown": {"deep": [1, 2, 3]}
	}`
	ev, err := Decode("ci", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ got, want any }{
		{ev.ActorUser.ID, "42"},
		{ev.ActorUser.Login, "12345"},
		{ev.ActorUser.Name, ""},
		{ev.Actor, "12345"},
		{ev.ProjectName, "demo"},
		{ev.ProjectURL, "https://t.coding.net/p/demo"},
		{ev.Title, "job"},
		{ev.Number, "7"},
		{ev.ID, "#7"},
		{ev.Duration, 83 * time.Second},
		{ev.Status, "FAILED"},
		{ev.Branch, ""},
		{ev.Commit.ID, "12"},
		{ev.Action, "complete_build"},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: got %#v, want %#v", i, c.got, c.want)
		}
	}
}

// TestTolerantScalars holds each scalar type to the values it takes.
func TestTolerantScalars(t *testing.T) {
	for _, tt := range []struct {
		in   string
		text string
		num  int64
		flag bool
	}{
		{`"x"`, "x", 0, false},
		{`" 42 "`, " 42 ", 42, true},
		{`12345678901234567890`, "12345678901234567890", 0, true},
		{`1.5e3`, "1.5e3", 1500, true},
		{`-2.9`, "-2.9", -2, true},
		{`true`, "true", 1, true},
		{`false`, "false", 0, false},
		{`" TRUE "`, " TRUE ", 0, true},
		{`"1"`, "1", 1, true},
		{`0`, "0", 0, false},
		{`null`, "", 0, false},
		{`{"a":1}`, "", 0, false},
		{`[1]`, "", 0, false},
		{`"NaN"`, "NaN", 0, false},
		{`1e400`, "1e400", 0, false},
	} {
		var v struct {
			T text `json:"t"`
			N num  `json:"n"`
			F flag `json:"f"`
		}
		b := `{"t":` + tt.in + `,"n":` + tt.in + `,"f":` + tt.in + `}`
		if err := jsonv1.Unmarshal([]byte(b), &v); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if string(v.T) != tt.text || int64(v.N) != tt.num || bool(v.F) != tt.flag {
			t.Errorf("%s: text %q num %d flag %v; want %q %d %v", tt.in, v.T, v.N, v.F, tt.text, tt.num, tt.flag)
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
	body := `{"repository":{"name":"my repo@1"},"commits":[{"id":"a1","url":"` + api + `"},{"id":"b2","url":"https://e.coding.net/p/x"}],"head_commit":{"id":"c3","url":"` + api + `"}}`
	ev, err := Decode("push", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	const page = "https://e.coding.net/p/demo/d/my%20repo%401/git/commit/abc123"
	links := func(ev *translate.Event) []string {
		var out []string
		for _, c := range ev.Commits {
			out = append(out, c.ID+" "+c.Link)
		}
		return out
	}
	if got, want := links(ev), []string{"c3 " + page, "b2 https://e.coding.net/p/x", "a1 " + page}; !slices.Equal(got, want) {
		t.Errorf("commit links %q, want %q", got, want)
	}
	ev, err = Decode("push", []byte(`{"commits":[{"id":"a1","url":"`+api+`"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := links(ev); !slices.Equal(got, []string{"a1 " + api}) {
		t.Errorf("without a repository: %q", got)
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
		if strings.HasPrefix(file, "gitlab/") {
			continue // another source's samples
		}
		ev, err := Decode(SampleEventName(file), body)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if !known[ev.Name] && ev.Name != strings.ToLower(SampleEventName(file)) {
			t.Errorf("%s: event %q", file, ev.Name)
		}
	}
}
