package translate

import (
	"encoding/json"
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

// Event is one decoded CODING webhook. Name is canonical (see
// coding.CanonicalEvent); Code keeps a Service Hook code such as
// GIT_PUSHED. Which of the objects are set depends on the event; everything
// is optional.
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

// Verb is what happened, in lower case: CodeVerb, what the Service Hook
// code says (GIT_MR_MERGED → merged, ARTIFACTS_VERSION_CREATED →
// version_created), else the payload's action (merge, trigger_build, …).
func (e *Event) Verb() string {
	if e == nil {
		return ""
	}
	if e.CodeVerb != "" {
		return e.CodeVerb
	}
	return strings.ToLower(strings.TrimSpace(e.Action))
}
