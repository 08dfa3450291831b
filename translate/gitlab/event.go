package gitlab

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coding-relay/coding-relay/translate"
)

type mapper struct {
	p  *payload
	ev *translate.Event
	// web is the project page; origin its host, else the headers' instance.
	web, origin string
}

// toEvent maps p onto ev, whose Name, Code, Action and Verb are set.
func toEvent(p *payload, ev *translate.Event, instance string) {
	m := &mapper{p: p, ev: ev, origin: instance}
	switch {
	case p.Project != nil:
		ev.ProjectName, m.web = p.Project.Name, p.Project.WebURL
		ev.ProjectKeys = []string{p.Project.PathWithNamespace, p.Project.Name}
	case p.Repository != nil: // Codeup and TGit send no project
		ev.ProjectName, m.web = p.Repository.Name, p.Repository.Homepage
		ev.ProjectKeys = []string{strings.Trim(pathOf(m.web), "/"), p.Repository.Name}
	default: // a vulnerability names its project by its page only
		m.web, _, _ = strings.Cut(p.Attrs.URL, "/-/")
		ev.ProjectKeys = []string{strings.Trim(pathOf(m.web), "/")}
		ev.ProjectName = lastSegment(ev.ProjectKeys[0])
	}
	m.web = translate.CleanURL(m.web)
	ev.ProjectURL = m.web
	if u, err := url.Parse(m.web); err == nil && u.Host != "" {
		m.origin = u.Scheme + "://" + u.Host
	}
	if m.web != "" {
		ev.LinkCommits(func(sha string) string { return m.web + "/-/commit/" + sha })
	}
	ev.ActorUser = m.person(p.User)
	if a := p.Attrs; a.Note != "" {
		ev.Comment = &translate.Comment{Body: a.Note, URL: a.URL, Author: ev.ActorUser}
	}
	switch ev.Name {
	case translate.EventPush:
		m.push()
	case translate.EventMergeRequest:
		m.mergeRequest()
	case translate.EventComment:
		m.comment()
	case translate.EventIssue:
		m.issue()
	case translate.EventCI, translate.EventJob, translate.EventDeployment:
		m.build()
	default:
		m.other()
	}
}

// person is a GitLab user in the model; nil for none.
func (m *mapper) person(u *user) *translate.User {
	if u == nil || (u.Name == "" && u.Username == "") {
		return nil
	}
	p := &translate.User{Login: u.Username, Name: u.Name, Email: email(u.Email)}
	if u.ID != 0 {
		p.ID = strconv.FormatInt(u.ID, 10)
	}
	if m.origin != "" && u.Username != "" && (m.p.Project != nil || m.p.Repository == nil) {
		// Only GitLab's profile pages; Codeup and TGit (no project) differ.
		p.URL = m.origin + "/" + url.PathEscape(u.Username)
	}
	return p
}

