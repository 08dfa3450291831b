// Package coding decodes CODING (coding.net) webhooks into translate.Event:
// event names, payloads, links and quirks. It is pure, like translate.
package coding

import (
	"cmp"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/coding-relay/coding-relay/translate"
)

// ErrNoEventName reports a webhook with no event name in headers or body.
var ErrNoEventName = errors.New("no event name")

// Decode parses a CODING webhook body. name is from the headers
// (X-Coding-Event, else X-Coding-Service-Hook-Event), else the body's
// "event" is used. Decoding is tolerant: only JSON that is not an object
// fails.
func Decode(name string, body []byte) (*translate.Event, error) {
	var p payload
	if err := translate.DecodeObject(body, &p); err != nil {
		return nil, err
	}
	name = cmp.Or(strings.TrimSpace(name), strings.TrimSpace(p.Event.str()))
	if name == "" {
		return nil, fmt.Errorf("decode webhook body: %w in headers or body", ErrNoEventName)
	}
	ev := &translate.Event{Name: CanonicalEvent(name), Action: p.Action.str()}
	ev.Verb = strings.ToLower(strings.TrimSpace(ev.Action))
	if _, verb, ok := serviceHook(name); ok {
		ev.Code, ev.Verb = strings.ToUpper(name), verb
		ev.Action = cmp.Or(ev.Action, verb)
	}
	fixCommitURLs(&p)
	ev.WithPayload(string(body)) // lazy; toEvent may read a member it has no struct for
	toEvent(&p, ev)
	ev.Complete()
	return ev, nil
}

// SampleEventName is a sample file's event name: its name up to the first
// "-" or ".json" (merge_request-create.json → merge_request).
func SampleEventName(file string) string {
	base := strings.TrimSuffix(path.Base(file), ".json")
	name, _, _ := strings.Cut(base, "-")
	return name
}

// serviceHookFamilies maps Service Hook code prefixes to canonical names.
var serviceHookFamilies = []struct{ prefix, name string }{
	{"GIT_PUSHED", translate.EventPush},
	{"GIT_PUSH_", translate.EventPush},
	{"GIT_MR_", translate.EventMergeRequest},
	{"CI_JOB_", translate.EventCI},
	{"ARTIFACTS_", translate.EventArtifact},
	{"ARTIFACT_", translate.EventArtifact},
	{"MEMBER_", translate.EventMember},
	{"ISSUE_", translate.EventIssue},
	{"ITERATION_", translate.EventIteration},
	{"WIKI_", translate.EventWiki},
	{"FILE_", translate.EventFile},
}

// serviceHook splits a Service Hook code into its family and the rest,
// lower-cased (GIT_MR_CREATED → merge_request, created); ok is false else.
func serviceHook(name string) (family, verb string, ok bool) {
	up := strings.ToUpper(strings.TrimSpace(name))
	for _, f := range serviceHookFamilies {
		if rest, ok := strings.CutPrefix(up, f.prefix); ok {
			return f.name, strings.ToLower(cmp.Or(rest, strings.TrimPrefix(f.prefix, "GIT_"))), true
		}
	}
	return "", "", false
}

// CanonicalEvent maps a CODING event name to the model's (GIT_MR_* and
// "merge request" → merge_request), else trims and lower-cases it.
func CanonicalEvent(name string) string {
	if family, _, ok := serviceHook(name); ok {
		return family
	}
	n := strings.ToLower(strings.TrimSpace(name))
	switch strings.Join(strings.FieldsFunc(n, func(r rune) bool { return r == ' ' || r == '_' || r == '-' }), "_") {
	case "merge_request", "mergerequest", "pull_request", "mr":
		return translate.EventMergeRequest
	}
	return n
}

// parseAPICommitURL splits the API address CODING puts in a commit's url:
// <origin>/api/team/<team>/project/<project>/git/commit/<hex sha>.
func parseAPICommitURL(u string) (origin, project, sha string, ok bool) {
	origin, rest := splitOrigin(u)
	scheme, host, _ := strings.Cut(origin, "://")
	p := strings.Split(rest, "/")
	if scheme != "https" && scheme != "http" || host == "" || len(p) != 9 || p[0] != "" || p[1] != "api" || p[2] != "team" ||
		p[3] == "" || p[4] != "project" || p[5] == "" || p[6] != "git" || p[7] != "commit" || !isHex(p[8]) {
		return "", "", "", false
	}
	return origin, p[5], p[8], true
}

// isHex reports a non-empty string of hex digits.
func isHex(s string) bool { return s != "" && strings.Trim(s, "0123456789abcdefABCDEF") == "" }

// fixCommitURLs replaces commit API addresses, which a browser cannot
// show, with the commit's page when the repository is known.
func fixCommitURLs(p *payload) {
	repo := firstRepo(p)
	if repo == nil || repo.Name == "" {
		return
	}
	fix := func(c *commit) {
		origin, project, sha, ok := parseAPICommitURL(translate.CleanURL(c.URL.str()))
		if !ok {
			return
		}
		c.URL = text(origin + "/p/" + project + "/d/" + pathPart(repo.Name.str()) + "/git/commit/" + sha)
	}
	for i := range p.Commits {
		fix(&p.Commits[i])
	}
	if p.HeadCommit != nil {
		fix(p.HeadCommit)
	}
}
