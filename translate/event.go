package translate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Canonical event names (Event.Name). The v2 names keep their spelling
// except "merge request", which becomes merge_request; Service Hook codes
// map onto the family they belong to.
const (
	EventPing         = "ping"
	EventPush         = "push"
	EventMergeRequest = "merge_request"
	EventTask         = "task"
	EventDocument     = "document"
	EventMember       = "member"
	EventCI           = "ci"
	EventArtifact     = "artifact"
	EventIssue        = "issue"
	EventIteration    = "iteration"
	EventWiki         = "wiki"
	EventFile         = "file"
)

// Events lists every canonical event that has templates of its own.
var Events = []string{
	EventPing, EventPush, EventMergeRequest, EventTask, EventDocument,
	EventMember, EventCI, EventArtifact, EventIssue, EventIteration,
	EventWiki, EventFile,
}

// zeroSHA is the before/after of a created/deleted ref.
const zeroSHA = "0000000000000000000000000000000000000000"

// Event is one decoded CODING webhook. Name is canonical (see CanonicalEvent);
// Code keeps a Service Hook code such as GIT_PUSHED. Which of the objects
// are set depends on the event; everything is optional.
type Event struct {
	Name  string `json:"-"` // canonical: push, merge_request, ci, ...
	Code  string `json:"-"` // Service Hook code (GIT_PUSHED, ...), else ""
	Label string `json:"eventName"`
	// CodeVerb is what Code says happened, in lower case (GIT_MR_MERGED →
	// merged), as the source worked it out; Verb prefers it to Action.
	CodeVerb string `json:"-"`

	Action string `json:"action"`

	Sender     *User       `json:"sender"`
	Repository *Repository `json:"repository" alias:"repo,depot"`
	Project    *Project    `json:"project"`
	Team       *Team       `json:"team"`

	// push
	Ref        string   `json:"ref"`
	Before     string   `json:"before"`
	After      string   `json:"after"`
	Created    bool     `json:"created"`
	Deleted    bool     `json:"deleted"`
	Compare    string   `json:"compare" coding:"url"`
	Commits    []Commit `json:"commits"`
	HeadCommit *Commit  `json:"head_commit"`
	Pusher     *User    `json:"pusher"`

	// merge request
	Number       int64         `json:"number"`
	MergeRequest *MergeRequest `json:"mergeRequest" alias:"merge_request,mergerequest,pull_request"`

	Task      *Task      `json:"task"`
	Document  *Document  `json:"document"`
	Member    *Member    `json:"member"`
	CI        *CI        `json:"ci"`
	Artifact  *Artifact  `json:"artifact" alias:"artifacts"`
	Issue     *Issue     `json:"issue"`
	Iteration *Iteration `json:"iteration"`
	Wiki      *Wiki      `json:"wiki"`
	File      *File      `json:"file"`
	Comment   *Comment   `json:"comment" alias:"note"`

	// ping
	ZenText string `json:"zen"`
	HookID  string `json:"hook_id"`
	Hook    *Hook  `json:"hook"`

	// raw is the whole payload, decoded to generic JSON on first use by Raw.
	raw *rawPayload
}

// rawPayload is the body of a decoded event and, once somebody asked for
// it, its generic JSON. It is shared by the copies of an Event.
type rawPayload struct {
	once sync.Once
	src  string
	m    map[string]any
}

// Raw is the whole payload as generic JSON (objects are map[string]any,
// numbers json.Number), for templates of events the relay has no model for:
// {{.Event.Raw.ci.build.status}}. It is decoded on first use; nil for an
// Event that Decode did not make.
func (e *Event) Raw() map[string]any {
	if e == nil || e.raw == nil {
		return nil
	}
	r := e.raw
	r.once.Do(func() {
		dec := json.NewDecoder(strings.NewReader(r.src))
		dec.UseNumber()
		var v map[string]any
		if dec.Decode(&v) == nil {
			r.m = v
		}
	})
	return r.m
}

// NewEvent is an empty Event whose Raw and Get read payload, the webhook
// body as received (a JSON object); the source that decodes the payload
// (translate/coding) fills in the rest before the event is shared.
func NewEvent(payload string) *Event {
	return &Event{raw: &rawPayload{src: payload}}
}

