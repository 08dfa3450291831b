package translate

import (
	"bytes"
	"encoding/json"
)

// EventView is the Event as templates see it (.Event): the same fields, and
// the same names for Event's methods. Every method without arguments is
// evaluated once per render and held in a field of its name, because
// text/template resolves a method through reflect (MethodByName, which
// builds the method's func type, then Value.Call) on every evaluation,
// while a field is a cheap lookup; the default templates ask for .Event.Verb,
// .Event.RefName, .Event.Link, … dozens of times per message. The methods
// with arguments, and Raw (decoded lazily), stay methods.
//
// view_test.go checks that every field and method of Event has its
// counterpart here. The view marshals to JSON as the Event does, so
// {{toJson .Event}} reads the same.
type EventView struct {
	// The results of Event's methods of the same names. The fields are
	// ordered by how often the default templates ask for them, because
	// text/template finds a field by scanning the struct's fields in order.
	Verb         string
	RefName      string
	Link         string
	ProjectName  string
	ActorName    string
	ProjectURL   string
	IsTag        bool
	RefCreated   bool
	RefDeleted   bool
	BuildURL     string
	ArtifactURL  string
	Zen          string
	Branch       string
	ActorUser    *User
	Actor        string
	ActorURL     string
	ShownCommits []Commit
	ObjectURL    string
	CompareURL   string
	RepoName     string
	RepoURL      string
	TeamURL      string
	LatestCommit *Commit
	Subject      *Subject

	// Event's fields, the objects the templates read most first.
	CI           *CI
	MergeRequest *MergeRequest
	Task         *Task
	Issue        *Issue
	File         *File
	Wiki         *Wiki
	Iteration    *Iteration
	Member       *Member
	Document     *Document
	Comment      *Comment
	Artifact     *Artifact

	Name       string
	Action     string
	Code       string
	CodeVerb   string
	Label      string
	Sender     *User
	Repository *Repository
	Project    *Project
	Team       *Team

	Ref        string
	Before     string
	After      string
	Created    bool
	Deleted    bool
	Compare    string
	Commits    []Commit
	HeadCommit *Commit
	Pusher     *User
	Number     int64

	ZenText string
	HookID  string
	Hook    *Hook

	ev *Event
}

// newEventView is the view of e; e must not change while the view is in use.
func newEventView(e *Event) *EventView {
	v := &EventView{
		Name: e.Name, Code: e.Code, CodeVerb: e.CodeVerb, Label: e.Label, Action: e.Action,
		Sender: e.Sender, Repository: e.Repository, Project: e.Project, Team: e.Team,
		Ref: e.Ref, Before: e.Before, After: e.After, Created: e.Created, Deleted: e.Deleted,
		Compare: e.Compare, Commits: e.Commits, HeadCommit: e.HeadCommit, Pusher: e.Pusher,
		Number: e.Number, MergeRequest: e.MergeRequest,
		Task: e.Task, Document: e.Document, Member: e.Member, CI: e.CI, Artifact: e.Artifact,
		Issue: e.Issue, Iteration: e.Iteration, Wiki: e.Wiki, File: e.File, Comment: e.Comment,
		ZenText: e.ZenText, HookID: e.HookID, Hook: e.Hook,

		Verb:         e.Verb(),
		RefName:      e.RefName(),
		Link:         e.Link(),
		ProjectName:  e.ProjectName(),
		ActorName:    e.ActorName(),
		ProjectURL:   e.ProjectURL(),
		IsTag:        e.IsTag(),
		RefCreated:   e.RefCreated(),
		RefDeleted:   e.RefDeleted(),
		BuildURL:     e.BuildURL(),
		ArtifactURL:  e.ArtifactURL(),
		Zen:          e.Zen(),
		Branch:       e.Branch(),
		ActorUser:    e.ActorUser(),
		Actor:        e.Actor(),
		ActorURL:     e.ActorURL(),
		ShownCommits: e.ShownCommits(),
		ObjectURL:    e.ObjectURL(),
		CompareURL:   e.CompareURL(),
		RepoName:     e.RepoName(),
		RepoURL:      e.RepoURL(),
		TeamURL:      e.TeamURL(),
		Subject:      e.Subject(),

		ev: e,
	}
	if len(v.ShownCommits) > 0 {
		v.LatestCommit = &v.ShownCommits[0]
	}
	return v
}

// MarshalJSON marshals the Event the view shows, without escaping HTML
// characters: toJson escapes them anyway, toRawJson must keep them.
func (v *EventView) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v.ev); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Raw is Event.Raw: the whole payload as generic JSON, decoded on first use.
func (v *EventView) Raw() map[string]any { return v.ev.Raw() }

// Get is Event.Get: a value of the raw payload by a dotted path.
func (v *EventView) Get(path string) any { return v.ev.Get(path) }

// CommitURL is Event.CommitURL: the web page of a commit of the event's
// repository.
func (v *EventView) CommitURL(sha string) string { return v.ev.CommitURL(sha) }
