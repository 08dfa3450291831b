package coding

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coding-relay/coding-relay/translate"
)

// first is the first non-empty of the spellings of a member.
func first(ts ...text) string { return string(cmp.Or(ts...)) }

func (p *payload) mergeRequest() *mergeRequest {
	return cmp.Or(p.MergeRequest, p.MergeRequest2, p.PullRequest)
}

func (p *payload) artifact() *artifact { return cmp.Or(p.Artifact, p.Artifacts) }

// person is a CODING user in the model; nil for none.
func person(u *user) *translate.User {
	if u == nil {
		return nil
	}
	return &translate.User{
		ID:    u.ID.str(),
		Login: first(u.Login, u.GlobalKey, u.Username),
		Name:  first(u.Name, u.Nickname, u.DisplayName),
		Email: u.Email.str(),
		URL:   firstWeb(u.page(), u.URL.str()),
	}
}

// people is u as a list (an assignee as Assignees), nil for none.
func people(u *user) []translate.User {
	if p := person(u); p != nil {
		return []translate.User{*p}
	}
	return nil
}

// firstWeb is the first of us that is a web page (see webURL).
func firstWeb(us ...string) string {
	for _, u := range us {
		if w := webURL(u); w != "" {
			return w
		}
	}
	return ""
}

func labels(ls []label) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Name.str())
	}
	return out
}

// millis reads epoch milliseconds, or seconds when too small to be
// milliseconds (before 2001-09), as some CODING fields are.
func millis(n num) time.Time {
	switch {
	case n <= 0:
		return time.Time{}
	case n < 1e12:
		return time.Unix(int64(n), 0)
	}
	return time.UnixMilli(int64(n))
}

func number(n num) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(int64(n), 10)
}

// actor is the sender, else the pusher, else the object's author.
func (p *payload) actor() *translate.User {
	cands := []*user{p.Sender, p.Pusher}
	if mr := p.mergeRequest(); mr != nil {
		cands = append(cands, mr.MergedBy, cmp.Or(mr.User, mr.Author, mr.Creator))
	}
	if p.HeadCommit != nil {
		cands = append(cands, p.HeadCommit.Author)
	}
	if p.Issue != nil {
		cands = append(cands, p.Issue.Creator)
	}
	if p.Task != nil {
		cands = append(cands, p.Task.Creator)
	}
	for _, u := range cands {
		if pu := person(u); pu.Key() != "" {
			return pu
		}
	}
	if a := p.artifact(); a != nil && a.UserName != "" {
		return &translate.User{Name: a.UserName.str()}
	}
	return nil
}

// toEvent maps p onto ev, whose Name, Code, Verb and Action are set.
func toEvent(p *payload, ev *translate.Event) {
	pl := newPlaces(p)
	ev.Source, ev.SourceName, ev.Label = "coding", "CODING", p.EventName.str()
	ev.ActorUser = p.actor()
	ev.ProjectName, ev.ProjectURL = pl.projectName(), pl.projectURL
	ev.RepoName, ev.RepoURL = pl.repoName, pl.repoURL()
	actorURL := ""
	if ev.ActorUser != nil {
		actorURL = ev.ActorUser.URL
	}
	ev.TeamURL = pl.teamURL(actorURL)
	ev.ProjectKeys = []string{ev.ProjectName, pl.repoName}
	if pr := p.Project; pr != nil {
		ev.ProjectKeys = append(ev.ProjectKeys, pr.Name.str(), pr.DisplayName.str())
	}
	ev.LinkCommits(pl.commitURL)
	ev.LinkPages(webURL)
	if c := cmp.Or(p.Comment, p.Note); c != nil {
		ev.Comment = &translate.Comment{Body: first(c.Body, c.Content), URL: c.page(),
			Author: person(cmp.Or(c.User, c.Author, c.Creator))}
	}
	ev.Zen = p.Zen.str()
	switch ev.Name {
	case translate.EventPush:
		pushEvent(p, pl, ev)
	case translate.EventMergeRequest:
		mergeRequestEvent(p, pl, ev)
	case translate.EventCI:
		ciEvent(p, pl, ev)
	case translate.EventTask:
		taskEvent(p, pl, ev)
	case translate.EventIssue:
		issueEvent(p, pl, ev)
	case translate.EventArtifact:
		artifactEvent(p, pl, ev)
	default:
		objectEvent(p, pl, ev)
	}
	// A Service Hook event of another family may name a pushed tag.
	ev.Ref = cmp.Or(ev.Ref, p.Ref.str())
}

