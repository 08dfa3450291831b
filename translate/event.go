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

// Events lists every kind that has default templates of its own.
var Events = []string{
	EventPing, EventPush, EventMergeRequest, EventTask, EventDocument,
	EventMember, EventCI, EventArtifact, EventIssue, EventIteration,
	EventWiki, EventFile, EventJob, EventRelease, EventDeployment,
	EventComment,
}

// Event is one webhook event in the relay's own terms, filled by a source
// and read by templates, digests and filters; docs/templates.md describes
// each (optional) field. It is read-only once returned: robots render it
// concurrently.
type Event struct {
	// Source is the decoding source ("coding", "gitlab", "github");
	// SourceName what people call the sender (CODING, GitLab, Gitea).
	Source, SourceName string
	// Name is the kind (EventPush, …, else the source's own name); Verb
	// what happened (opened, merged, failed, …).
	Name, Verb string
	// Action is the sender's action (trigger_build); actions= matches it,
	// Code and Verb. Code is the sender's event name (GIT_MR_CREATED),
	// Label its human name.
	Action, Code, Label string
	// Quiet events (an intermediate pipeline state, a label added) reach
	// only robots whose actions= or events= names them.
	Quiet bool

	// ActorUser is who did it; the rest follow from it (Actor for logs).
	ActorUser                  *User
	ActorName, ActorURL, Actor string

	// Where: the project, the Git repository, the team or group.
	ProjectName, ProjectURL, RepoName, RepoURL, TeamURL string
	// ProjectKeys are the names a robot's projects= may match.
	ProjectKeys []string

	// Link is the page a card's button opens; ObjectURL the object's page.
	Link, ObjectURL string

	// Branch is what branches= matches (pushed ref, MR target, CI ref).
	Branch string
	// Ref is a push's full ref, RefName without its refs/… prefix.
	Ref, RefName                  string
	IsTag, RefCreated, RefDeleted bool
	// Before is the commit a deleted branch or tag pointed to.
	Before     *Commit
	CompareURL string
	// Commits are newest first; CommitCount may exceed len(Commits).
	Commits      []Commit
	CommitCount  int
	LatestCommit *Commit

	// The object (merge request, issue, build, …): Number as sent (12,
	// T-12), ID with its sigil (!12). State, Status and Type are in the
	// sender's code (SUCCEED, DEFECT); the *Name fields its own words.
	Number, ID, Title, Body    string
	State, Status, StatusName  string
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
	// Cause is why a build ran, Error why it failed.
	Duration     time.Duration
	Cause, Error string
	Commit       *Commit
	Changes      Changes
	Milestone    *Place
	Comment      *Comment
	Member       *User // the person a member event is about
	Role         string
	// Path, Size, Version, Package and Registry describe a file, wiki page
	// or artifact; Zen is a ping's motto.
	Environment, Tag, Path                string
	Size                                  int64
	Version, Package, Registry, Goal, Zen string

	// Subject is what an event of a kind without templates is about.
	Subject *Subject

	raw       func() map[string]any // the payload's generic JSON, decoded once and shared by copies
	commitURL func(sha string) string
	pages     func(u string) string
}

// LinkPages sets how a Subject link becomes a browser page (CODING sends
// API addresses); without it a link is only cleaned.
func (e *Event) LinkPages(f func(u string) string) { e.pages = f }

// LinkCommits sets how CommitURL links a commit by its id.
func (e *Event) LinkCommits(f func(sha string) string) { e.commitURL = f }

// CommitURL is a repository commit's page, or "" when the source cannot
// tell.
func (e *Event) CommitURL(sha string) string {
	if e == nil || e.commitURL == nil {
		return ""
	}
	return e.commitURL(sha)
}

// User is a person the event names.
type User struct {
	// Login is the account name (global key, username) that mentions and
	// comparisons use; Name the display name.
	ID, Login, Name, Email, URL string
}

// Display is the display name, else the login, else the email.
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

// WithPayload keeps the webhook's JSON body for Raw and Get.
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

// Raw is the payload as generic JSON (numbers json.Number), decoded on
// first use, for what the model lacks; nil when no payload was kept.
func (e *Event) Raw() map[string]any {
	if e == nil || e.raw == nil {
		return nil
	}
	return e.raw()
}

// Get reads a raw payload value by dotted path ("commits.0.id"), or nil.
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
