package github

import (
	"cmp"
	"net/url"
	"strings"
	"time"

	"github.com/coding-relay/coding-relay/translate"
)

// buildEvent: a workflow run/job, check suite/run, Forgejo run or status.
func buildEvent(p *payload, ev *translate.Event) {
	var sha string
	if r := orNil(p.WorkflowRun, p.WorkflowJob, p.CheckRun, p.CheckSuite, p.Run); r != nil {
		ev.Title = cmp.Or(r.Name, r.WorkflowID)
		if r.WorkflowName != "" && r.WorkflowName != r.Name {
			ev.Title = r.WorkflowName + " / " + r.Name // as GitHub lists a job
		}
		if r == p.CheckSuite {
			ev.Title = cmp.Or(r.App.Name, ev.Title)
		}
		if ev.Title == "" && p.Workflow != nil {
			ev.Title = p.Workflow.Name
		}
		ev.Number, ev.Status = cmp.Or(r.RunNumber.String(), r.Index.String()), status(r.Status, r.Conclusion)
		ev.ObjectURL, ev.Cause = clean(cmp.Or(r.HTMLURL, r.DetailsURL)), cmp.Or(r.DisplayTitle, r.Title)
		if ev.Branch = cmp.Or(r.HeadBranch, translate.RefName(r.Ref)); ev.Branch == "" && r.CheckSuite != nil {
			ev.Branch = r.CheckSuite.HeadBranch
		}
		if sha = cmp.Or(r.HeadSHA, r.CommitSHA); r.Status == "completed" {
			ev.Duration = span(cmp.Or(r.RunStartedAt, r.StartedAt).Time, cmp.Or(r.CompletedAt, r.UpdatedAt).Time)
		}
		if r.Duration > 0 {
			ev.Duration = time.Duration(r.Duration)
		}
		for _, s := range r.Steps {
			if failed(s.Conclusion) && ev.Error == "" {
				ev.Error = s.Name // the step that failed
			}
		}
		if failed(r.Conclusion) && ev.Error == "" {
			ev.Error = r.Output.Title
		}
		ev.Verb = cmp.Or(buildVerb(ev.Status), ev.Verb)
	} else { // a commit status
		ev.Title, ev.Status, ev.ObjectURL, sha = p.Context, p.State, clean(p.TargetURL), p.SHA
		if len(p.Branches) > 0 {
			ev.Branch = p.Branches[0].Name
		}
		if ev.Verb = buildVerb(p.State); failed(p.State) {
			ev.Error = p.Description
		}
	}
	if sha == "" {
		return
	}
	ev.Commit = &translate.Commit{ID: sha, Link: commitURL(ev.RepoURL, sha)}
	var head *commit
	if r := orNil(p.WorkflowRun, p.CheckSuite); r != nil {
		head = r.HeadCommit
	}
	if c := orNil(p.Commit, head); c != nil {
		if c.Commit != nil { // GitHub's status: the git commit inside
			c.Message, c.Author = c.Commit.Message, c.Commit.Author
		}
		ev.Commit.Message, ev.Commit.Author = c.Message, person(c.Author)
		ev.Commit.Link = cmp.Or(clean(c.HTMLURL), ev.Commit.Link)
	}
	ev.ObjectURL = cmp.Or(ev.ObjectURL, ev.Commit.Link)
}

// deploymentEvent: a deployment, or its status.
func deploymentEvent(p *payload, ev *translate.Event) {
	d := orNil(p.Deployment, &deployment{})
	ev.Environment, ev.Title, ev.Branch = d.Environment, d.Description, d.Ref
	if d.SHA != "" {
		ev.Commit = &translate.Commit{ID: d.SHA, Link: commitURL(ev.RepoURL, d.SHA)}
	}
	if ev.RepoURL != "" && d.Environment != "" {
		ev.ObjectURL = ev.RepoURL + "/deployments/" + url.PathEscape(d.Environment)
	}
	s := p.DeploymentStatus
	if s == nil {
		return
	}
	ev.Status, ev.Environment = s.State, cmp.Or(s.Environment, d.Environment)
	if ev.Verb = cmp.Or(buildVerb(s.State), s.State); failed(s.State) { // inactive: replaced by a newer one
		ev.Error = s.Description
	}
	link := cmp.Or(s.LogURL, s.TargetURL)
	if s.State == "success" {
		link = cmp.Or(s.EnvironmentURL, link) // the site deployed
	}
	ev.ObjectURL = cmp.Or(clean(link), ev.ObjectURL)
}