// pushEvent: the ref, its commits newest first, the compare page.
func pushEvent(p *payload, pl *places, ev *translate.Event) {
	ref, before, after := p.Ref.str(), p.Before.str(), p.After.str()
	ev.Ref = ref
	ev.RefCreated = ref != "" && (bool(p.Created) || before == translate.ZeroSHA)
	ev.RefDeleted = ref != "" && (bool(p.Deleted) || after == translate.ZeroSHA)
	if ev.RefDeleted {
		if before != "" && !strings.HasPrefix(before, "0000000") {
			ev.Before = &translate.Commit{ID: before, Link: pl.commitURL(before)}
		}
		ev.ObjectURL = ev.RepoURL
		if tag, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
			ev.ObjectURL = cmp.Or(pl.tagURL(tag, true), ev.ObjectURL)
		}
		return
	}
	own := map[string]bool{} // commits with a link of their own
	commits := make([]translate.Commit, len(p.Commits))
	for i := range p.Commits {
		commits[i] = pl.commit(&p.Commits[i], own)
	}
	var head *translate.Commit
	headID := after
	if p.HeadCommit != nil && first(p.HeadCommit.ID, p.HeadCommit.SHA) != "" {
		c := pl.commit(p.HeadCommit, own)
		head, headID = &c, c.ID
	} else if headID == translate.ZeroSHA {
		headID = ""
	}
	ev.Commits = translate.NewestFirst(commits, headID, head)
	ev.CompareURL = translate.CleanURL(p.Compare.str())
	if ev.CompareURL == "" && before != "" && after != "" && !ev.RefCreated && pl.repoName != "" && pl.projectBase != "" {
		ev.CompareURL = pl.projectBase + "/d/" + pathPart(pl.repoName) + "/git/compare/" + url.PathEscape(before) + "..." + url.PathEscape(after)
	}
	switch shown := ev.Commits; {
	case ev.RefCreated && len(shown) == 1 && own[shown[0].ID]:
		ev.ObjectURL = shown[0].Link
	case ev.CompareURL != "":
		ev.ObjectURL = ev.CompareURL
	case len(shown) > 0:
		ev.ObjectURL = shown[0].Link
	}
	if tag, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
		ev.ObjectURL = cmp.Or(pl.tagURL(tag, false), ev.ObjectURL)
	}
}

// commit links c to its own page, else one built from the repository's;
// own records the ids of commits that had a link.
func (pl *places) commit(c *commit, own map[string]bool) translate.Commit {
	id := first(c.ID, c.SHA)
	link := firstURL(c.URL, c.HTMLURL)
	if link != "" {
		own[id] = true
	} else {
		link = pl.commitURL(id)
	}
	return translate.Commit{ID: id, Message: c.Message.str(), Link: link, Author: person(c.Author), Time: millis(c.Timestamp)}
}

// mergeRequestEvent: the request, its branches, people and changes.
func mergeRequestEvent(p *payload, pl *places, ev *translate.Event) {
	mr := p.mergeRequest()
	if mr == nil {
		return
	}
	n := first(text(number(mr.Number)), text(number(mr.IID)))
	ev.Number, ev.Title = n, mr.Title.str()
	if n != "" {
		ev.ID = "!" + n
	}
	ev.State, ev.Body = first(mr.State, mr.Status), first(mr.Body, mr.Content, mr.Description)
	if mr.Head != nil {
		ev.SourceBranch = mr.Head.Ref.str()
	}
	if mr.Base != nil {
		ev.TargetBranch = mr.Base.Ref.str()
	}
	ev.Author = person(cmp.Or(mr.User, mr.Author, mr.Creator))
	for i := range mr.Reviewers {
		ev.Reviewers = append(ev.Reviewers, *person(&mr.Reviewers[i]))
	}
	ev.Assignees = people(mr.Assignee)
	ev.MergedBy = person(mr.MergedBy)
	ev.Changes = translate.Changes{Files: int64(mr.ChangedFiles), Additions: int64(mr.Additions), Deletions: int64(mr.Deletions)}
	ev.ObjectURL = mr.page()
	if ev.ObjectURL == "" && pl.repoName != "" && mr.Number > 0 {
		ev.ObjectURL = pl.under("", "/d/"+pathPart(pl.repoName)+"/git/merge/", number(mr.Number))
	}
}

// isJobVerb reports CI verbs about the job (build plan), not a build.
func isJobVerb(verb string) bool {
	return slices.Contains([]string{"update_job", "delete_job", "create_job", "created", "updated", "deleted"}, verb)
}

// ciEvent: the job (build plan) and the build the event is about.
func ciEvent(p *payload, pl *places, ev *translate.Event) {
	c := cmp.Or(p.CI, &ci{})
	ev.Title = c.Name.str()
	job := isJobVerb(ev.Verb)
	ev.ObjectURL = pl.buildURL(c, job)
	b := c.Build
	if b == nil {
		return
	}
	if !job {
		ev.Number = number(b.Number)
	}
	ev.Status, ev.Cause, ev.Error = b.Status.str(), b.Cause.str(), b.FailedMessage.str()
	ev.Branch = translate.RefName(b.Branch.str())
	if id := strings.TrimSpace(b.CommitID.str()); id != "" {
		ev.Commit = &translate.Commit{ID: id, Link: pl.commitURL(id)}
	}
	ev.Duration = time.Duration(max(b.Duration, 0)) * time.Millisecond
}