// Decode parses a CODING webhook body. name is the event name the server
// found in the headers (X-Coding-Event, else X-Coding-Service-Hook-Event)
// and may be empty, in which case the body's "event" field is used; with no
// name anywhere the error wraps ErrNoEventName. Decoding is lenient: unknown
// fields are ignored, wrongly typed ones are coerced or left empty; only
// malformed JSON (or JSON that is not an object) fails.
func Decode(name string, body []byte) (*Event, error) {
	src := string(body)
	nodes := tapePool.Get().(*[]node)
	defer func() {
		if cap(*nodes) <= maxPooledNodes {
			tapePool.Put(nodes)
		}
	}()
	t, err := parseTape(src, *nodes)
	if err != nil || t.nodes[0].kind != kindObject {
		// Malformed JSON, or not an object: the slow path says exactly why.
		return decodeGeneric(name, body)
	}
	*nodes = t.nodes[:0]
	name = strings.TrimSpace(name)
	if name == "" {
		if v := t.member(0, "event"); v >= 0 {
			if s, ok := t.scalarString(v); ok {
				name = strings.TrimSpace(s)
			}
		}
	}
	if name == "" {
		return nil, fmt.Errorf("decode webhook body: %w in headers or body", ErrNoEventName)
	}
	ev := &Event{raw: &rawPayload{src: src}}
	t.fillStruct(reflect.ValueOf(ev).Elem(), eventPlan.st, 0)
	ev.finish(name)
	return ev, nil
}

var (
	tapePool  = sync.Pool{New: func() any { return new([]node) }}
	eventPlan = planFor(reflect.TypeFor[Event]())
)

// maxPooledNodes keeps the tapes of huge payloads out of the pool.
const maxPooledNodes = 1 << 14

// member is the value node of the last key of object obj, -1 if none.
func (t *tape) member(obj int32, key string) int32 {
	v := int32(-1)
	for k := obj + 1; k < t.nodes[obj].next; k = t.nodes[k+1].next {
		if t.str(k) == key {
			v = k + 1
		}
	}
	return v
}

// decodeGeneric is Decode by way of encoding/json and a generic value: the
// slow path, for what the fast one does not accept.
func decodeGeneric(name string, body []byte) (*Event, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode webhook body: malformed JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode webhook body: malformed JSON: data after the top-level value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("decode webhook body: want a JSON object, got %s", jsonKind(v))
	}
	name = strings.TrimSpace(name)
	if name == "" {
		if s, ok := scalarString(obj["event"]); ok {
			name = strings.TrimSpace(s)
		}
	}
	if name == "" {
		return nil, fmt.Errorf("decode webhook body: %w in headers or body", ErrNoEventName)
	}
	raw := &rawPayload{m: obj}
	raw.once.Do(func() {})
	ev := &Event{raw: raw}
	fillStruct(reflect.ValueOf(ev).Elem(), obj)
	ev.finish(name)
	return ev, nil
}