// buildVerbs maps a status or conclusion to the build templates' verbs.
var buildVerbs = map[string]string{
	"failure": "failed", "error": "failed", "timed_out": "failed", "timeout": "failed", "startup_failure": "failed",
	"success": "succeeded", "neutral": "succeeded", "cancelled": "canceled", "canceled": "canceled",
	"skipped": "skipped", "stale": "skipped", "action_required": "manual", "in_progress": "started", "running": "started",
	"queued": "triggered", "requested": "triggered", "waiting": "triggered", "pending": "triggered",
}

// buildVerb is the verb of a status, "" for a status it does not know.
func buildVerb(status string) string { return buildVerbs[strings.ToLower(status)] }

// status is a completed build's conclusion (timed_out → timeout,
// startup_failure → failure), else its status.
func status(s, conclusion string) string {
	switch conclusion {
	case "":
		return s
	case "timed_out":
		return "timeout"
	case "startup_failure":
		return "failure"
	}
	return conclusion
}

func failed(status string) bool { return buildVerb(status) == "failed" }

func person(u *user) *translate.User {
	if u == nil || cmp.Or(u.Login, u.Username, u.Name, u.FullName, u.Email) == "" {
		return nil
	}
	return &translate.User{ID: u.ID.String(), Login: cmp.Or(u.Login, u.Username), Name: cmp.Or(u.FullName, u.Name),
		Email: u.Email, URL: clean(u.HTMLURL)}
}

func people(us ...user) []translate.User {
	var out []translate.User
	for i := range us {
		if p := person(&us[i]); p != nil {
			out = append(out, *p)
		}
	}
	return out
}

func orNil[T any](ps ...*T) *T {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}

// toComment is a comment or review with something to show; nil for none.
func toComment(c *comment) *translate.Comment {
	if c == nil || cmp.Or(c.Body, c.Content, c.HTMLURL) == "" {
		return nil
	}
	return &translate.Comment{Body: cmp.Or(c.Body, c.Content), URL: clean(c.HTMLURL), Author: person(c.User)}
}

func toCommit(c *commit, repo string) translate.Commit {
	id := cmp.Or(c.ID, c.SHA)
	return translate.Commit{ID: id, Message: c.Message, Link: cmp.Or(clean(cmp.Or(c.URL, c.HTMLURL)), commitURL(repo, id)),
		Author: person(c.Author), Time: c.Timestamp.Time}
}

// commitURL is <repository>/commit/<sha> on every one of these senders.
func commitURL(repo, sha string) string {
	if repo == "" || sha == "" {
		return ""
	}
	return repo + "/commit/" + url.PathEscape(sha)
}

// beside is name's page beside u's ancestor up levels (owner of a repo: 2,
// user's page: 1); "" when u is no page.
func beside(u string, up int, name string) string {
	u = clean(u)
	for range up {
		u = u[:max(strings.LastIndexByte(u, '/'), 0)]
	}
	if name == "" || !strings.Contains(u, "://") {
		return ""
	}
	return u + "/" + url.PathEscape(name)
}

// span is end-start; 0 unless both are known and in order.
func span(start, end time.Time) time.Duration {
	if start.Year() < 2000 || end.Before(start) {
		return 0
	}
	return end.Sub(start)
}

// origin is the scheme and host of the page u, "" when u is no page.
func origin(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		return pu.Scheme + "://" + pu.Host
	}
	return ""
}

func clean(u string) string { return translate.CleanURL(u) }