func (m *mapper) people(us []user) []translate.User {
	var out []translate.User
	for i := range us {
		if p := m.person(&us[i]); p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// assignees also takes the single assignee older GitLabs and Codeup send.
func (m *mapper) assignees() []translate.User {
	if p := m.p; len(p.Assignees) == 0 {
		for _, u := range []*user{p.Assignee, p.Attrs.Assignee} {
			if u != nil {
				return m.people([]user{*u})
			}
		}
	}
	return m.people(m.p.Assignees)
}

// email is s, "" for GitLab's [REDACTED] (no public email).
func email(s string) string {
	if strings.Contains(s, "@") {
		return s
	}
	return ""
}

func (m *mapper) commit(c *commit) *translate.Commit {
	if c == nil || (c.ID == "" && c.SHA == "") {
		return nil
	}
	out := &translate.Commit{ID: cmp.Or(c.ID, c.SHA), Message: c.Message, Link: translate.CleanURL(c.URL)}
	if out.Link == "" && m.web != "" {
		out.Link = m.web + "/-/commit/" + out.ID
	}
	if a := c.Author; a != nil {
		out.Author = &translate.User{Name: a.Name, Email: email(a.Email)}
	} else if c.AuthorName != "" {
		out.Author = &translate.User{Name: c.AuthorName, Email: email(c.AuthorEmail)}
	}
	out.Time, _ = time.Parse(time.RFC3339, c.Timestamp)
	return out
}

// push: the ref, its commits newest first, the page of what changed.
func (m *mapper) push() {
	p, ev := m.p, m.ev
	ev.ActorUser = m.person(&user{Name: p.UserName, Username: p.UserUsername, Email: p.UserEmail})
	ev.Ref, ev.CommitCount, ev.Body = p.Ref, p.TotalCommitsCount, p.Message
	ev.RefCreated, ev.RefDeleted = p.Before == translate.ZeroSHA, p.After == translate.ZeroSHA
	name := translate.RefName(p.Ref)
	if strings.HasPrefix(p.Ref, "refs/tags/") {
		ev.Tag = name
	}
	if ev.RefDeleted {
		ev.Before, ev.ObjectURL = m.commit(&commit{ID: p.Before}), m.web
		if ev.Tag != "" && p.Project != nil {
			ev.ObjectURL = m.web + "/-/tags" // the tags that are left
		}
		return
	}
	commits := make([]translate.Commit, 0, len(p.Commits))
	for i := range p.Commits {
		commits = append(commits, *m.commit(&p.Commits[i]))
	}
	ev.Commits = translate.NewestFirst(commits, p.After, nil)
	if p.Project != nil && !ev.RefCreated && p.Before != "" {
		ev.CompareURL = m.web + "/-/compare/" + p.Before + "..." + p.After
	}
	switch {
	case ev.Tag != "" && p.Project != nil:
		ev.ObjectURL = m.web + "/-/tags/" + url.PathEscape(name)
	case len(ev.Commits) == 1 || (len(ev.Commits) > 0 && ev.CompareURL == ""):
		ev.ObjectURL = ev.Commits[0].Link
	case ev.CompareURL != "":
		ev.ObjectURL = ev.CompareURL
	case p.Project != nil:
		ev.ObjectURL = m.web + "/-/tree/" + name
	}
}

// object fills what a merge request, an issue or a note's object share.
func (m *mapper) object(a *attributes, sigil string) {
	ev := m.ev
	if a.IID != 0 {
		ev.Number = strconv.FormatInt(a.IID, 10)
		ev.ID = sigil + ev.Number
	}
	ev.Title, ev.State, ev.ObjectURL = a.Title, a.State, translate.CleanURL(a.URL)
	ev.SourceBranch, ev.TargetBranch, ev.Draft = a.SourceBranch, a.TargetBranch, a.Draft || a.WorkInProgress
	for _, l := range slices.Concat(a.Labels, m.p.Labels) {
		if !slices.Contains(ev.Labels, l.Title) {
			ev.Labels = append(ev.Labels, l.Title)
		}
	}
}

// mergeRequest: an update is ready/draft if that changed, quiet if it only
// relabels or rechecks, edited if it brings no commits.
func (m *mapper) mergeRequest() {
	p, ev, a := m.p, m.ev, &m.p.Attrs
	if p.MergeRequest != nil { // a note on it (Codeup)
		m.comment()
		return
	}
	m.object(a, "!")
	ev.Body, ev.Commit = a.Description, m.commit(a.LastCommit)
	ev.Assignees, ev.Reviewers = m.assignees(), m.people(p.Reviewers)
	switch ev.Verb {
	case "opened":
		ev.Author = ev.ActorUser
	case "merged":
		ev.MergedBy = ev.ActorUser
	case "updated":
		if d, ok := p.Changes["draft"].(map[string]any); ok {
			ev.Verb = map[bool]string{true: "draft", false: "ready"}[d["current"] == true]
		} else if a.Oldrev == "" && a.ExtensionAction == "" {
			ev.Quiet = m.quiet()
		}
	}
}

// notable changes are read about; GitLab also sends relabel/recheck updates.
var notable = []string{"title", "description", "target_branch", "assignees", "reviewers", "due_date", "milestone_id", "confidential"}

// quiet reports an update without notable changes (Codeup/TGit list none: heard).
func (m *mapper) quiet() bool {
	return m.p.Changes != nil && !slices.ContainsFunc(notable, func(k string) bool { _, ok := m.p.Changes[k]; return ok })
}

// comment: a note on its object (an MR's is an MR event); edited/system notes are quiet.
func (m *mapper) comment() {
	p, ev := m.p, m.ev
	ev.Verb, ev.Quiet = "commented", p.Attrs.System || p.Attrs.Action == "update"
	ev.Type = strings.ToLower(p.Attrs.NoteableType) // commit, issue, snippet
	switch {
	case p.MergeRequest != nil:
		ev.Name = translate.EventMergeRequest
		m.object(p.MergeRequest, "!")
	case p.Issue != nil:
		m.object(p.Issue, "#")
	case p.Snippet != nil:
		ev.Number = strconv.FormatInt(p.Snippet.ID, 10)
		ev.ID, ev.Title, ev.ObjectURL = "$"+ev.Number, p.Snippet.Title, translate.CleanURL(p.Snippet.URL)
	case p.Commit != nil:
		ev.Commit = m.commit(p.Commit)
		ev.ID, ev.ObjectURL = ev.Commit.ID[:min(8, len(ev.Commit.ID))], ev.Commit.Link
		ev.Title, _, _ = strings.Cut(ev.Commit.Message, "\n")
	}
}

// issue: any work item; an assignee change is an assignment, a relabel,
// reorder or time log is quiet.
func (m *mapper) issue() {
	p, ev, a := m.p, m.ev, &m.p.Attrs
	m.object(a, "#")
	ev.Body, ev.Assignees, ev.Due = a.Description, m.assignees(), parseDate(a.DueDate)
	ev.Type = strings.ToUpper(strings.ReplaceAll(a.Type, " ", "_"))
	if a.Severity != "unknown" {
		ev.Priority = a.Severity
	}
	if ev.Verb == "updated" {
		_, assigned := p.Changes["assignees"]
		_, labeled := p.Changes["labels"]
		switch {
		case assigned:
			ev.Verb = "assigned"
		case labeled:
			ev.Verb = "labeled"
		}
		ev.Quiet = m.quiet()
	}
}

// build: a pipeline, job or deployment. Unless asked, robots get only final
// pipeline/deployment states and failed jobs (not allowed-to-fail ones).
func (m *mapper) build() {
	p, ev, a := m.p, m.ev, &m.p.Attrs
	ev.Commit = m.commit(p.Commit)
	final := []string{"success", "failed", "canceled"}
	switch ev.Name {
	case translate.EventCI:
		ev.Number, ev.Title, ev.Type, ev.Status, ev.Cause = strconv.FormatInt(a.ID, 10), a.Name, "pipeline", a.Status, a.Source
		ev.Duration = time.Duration(a.Duration * float64(time.Second))
		ev.ObjectURL = m.page(a.URL, "/-/pipelines/"+ev.Number)
		m.ref(a.Ref, a.Tag)
		if mr := p.MergeRequest; mr != nil {
			ev.SourceBranch, ev.TargetBranch, ev.Branch = mr.SourceBranch, mr.TargetBranch, mr.SourceBranch
		}
		var failed []string
		for _, b := range p.Builds {
			if b.Status == "failed" && !b.AllowFailure {
				failed = append(failed, b.Name)
			}
		}
		slices.Sort(failed)
		ev.Error, ev.Quiet = strings.Join(failed, ", "), !slices.Contains(final, a.Status)
	case translate.EventJob:
		ev.Number, ev.Title, ev.Type, ev.Status = strconv.FormatInt(p.BuildID, 10), p.BuildName, p.BuildStage, p.BuildStatus
		ev.Duration = time.Duration(p.BuildDuration * float64(time.Second))
		ev.ObjectURL = m.page("", "/-/jobs/"+ev.Number)
		if p.BuildStatus == "failed" {
			ev.Error = p.BuildFailureReason
		}
		tag, _ := p.Tag.(bool)
		m.ref(p.Ref, tag)
		if env, ok := p.Environment.(map[string]any); ok {
			ev.Environment, _ = env["name"].(string)
		}
		ev.Quiet = p.BuildStatus != "failed" || p.BuildAllowFailure
	case translate.EventDeployment:
		ev.Number, ev.Status = strconv.FormatInt(p.DeploymentID, 10), p.Status
		ev.Environment, _ = p.Environment.(string)
		ev.Commit = m.commit(&commit{ID: lastSegment(pathOf(p.CommitURL)), Message: p.CommitTitle, URL: p.CommitURL})
		ev.ObjectURL = m.page(cmp.Or(p.DeployableURL, p.EnvironmentExternalURL), "/-/environments")
		m.ref(p.Ref, false)
		ev.Quiet = !slices.Contains(final, p.Status)
	}
	ev.Action, ev.Verb = ev.Status, cmp.Or(buildVerbs[ev.Status], "triggered")
	if ev.Verb == "triggered" && ev.Name == translate.EventDeployment {
		ev.Verb = "created"
	}
}

// page is u, else the page at path under the project's.
func (m *mapper) page(u, path string) string {
	if u = translate.CleanURL(u); u == "" && m.web != "" {
		u = m.web + path
	}
	return u
}

func (m *mapper) ref(ref string, tag bool) {
	switch {
	case ref == "":
	case tag:
		m.ev.Ref, m.ev.Tag = "refs/tags/"+ref, ref
	case !strings.HasPrefix(ref, "refs/"):
		m.ev.Ref = "refs/heads/" + ref
	}
}

// buildVerbs maps a status to its verb; others (pending, …) are "triggered".
var buildVerbs = map[string]string{"running": "started", "success": "succeeded", "failed": "failed",
	"canceled": "canceled", "skipped": "skipped", "manual": "manual"}