// finish sets what Decode derives from the event name and the payload.
func (ev *Event) finish(name string) {
	ev.Name = CanonicalEvent(name)
	if isServiceHookCode(name) {
		ev.Code = strings.ToUpper(name)
	}
	ev.fixCommitURLs()
	if ev.Action == "" && ev.Code != "" {
		ev.Action = codeAction(ev.Code)
	}
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// serviceHookFamilies maps Service Hook code prefixes to canonical names.
var serviceHookFamilies = []struct{ prefix, name string }{
	{"GIT_PUSHED", EventPush},
	{"GIT_PUSH_", EventPush},
	{"GIT_MR_", EventMergeRequest},
	{"CI_JOB_", EventCI},
	{"ARTIFACTS_", EventArtifact},
	{"ARTIFACT_", EventArtifact},
	{"MEMBER_", EventMember},
	{"ISSUE_", EventIssue},
	{"ITERATION_", EventIteration},
	{"WIKI_", EventWiki},
	{"FILE_", EventFile},
}

func isServiceHookCode(name string) bool {
	up := strings.ToUpper(strings.TrimSpace(name))
	for _, f := range serviceHookFamilies {
		if strings.HasPrefix(up, f.prefix) {
			return true
		}
	}
	return false
}

// codeAction derives an action from a Service Hook code for payloads
// without an "action": GIT_MR_CREATED → created.
func codeAction(code string) string {
	for _, f := range serviceHookFamilies {
		if rest, ok := strings.CutPrefix(code, f.prefix); ok {
			if rest == "" {
				rest = strings.TrimPrefix(f.prefix, "GIT_")
			}
			return strings.ToLower(rest)
		}
	}
	return ""
}

// CanonicalEvent maps any event name CODING uses to the canonical one:
// "merge request" and "merge_request" to merge_request, Service Hook codes
// to their family (GIT_PUSHED → push, GIT_MR_* → merge_request, CI_JOB_* →
// ci, ARTIFACTS_* → artifact, MEMBER_* → member, ISSUE_* → issue,
// ITERATION_* → iteration, WIKI_* → wiki, FILE_* → file). Other names are
// returned trimmed and lower-cased.
func CanonicalEvent(name string) string {
	n := strings.TrimSpace(name)
	up := strings.ToUpper(n)
	for _, f := range serviceHookFamilies {
		if strings.HasPrefix(up, f.prefix) {
			return f.name
		}
	}
	n = strings.ToLower(n)
	switch strings.Join(strings.FieldsFunc(n, func(r rune) bool { return r == ' ' || r == '_' || r == '-' }), "_") {
	case "merge_request", "mergerequest", "pull_request", "mr":
		return EventMergeRequest
	}
	return n
}

// Zen is the ping's zen sentence.
func (e *Event) Zen() string {
	if e == nil {
		return ""
	}
	return e.ZenText
}

// IsTag reports whether the push is about a tag.
func (e *Event) IsTag() bool { return e != nil && strings.HasPrefix(e.Ref, "refs/tags/") }

// RefName is the pushed branch or tag name without refs/heads/ or refs/tags/.
func (e *Event) RefName() string {
	if e == nil {
		return ""
	}
	return refName(e.Ref)
}

// RefCreated reports a push that created the branch or tag.
func (e *Event) RefCreated() bool {
	return e != nil && e.Ref != "" && (e.Created || e.Before == zeroSHA)
}

// RefDeleted reports a push that deleted the branch or tag.
func (e *Event) RefDeleted() bool {
	return e != nil && e.Ref != "" && (e.Deleted || e.After == zeroSHA)
}

// Branch is the pushed branch or tag name, else the merge request's target
// branch, else the CI build's branch; "" if the event has none. Routing
// filters match it.
func (e *Event) Branch() string {
	switch {
	case e == nil:
		return ""
	case e.Ref != "":
		return refName(e.Ref)
	case e.MergeRequest != nil && e.MergeRequest.Target() != "":
		return e.MergeRequest.Target()
	case e.CI != nil && e.CI.Build != nil:
		return refName(e.CI.Build.Branch)
	}
	return ""
}

// ProjectName is the repository name, else the project's name.
func (e *Event) ProjectName() string {
	switch {
	case e == nil:
		return ""
	case e.Repository != nil && e.Repository.Name != "":
		return e.Repository.Name
	case e.Project != nil && e.Project.DisplayName != "":
		return e.Project.DisplayName
	case e.Project != nil && e.Project.Name != "":
		return e.Project.Name
	case e.MergeRequest != nil && e.MergeRequest.Base != nil && e.MergeRequest.Base.Repo != nil:
		return e.MergeRequest.Base.Repo.Name
	case e.Artifact != nil && e.Artifact.ProjectName != "":
		return e.Artifact.ProjectName
	}
	return ""
}

// ProjectURL links to the repository, else the project.
func (e *Event) ProjectURL() string {
	switch {
	case e == nil:
		return ""
	case e.Repository != nil && e.Repository.HTMLURL != "":
		return e.Repository.HTMLURL
	case e.Project != nil && e.Project.HTMLURL != "":
		return e.Project.HTMLURL
	case e.MergeRequest != nil && e.MergeRequest.Base != nil && e.MergeRequest.Base.Repo != nil:
		return e.MergeRequest.Base.Repo.HTMLURL
	}
	return ""
}

// ActorUser is who triggered the event: the sender, else the pusher, else
// the author of the thing the event is about.
func (e *Event) ActorUser() *User {
	if e == nil {
		return nil
	}
	keyed := func(u *User) bool { return u.Key() != "" }
	switch {
	case keyed(e.Sender):
		return e.Sender
	case keyed(e.Pusher):
		return e.Pusher
	case e.MergeRequest != nil && keyed(e.MergeRequest.MergedBy):
		return e.MergeRequest.MergedBy
	case e.MergeRequest != nil && keyed(e.MergeRequest.User):
		return e.MergeRequest.User
	case e.HeadCommit != nil && keyed(e.HeadCommit.Author):
		return e.HeadCommit.Author
	case e.Issue != nil && keyed(e.Issue.Creator):
		return e.Issue.Creator
	case e.Task != nil && keyed(e.Task.Creator):
		return e.Task.Creator
	case e.Artifact != nil && e.Artifact.UserName != "":
		return &User{Name: e.Artifact.UserName}
	}
	return nil
}

// Actor is the login (else name) of who triggered the event, for logs.
func (e *Event) Actor() string { return e.ActorUser().Key() }

// ActorName is the display name of who triggered the event, for messages.
func (e *Event) ActorName() string { return e.ActorUser().Display() }

// ActorURL links to the actor's CODING profile, if known.
func (e *Event) ActorURL() string {
	if u := e.ActorUser(); u != nil {
		return u.HTMLURL
	}
	return ""
}

// ShownCommits is the push's commit list, or its head commit when CODING
// sent no list (a branch creation does that).
func (e *Event) ShownCommits() []Commit {
	if e == nil {
		return nil
	}
	if len(e.Commits) > 0 {
		return e.Commits
	}
	if e.HeadCommit != nil && e.HeadCommit.ID != "" && !e.RefDeleted() {
		return []Commit{*e.HeadCommit}
	}
	return nil
}

// BuildURL links to the CI build: the payload's own link, else the build
// page under the project (…/p/<project>/ci/job/<job>/build/<number>/pipeline).
func (e *Event) BuildURL() string {
	if e == nil || e.CI == nil {
		return ""
	}
	if b := e.CI.Build; b != nil && b.HTMLURL != "" {
		return b.HTMLURL
	}
	if e.CI.HTMLURL != "" {
		return e.CI.HTMLURL
	}
	base := e.projectPageURL()
	if base == "" {
		return ""
	}
	if e.CI.ID == "" {
		return base + "/ci/job"
	}
	u := base + "/ci/job/" + e.CI.ID
	if b := e.CI.Build; b != nil && b.Number > 0 {
		u += "/build/" + strconv.FormatInt(b.Number, 10) + "/pipeline"
	}
	return u
}

// CommitURL links to a commit of the event's repository
// (…/p/<project>/d/<repo>/git/commit/<sha>), "" when the repository or sha
// is unknown.
func (e *Event) CommitURL(sha string) string {
	if e == nil || e.Repository == nil || e.Repository.Name == "" || sha == "" {
		return ""
	}
	base := e.projectPageURL()
	if base == "" || !strings.Contains(base, "/p/") {
		return ""
	}
	return base + "/d/" + strings.ReplaceAll(url.PathEscape(e.Repository.Name), "@", "%40") + "/git/commit/" + url.PathEscape(sha)
}

// ArtifactURL links to the artifact: the payload's own link, else the
// project's artifact repositories page.
func (e *Event) ArtifactURL() string {
	if e == nil || e.Artifact == nil {
		return ""
	}
	if e.Artifact.HTMLURL != "" {
		return e.Artifact.HTMLURL
	}
	if base := e.projectPageURL(); base != "" {
		return base + "/artifacts"
	}
	return ""
}

// projectPageURL is the https://team.coding.net/p/<project> page, derived
// from the repository or project link.
func (e *Event) projectPageURL() string {
	u := e.ProjectURL()
	if u == "" {
		return ""
	}
	// A repository link may be …/p/<project>/d/<repo>/git; keep …/p/<project>.
	if i := strings.Index(u, "/p/"); i >= 0 {
		rest := u[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return u[:i+3+j]
		}
	}
	return strings.TrimRight(u, "/")
}

// Link is the main URL of the event: the compare page or commit of a push,
// the merge request, build, artifact, issue, ... else the repository.
func (e *Event) Link() string {
	if e == nil {
		return ""
	}
	switch e.Name {
	case EventPush:
		if !e.RefDeleted() {
			if e.RefCreated() {
				if shown := e.ShownCommits(); len(shown) == 1 && shown[0].URL != "" {
					return shown[0].URL
				}
			}
			if e.Compare != "" {
				return e.Compare
			}
			if e.HeadCommit != nil && e.HeadCommit.URL != "" {
				return e.HeadCommit.URL
			}
		}
	case EventCI:
		if u := e.BuildURL(); u != "" {
			return u
		}
	case EventArtifact:
		if u := e.ArtifactURL(); u != "" {
			return u
		}
	}
	switch {
	case e.Comment != nil && e.Comment.HTMLURL != "":
		return e.Comment.HTMLURL
	case e.MergeRequest != nil && e.MergeRequest.HTMLURL != "":
		return e.MergeRequest.HTMLURL
	case e.Task != nil && e.Task.HTMLURL != "":
		return e.Task.HTMLURL
	case e.Issue != nil && e.Issue.HTMLURL != "":
		return e.Issue.HTMLURL
	case e.Iteration != nil && e.Iteration.HTMLURL != "":
		return e.Iteration.HTMLURL
	case e.Wiki != nil && e.Wiki.HTMLURL != "":
		return e.Wiki.HTMLURL
	case e.File != nil && e.File.HTMLURL != "":
		return e.File.HTMLURL
	case e.Document != nil && e.Document.HTMLURL != "":
		return e.Document.HTMLURL
	}
	if u := e.ProjectURL(); u != "" {
		return u
	}
	if e.Team != nil {
		return e.Team.HTMLURL
	}
	return ""
}

// Get reads a value of the raw payload by a dotted path ("ci.build.status"),
// for templates of events without a model. Missing paths give nil.
func (e *Event) Get(path string) any {
	if e == nil {
		return nil
	}
	var cur any = e.Raw()
	for part := range strings.SplitSeq(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// Verb is what happened, in lower case: the Service Hook code without its
// family prefix (GIT_MR_MERGED → merged, ARTIFACTS_VERSION_CREATED →
// version_created), else the payload's action (merge, trigger_build, …).
func (e *Event) Verb() string {
	if e == nil {
		return ""
	}
	if e.Code != "" {
		if v := codeAction(e.Code); v != "" {
			return v
		}
	}
	return strings.ToLower(strings.TrimSpace(e.Action))
}

// parseAPICommitURL splits the API address CODING puts in a commit's url,
// <origin>/api/team/<team>/project/<project>/git/commit/<sha> with origin
// http(s)://<host> (all parts non-empty, none with a slash, sha hex).
func parseAPICommitURL(u string) (origin, project, sha string, ok bool) {
	var rest string
	switch {
	case strings.HasPrefix(u, "https://"):
		rest = u[len("https://"):]
	case strings.HasPrefix(u, "http://"):
		rest = u[len("http://"):]
	default:
		return "", "", "", false
	}
	host := strings.IndexByte(rest, '/')
	if host <= 0 {
		return "", "", "", false
	}
	origin = u[:len(u)-len(rest)+host]
	// api/team/<team>/project/<project>/git/commit/<sha>
	var parts [8]string
	p := rest[host+1:]
	for i := range parts {
		j := strings.IndexByte(p, '/')
		if i == len(parts)-1 {
			if j >= 0 {
				return "", "", "", false
			}
			parts[i] = p
			break
		}
		if j < 0 {
			return "", "", "", false
		}
		parts[i], p = p[:j], p[j+1:]
	}
	if parts[0] != "api" || parts[1] != "team" || parts[2] == "" || parts[3] != "project" || parts[4] == "" ||
		parts[5] != "git" || parts[6] != "commit" || parts[7] == "" || !isHexString(parts[7]) {
		return "", "", "", false
	}
	return origin, parts[4], parts[7], true
}

func isHexString(s string) bool {
	for i := range len(s) {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// fixCommitURLs replaces commit API addresses (which a browser cannot
// show) with the commit's web page, …/p/<project>/d/<repo>/git/commit/<sha>,
// when the repository is known.
func (e *Event) fixCommitURLs() {
	if e.Repository == nil || e.Repository.Name == "" {
		return
	}
	fix := func(c *Commit) {
		origin, project, sha, ok := parseAPICommitURL(c.URL)
		if !ok {
			return
		}
		c.URL = origin + "/p/" + project + "/d/" + strings.ReplaceAll(url.PathEscape(e.Repository.Name), "@", "%40") + "/git/commit/" + sha
	}
	for i := range e.Commits {
		fix(&e.Commits[i])
	}
	if e.HeadCommit != nil {
		fix(e.HeadCommit)
	}
}