// taskEvent: a v2 task.
func taskEvent(p *payload, pl *places, ev *translate.Event) {
	t := p.Task
	if t == nil {
		return
	}
	code := first(t.Code, t.Number)
	ev.Number, ev.Title, ev.Body = code, first(t.Title, t.Content, t.Name), first(t.Description, t.Body)
	ev.Status, ev.StatusName, ev.Priority = t.Status.str(), first(t.StatusName, t.StatusZh), t.Priority.str()
	ev.Due = millis(max(t.Deadline, t.DueDate))
	ev.Author, ev.Assignees, ev.Labels = person(t.Creator), people(cmp.Or(t.Assignee, t.Owner)), labels(t.Labels)
	ev.ObjectURL = pl.under(firstURL(t.HTMLURL, t.WebURL, t.URL), "/all/issues/", code)
}

// issueEvent: a Service Hook issue (requirement, task, defect, epic).
func issueEvent(p *payload, pl *places, ev *translate.Event) {
	i := p.Issue
	if i == nil {
		return
	}
	ev.Number, ev.Title, ev.Body = i.Code.str(), first(i.Title, i.Name), i.Description.str()
	ev.Type, ev.TypeName = i.Type.str(), i.TypeZh.str()
	ev.Status, ev.StatusName, ev.Priority = i.Status.str(), i.StatusZh.str(), i.Priority.str()
	ev.Due = millis(i.DueDate)
	ev.Author, ev.Assignees, ev.Labels = person(i.Creator), people(i.Assignee), labels(i.Labels)
	if it := i.Iteration; it != nil {
		ev.Milestone = &translate.Place{Name: first(it.Name, it.Title), URL: it.page()}
	}
	ev.ObjectURL = pl.under(i.page(), "/all/issues/", i.Code.str())
}

// artifactEvent: a package version or an artifact repository.
func artifactEvent(p *payload, pl *places, ev *translate.Event) {
	a := p.artifact()
	if a == nil {
		return
	}
	ev.Registry = first(a.ArtifactRepoName, a.RepoName, a.RepositoryName)
	ev.Package = first(a.ArtifactPkgName, a.PkgName, a.PackageName, a.PackageName2)
	ev.Version = first(a.ArtifactVersionName, a.VersionName, a.Version)
	ev.Type, ev.Size = first(a.ArtifactType, a.Type, a.RepoType), int64(a.Size)
	ev.ObjectURL = firstURL(a.HTMLURL, a.WebURL, a.URL)
	if ev.ObjectURL == "" {
		ev.ObjectURL = pl.artifactURL(a, artifactDepth(ev.Code, ev.Verb))
	}
}

// objectEvent: documents, files, members, iterations and wiki pages.
func objectEvent(p *payload, pl *places, ev *translate.Event) {
	switch ev.Name {
	case translate.EventDocument:
		if d := p.Document; d != nil {
			ev.Title, ev.Type, ev.Path, ev.Size = first(d.Name, d.Title), d.Type.str(), d.Path.str(), int64(d.Size)
			ev.ObjectURL = firstURL(d.HTMLURL, d.WebURL, d.URL)
		}
	case translate.EventFile:
		if f := p.File; f != nil {
			ev.Title, ev.Type, ev.Path, ev.Size = first(f.Name, f.Title), f.Type.str(), f.Path.str(), int64(f.Size)
			ev.ObjectURL = pl.under(f.page(), "/files/", f.ID.str())
		}
	case translate.EventMember:
		if m := p.Member; m != nil {
			ev.Member, ev.Role = person(&m.user), first(m.Role, m.RoleName)
			ev.ObjectURL = firstWeb(m.page(), m.URL.str())
		}
		ev.Link = pl.settingURL("member")
	case translate.EventPing:
		ev.Link = pl.settingURL("webhook")
	default:
		// GIT_TAG_CREATED and the like carry only {"tag": {"name": …}}.
		if tag, _ := ev.Get("tag.name").(string); tag != "" {
			ev.ObjectURL = pl.tagURL(tag, strings.Contains(strings.ToUpper(ev.Name), "DELETE"))
		}
	case translate.EventIteration:
		if it := p.Iteration; it != nil {
			ev.Title, ev.Status, ev.Goal = first(it.Name, it.Title), it.Status.str(), it.Goal.str()
			ev.Start, ev.End = millis(it.StartAt), millis(it.EndAt)
			ev.Assignees = people(it.Assignee)
			ev.ObjectURL = pl.under(it.page(), "/iterations/", it.Code.str())
		}
	case translate.EventRelease:
		if r := p.Release; r != nil {
			ev.Tag, ev.Title, ev.Body, ev.ObjectURL = r.TagName.str(), r.Name.str(), r.Body.str(), r.page()
		}
	case translate.EventWiki:
		if w := p.Wiki; w != nil {
			ev.Title, ev.Path, ev.Version = first(w.Title, w.Name), w.Path.str(), w.Version.str()
			ev.ObjectURL = pl.under(w.page(), "/wiki/", w.IID.str())
		}
	}
}
