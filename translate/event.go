package translate

import (
	"cmp"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The kinds of events (Event.Name) the default templates know. A source
// maps its own event names onto them; an event of a kind not listed keeps
// the source's name for it and is rendered by the generic templates.
const (
	EventPing         = "ping"          // the sender checks the webhook
	EventPush         = "push"          // commits pushed; a branch or tag created or deleted
	EventMergeRequest = "merge_request" // a merge (pull) request, its reviews and comments
	EventIssue        = "issue"         // an issue, work item, requirement or defect
	EventTask         = "task"          // a task of a project-management board
	EventCI           = "ci"            // a pipeline, build or workflow run
	EventJob          = "job"           // one job of a pipeline
	EventRelease      = "release"       // a release published, edited or deleted
	EventDeployment   = "deployment"    // a deployment to an environment
	EventComment      = "comment"       // a comment on a commit, an issue or a snippet
	EventWiki         = "wiki"          // a wiki page
	EventDocument     = "document"      // a file or folder of a document store
	EventFile         = "file"          // a file of a project's file store
	EventMember       = "member"        // a member added, removed or changed
	EventArtifact     = "artifact"      // a package or artifact version
	EventIteration    = "iteration"     // an iteration, sprint or milestone
)

// Events lists every kind that has default templates of its own; an event
// of another kind is rendered by the generic templates from its Subject.
var Events = []string{
	EventPing, EventPush, EventMergeRequest, EventTask, EventDocument,
	EventMember, EventCI, EventArtifact, EventIssue, EventIteration,
	EventWiki, EventFile, EventJob, EventRelease, EventDeployment,
	EventComment,
}

// Event is one webhook event in the relay's own terms: what happened, who
// did it, where, and to which object. Every source fills it from its own
// payload (see server/source), the templates and digests read nothing
// else, and routing filters match it; docs/templates.md describes each
// field for template authors. Every field is optional. An Event is
// read-only once its source returns it: it is rendered concurrently for
// several robots.
type Event struct {
	// Source is the decoding source ("coding", "gitlab", "github");
	// SourceName what people call the sender (CODING, GitLab, Gitea).
	Source, SourceName string
	// Name is the kind (EventPush, …; the source's own name for a kind
	// without templates).
	Name string
	// Verb is what happened, a lower-case word (opened, merged, failed, …;
	// docs/templates.md lists each kind's words).
	Verb string
	// Action is the action as the sender wrote it (trigger_build,
	// "synchronize"); a robot's actions= matches it, Code and Verb.
	Action string
	// Code is the sender's own name of the event when it differs from
	// Name (GIT_MR_CREATED, "Merge Request Hook"); Label its human name.
	Code, Label string
	// Quiet marks an event a robot gets only when its actions= or events=
	// names it: an intermediate pipeline state, a label added, a star.
	Quiet bool

	// ActorUser is who did it; ActorName, ActorURL and Actor (the account,
	// for logs) follow from it.
	ActorUser                  *User
	ActorName, ActorURL, Actor string

	// Where: the project (a GitHub repository), the Git repository where
	// it is not the project itself, the team, group or organisation.
	ProjectName, ProjectURL, RepoName, RepoURL, TeamURL string
	// ProjectKeys are the names a robot's projects= may match.
	ProjectKeys []string

	// Link is the page a card's button opens; ObjectURL the object's page.
	Link, ObjectURL string

	// Branch is what branches= matches: the pushed branch or tag, a merge
	// request's target branch, a pipeline's ref.
	Branch string
	// Ref is a push's full ref (refs/heads/main), RefName without its
	// prefix; IsTag, RefCreated and RefDeleted say what the push did.
	Ref, RefName                  string
	IsTag, RefCreated, RefDeleted bool
	// Before is the commit a deleted branch or tag pointed to.
	Before     *Commit
	CompareURL string
	// Commits are a push's commits as the payload lists them, newest
	// first; CommitCount how many the push had (maybe more); LatestCommit
	// the first of Commits.
	Commits      []Commit
	CommitCount  int
	LatestCommit *Commit

	// The object the event is about: a merge request, an issue, a build, …
	// Number is its number or code as the sender gives it (12, T-12), ID
	// with its sigil (!12, #12).
	Number, ID, Title, Body string
	// State is its state and Status a build's or work item's status, in
	// the sender's code (opened, CANMERGE, SUCCEED, …); StatusName the
	// sender's own word for the status.
	State, Status, StatusName string
	// Type is the kind of object in the sender's code (DEFECT, maven),
	// TypeName the sender's word for it.
	Type, TypeName             string
	Draft                      bool
	SourceBranch, TargetBranch string
	Author                     *User
	Assignees, Reviewers       []User
	MergedBy                   *User
	Labels                     []string
	// Priority is low, medium, high, urgent, or the sender's own word.
	Priority        string
	Due, Start, End time.Time
	// Duration is how long a build or job ran; Cause why it ran, Error why
	// it failed; Commit what it (or a release, a deployment) is about.
	Duration     time.Duration
	Cause, Error string
	Commit       *Commit
	Changes      Changes
	// Milestone is the iteration, sprint or milestone the object is in.
	Milestone *Place
	// Comment is the comment an event is about, or that came with it.
	Comment *Comment
	// Member is the person a member event is about, Role their role.
	Member *User
	Role   string
	// Environment is a deployment's; Tag a release's; Path, Size, Version,
	// Package and Registry describe a file, wiki page or artifact; Goal
	// an iteration's; Zen a ping's motto.
	Environment, Tag, Path                string
	Size                                  int64
	Version, Package, Registry, Goal, Zen string

	// Subject is what an event of a kind without templates is about, read
	// from the payload; nil for the known kinds.
	Subject *Subject

	raw       func() map[string]any // the payload's generic JSON, decoded once and shared by copies
	commitURL func(sha string) string
	pages     func(u string) string
}

// LinkPages sets how a link read from the payload for Subject becomes a
// page a browser shows (CODING sends API addresses); without it a link is
// only cleaned.
func (e *Event) LinkPages(f func(u string) string) { e.pages = f }

// LinkCommits sets how CommitURL links a commit of the event's repository
// by its id; a source calls it when it can build such links.
func (e *Event) LinkCommits(f func(sha string) string) { e.commitURL = f }

// CommitURL is the page of a commit of the event's repository, "" when the
// source cannot tell: {{link (sha7 .) ($.Event.CommitURL .)}}.
func (e *Event) CommitURL(sha string) string {
	if e == nil || e.commitURL == nil {
		return ""
	}
	return e.commitURL(sha)
}

// User is a person the event names.
type User struct {
	// ID is the sender's id of the account; Login its account name (CODING
	// global key, GitLab username, GitHub login), which mentions and
	// comparisons use; Name the display name; URL the profile page.
	ID, Login, Name, Email, URL string
}

// Display is the name a human recognises: the display name, else the login,
// else the email.
func (u *User) Display() string {
	if u == nil {
		return ""
	}
	return cmp.Or(u.Name, u.Login, u.Email)
}

// Key is the account of the user: login, else email, else name.
func (u *User) Key() string {
	if u == nil {
		return ""
	}
	return cmp.Or(u.Login, u.Email, u.Name)
}

// Commit is a commit the event names.
type Commit struct {
	ID, Short        string // the full id, its first 7 characters
	Message, Subject string // the whole message, its first line
	Link             string // the commit's page
	Author           *User
	AuthorName       string // Author's Display
	Time             time.Time
}

// Place is a thing with a name and a page: a milestone, an iteration.
type Place struct{ Name, URL string }

// Comment is a comment or note.
type Comment struct {
	Body, URL string
	Author    *User
}

// Changes counts the changes of a merge request.
type Changes struct{ Files, Additions, Deletions int64 }

// WithPayload keeps payload, the webhook's JSON body as received, for Raw
// and Get; a source calls it on the event it returns.
func (e *Event) WithPayload(payload string) {
	e.raw = sync.OnceValue(func() map[string]any {
		dec := json.NewDecoder(strings.NewReader(payload))
		dec.UseNumber()
		var v map[string]any
		if dec.Decode(&v) != nil {
			return nil
		}
		return v
	})
}

// Raw is the whole payload as generic JSON (objects are map[string]any,
// numbers json.Number), for what the model does not carry:
// {{.Event.Raw.object_attributes.iid}}. It is decoded on first use; nil
// when the source kept no payload.
func (e *Event) Raw() map[string]any {
	if e == nil || e.raw == nil {
		return nil
	}
	return e.raw()
}

// Get reads a value of the raw payload by a dotted path
// ("object_attributes.iid"). Missing paths give nil.
func (e *Event) Get(path string) any {
	var cur any = e.Raw() // nil for a nil e
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
