package github

import (
	"cmp"
	"net/url"
	"slices"
	"strings"

	"github.com/coding-relay/coding-relay/translate"
)

// toEvent maps a payload onto ev, whose Name, Code and Action are set.
func toEvent(p *payload, ev *translate.Event) {
	ev.Verb, ev.Zen = strings.ToLower(strings.TrimSpace(p.Action)), p.Zen
	ev.ActorUser = person(orNil(p.Sender, p.Pusher))
	if r := p.Repository; r != nil && cmp.Or(r.FullName, r.Name) != "" {
		ev.ProjectName, ev.ProjectURL = cmp.Or(r.FullName, r.Name), clean(r.HTMLURL)
		ev.RepoName, ev.RepoURL, ev.ProjectKeys = ev.ProjectName, ev.ProjectURL, []string{r.FullName, r.Name}
		ev.TeamURL = clean(r.Owner.HTMLURL)
		if repo := ev.RepoURL; repo != "" {
			ev.LinkCommits(func(sha string) string { return commitURL(repo, sha) })
		}
	} else if o := orNil(p.Organization, p.Sponsorship.Sponsorable, p.Installation.Account); o != nil {
		// An organization, installation or sponsorship event happens on the account.
		ev.ProjectName = cmp.Or(o.Login, o.Username, o.Name)
		ev.ProjectURL = clean(o.HTMLURL)
		if a := ev.ActorUser; a != nil && ev.ProjectURL == "" {
			ev.ProjectURL = beside(a.URL, 1, o.Login) // GitHub's organizations have no html_url
		}
		ev.TeamURL, ev.ProjectKeys = ev.ProjectURL, []string{ev.ProjectName}
	}
	if a := ev.ActorUser; a != nil && a.URL == "" {
		// Gogs and older Gitea send no user page: derive it from the owner's.
		a.URL = beside(ev.RepoURL, 2, a.Login)
	}
	if ev.Name == translate.EventComment && (p.IsPull || p.Issue != nil && p.Issue.PullRequest != nil) {
		ev.Name = translate.EventMergeRequest // a comment on a pull request
	}
	switch ev.Name {
	case translate.EventPing:
		ev.Link = hookURL(p, ev)
	case translate.EventPush:
		pushEvent(p, ev)
	case translate.EventMergeRequest:
		mergeRequestEvent(p, ev)
	case translate.EventIssue:
		if i := issueFields(orNil(p.Discussion, p.Issue), ev); i != nil {
			ev.Type = p.typeOf(i)
		}
		if a := person(p.Assignee); a != nil && ev.Verb == "assigned" {
			ev.Assignees = []translate.User{*a} // the one assigned now
		}
		if ev.Verb == "answered" {
			ev.Comment = toComment(p.Answer)
		}
	case translate.EventComment:
		commentEvent(p, ev)
	case translate.EventRelease:
		releaseEvent(p, ev)
	case translate.EventCI, translate.EventJob:
		buildEvent(p, ev)
	case translate.EventDeployment:
		deploymentEvent(p, ev)
	case translate.EventMember, "organization":
		memberEvent(p, ev)
	case translate.EventArtifact:
		if k := orNil(p.Package, p.RegistryPackage); k != nil {
			ev.Package, ev.Type, ev.Registry = k.Name, cmp.Or(k.PackageType, k.Type), k.Registry.Name
			ev.Version = cmp.Or(k.PackageVersion.Version, k.Version)
			ev.ObjectURL = clean(cmp.Or(k.PackageVersion.HTMLURL, k.HTMLURL))
		}
	case translate.EventWiki:
		wikiEvent(p, ev)
	case translate.EventIteration:
		m := p.Milestone
		ev.Title, ev.Status, ev.ObjectURL, ev.Due = m.Title, m.State, clean(m.HTMLURL), m.DueOn.Time
	default:
		ev.Subject = subject(p, ev)
	}
	if v, ok := verbs[ev.Name][ev.Verb]; ok {
		ev.Verb = v
	}
	ev.Quiet = quiet(ev)
}

// verbs renames senders' actions to the model's, by kind (docs/templates.md).
var verbs = map[string]map[string]string{
	translate.EventMergeRequest: {"synchronize": "updated", "synchronized": "updated", "ready_for_review": "ready", "converted_to_draft": "draft"},
	translate.EventComment:      {"created": "commented"},
	translate.EventRelease:      {"edited": "updated"},
	translate.EventWiki:         {"edited": "updated"},
	translate.EventMember:       {"edited": "role_updated"},
}

// pushEvent: a push, or a branch or tag created or deleted.
func pushEvent(p *payload, ev *translate.Event) {
	if ev.Code == "create" || ev.Code == "delete" {
		refEvent(p, ev)
		return
	}
	repo := ev.RepoURL
	ev.Ref, ev.Verb = p.Ref, "pushed"
	if p.Forced {
		ev.Verb = "forced"
	}
	ev.RefCreated = p.Created || p.Before == translate.ZeroSHA
	ev.RefDeleted = p.Deleted || p.After == translate.ZeroSHA
	if ev.RefDeleted {
		if p.Before != "" && p.Before != translate.ZeroSHA {
			ev.Before = &translate.Commit{ID: p.Before, Link: commitURL(repo, p.Before)}
		}
	} else {
		commits := make([]translate.Commit, len(p.Commits))
		for i := range p.Commits {
			commits[i] = toCommit(&p.Commits[i], repo)
		}
		var head *translate.Commit
		if c := p.HeadCommit; c != nil && cmp.Or(c.ID, c.SHA) != "" {
			h := toCommit(c, repo)
			head = &h
		}
		after := p.After
		if after == translate.ZeroSHA {
			after = ""
		}
		ev.Commits = translate.NewestFirst(commits, after, head)
		ev.CommitCount = p.TotalCommits
		ev.CompareURL = clean(cmp.Or(p.Compare, p.CompareURL))
		ev.ObjectURL = ev.CompareURL
		if ev.ObjectURL == "" && len(ev.Commits) > 0 {
			ev.ObjectURL = ev.Commits[0].Link
		}
	}
	if tag, ok := strings.CutPrefix(p.Ref, "refs/tags/"); ok && repo != "" {
		ev.ObjectURL = tagURL(repo, tag, ev.RefDeleted, false) // Gogs sends create for a tag
	}
}

// refEvent: a branch or tag created or deleted.
func refEvent(p *payload, ev *translate.Event) {
	repo := ev.RepoURL
	ev.Ref = "refs/heads/" + p.Ref
	if p.RefType == "tag" {
		ev.Ref = "refs/tags/" + p.Ref
	}
	ev.RefCreated, ev.RefDeleted, ev.Verb = ev.Code == "create", ev.Code == "delete", ev.Code+"d"
	if p.SHA != "" && ev.RefCreated { // Gitea and Gogs name the commit
		ev.Commits = []translate.Commit{{ID: p.SHA, Link: commitURL(repo, p.SHA)}}
		ev.ObjectURL = ev.Commits[0].Link
	}
	switch gogs := p.DefaultBranch != ""; { // only Gogs sends default_branch here
	case repo == "":
	case p.RefType == "tag":
		ev.ObjectURL = tagURL(repo, p.Ref, ev.RefDeleted, gogs)
	case p.SHA == "" && ev.RefCreated:
		ev.ObjectURL = repo + "/tree/" + refPath(p.Ref)
	}
}

// tagURL is a tag's release page (Gogs has none: its files); a deleted tag's
// is the releases page, listing the tags left.
func tagURL(repo, tag string, deleted, gogs bool) string {
	switch {
	case deleted:
		return repo + "/releases"
	case gogs:
		return repo + "/src/" + refPath(tag)
	}
	return repo + "/releases/tag/" + refPath(tag)
}

// refPath is a branch or tag name as a path, its slashes kept.
func refPath(ref string) string { return strings.ReplaceAll(url.PathEscape(ref), "%2F", "/") }

// mergeRequestEvent: a pull request, its reviews and comments.
func mergeRequestEvent(p *payload, ev *translate.Event) {
	pr := orNil(p.PullRequest, p.Issue, &issue{}) // a comment's is its issue
	issueFields(pr, ev)
	ev.Number = cmp.Or(ev.Number, p.Number.String())
	ev.SourceBranch, ev.TargetBranch = cmp.Or(pr.Head.Ref, pr.HeadBranch), cmp.Or(pr.Base.Ref, pr.BaseBranch)
	ev.Reviewers, ev.MergedBy = people(pr.RequestedReviewers...), person(pr.MergedBy)
	ev.Changes = translate.Changes{Files: pr.ChangedFiles, Additions: pr.Additions, Deletions: pr.Deletions}
	ev.State = "" // open says nothing; the mergeable state does
	switch {
	case pr.Merged:
		ev.State = "merged"
	case pr.State == "closed":
		ev.State = "closed"
	case pr.Draft:
		ev.State = "draft"
	case slices.Contains([]string{"clean", "dirty", "blocked", "unstable", "behind"}, pr.MergeableState):
		ev.State = pr.MergeableState
	}
	if r := person(p.RequestedReviewer); r != nil {
		ev.Reviewers = []translate.User{*r} // the one this request is for
	} else if t := p.RequestedTeam; t != nil && t.Name != "" {
		ev.Reviewers = []translate.User{{Name: t.Name, URL: clean(t.HTMLURL)}}
	}
	switch a, review := ev.Verb, p.Review; {
	case a == "closed" && pr.Merged:
		ev.Verb = "merged"
	case review != nil && (a == "submitted" || a == "reviewed"):
		// GitHub's review state, Gitea's review type.
		switch t := strings.ToLower(cmp.Or(review.State, review.Type)); {
		case strings.HasSuffix(t, "approved"):
			ev.Verb = "approved"
		case t == "changes_requested" || strings.HasSuffix(t, "rejected"):
			ev.Verb = "changes_requested"
		default:
			ev.Verb = "reviewed"
		}
	case a == "created" && p.Comment != nil:
		ev.Verb = "commented"
	}
	ev.Comment = cmp.Or(toComment(p.Comment), toComment(p.Review))
}

// commentEvent: a comment on an issue, a discussion or a commit.
func commentEvent(p *payload, ev *translate.Event) {
	if i := issueFields(orNil(p.Discussion, p.Issue), ev); i != nil {
		ev.Type = p.typeOf(i)
	} else if c := p.Comment; c != nil && c.CommitID != "" {
		ev.Type, ev.Path = "commit", c.Path
		ev.Commit = &translate.Commit{ID: c.CommitID, Link: commitURL(ev.RepoURL, c.CommitID)}
		ev.ObjectURL = ev.Commit.Link
	}
	ev.Body, ev.Comment = "", toComment(p.Comment)
}

// issueFields fills what issues, pull requests and discussions share.
func issueFields(i *issue, ev *translate.Event) *issue {
	if i == nil {
		return nil
	}
	ev.Number, ev.Title, ev.Body = i.Number.String(), i.Title, i.Body
	ev.ObjectURL, ev.State, ev.Draft = clean(i.HTMLURL), i.State, i.Draft
	if ev.ObjectURL == "" && ev.RepoURL != "" && ev.Number != "" {
		ev.ObjectURL = ev.RepoURL + "/issues/" + ev.Number // Gogs sends none
	}
	ev.Author, ev.Assignees = person(i.User), people(i.Assignees...)
	if len(ev.Assignees) == 0 && i.Assignee != nil {
		ev.Assignees = people(*i.Assignee)
	}
	for _, l := range i.Labels {
		ev.Labels = append(ev.Labels, l.Name)
	}
	if m := i.Milestone; m.Title != "" {
		ev.Milestone = &translate.Place{Name: m.Title, URL: clean(m.HTMLURL)}
	}
	return i
}

// typeOf is "discussion" for the payload's discussion, else "issue".
func (p *payload) typeOf(i *issue) string {
	if i == p.Discussion {
		return "discussion"
	}
	return "issue"
}

func releaseEvent(p *payload, ev *translate.Event) {
	r := p.Release
	if r == nil {
		return
	}
	ev.Tag, ev.Title, ev.Body, ev.ObjectURL = r.TagName, cmp.Or(r.Name, r.TagName), r.Body, clean(r.HTMLURL)
	if ev.ObjectURL == "" && ev.RepoURL != "" {
		ev.ObjectURL = ev.RepoURL + "/releases" // Gogs sends none
	}
	ev.Author, ev.Draft = person(r.Author), r.Draft
	if r.TagName != "" {
		ev.Ref = "refs/tags/" + r.TagName
	}
	if r.Prerelease {
		ev.Type = "prerelease"
	}
}

func memberEvent(p *payload, ev *translate.Event) {
	m := p.Member
	if ms := p.Membership; ms != nil {
		m, ev.Role = ms.User, ms.Role
	}
	if m == nil {
		ev.Subject = subject(p, ev)
		return
	}
	ev.Name, ev.Member, ev.ObjectURL = translate.EventMember, person(m), clean(m.HTMLURL)
	// The card opens the members' page of the repository, team or organization.
	switch org := orNil(p.Organization, &user{}); {
	case p.Membership == nil && ev.RepoURL != "":
		ev.Link = ev.RepoURL + "/settings/access"
	case p.Team != nil && p.Team.HTMLURL != "":
		ev.Link = clean(p.Team.HTMLURL) + "/members"
	case org.Login != "" && origin(ev.ProjectURL) != "":
		ev.Link = origin(ev.ProjectURL) + "/orgs/" + url.PathEscape(org.Login) + "/people"
	}
	ev.Verb = strings.TrimPrefix(ev.Verb, "member_") // organization's member_added
	if ev.Role = cmp.Or(p.Changes.Permission.To, ev.Role); ev.Role == "" && p.Team != nil {
		ev.Role = p.Team.Name
	}
}

func wikiEvent(p *payload, ev *translate.Event) {
	if p.Page != "" { // Gitea: one page, its name
		ev.Title = p.Page
		if ev.RepoURL != "" {
			ev.ObjectURL = ev.RepoURL + "/wiki/" + url.PathEscape(p.Page)
		}
	} else if len(p.Pages) > 0 { // GitHub's gollum: the pages of one push
		var titles []string
		for _, pg := range p.Pages {
			titles = append(titles, pg.Title)
		}
		ev.Title, ev.ObjectURL, ev.Verb = strings.Join(titles, ", "), clean(p.Pages[0].HTMLURL), p.Pages[0].Action
	}
}

// hookURL is a pinged webhook's settings page; "" for an app's or unknown.
func hookURL(p *payload, ev *translate.Event) string {
	id := p.Hook.ID.String()
	switch {
	case id == "":
		return ""
	case p.Hook.Type == "Repository" && ev.RepoURL != "":
		return ev.RepoURL + "/settings/hooks/" + id
	case p.Hook.Type == "Organization" && p.Organization != nil && p.Organization.Login != "" && origin(ev.ProjectURL) != "":
		return origin(ev.ProjectURL) + "/organizations/" + url.PathEscape(p.Organization.Login) + "/settings/hooks/" + id
	}
	return ""
}

// subject is an unknown-kind event's topic for generic templates; nil: from payload.
func subject(p *payload, ev *translate.Event) *translate.Subject {
	switch ev.Code {
	case "fork":
		if f := p.Forkee; f != nil {
			return &translate.Subject{Event: "fork", Verb: "forked", Name: cmp.Or(f.FullName, f.Name), URL: clean(f.HTMLURL)}
		}
	case "star", "watch":
		v := map[string]string{"star": "starred", "watch": "watched"}[ev.Code]
		if ev.Verb == "deleted" {
			v = "un" + v
		}
		if ev.RepoURL != "" {
			ev.Link = ev.RepoURL + "/stargazers" // GitHub's watch event is a star too
		}
		return &translate.Subject{Event: ev.Code, Verb: v}
	case "installation":
		if i := p.Installation; i.AppSlug != "" {
			v := map[string]string{"created": "installed", "deleted": "uninstalled"}[ev.Verb]
			return &translate.Subject{Kind: "app", Event: ev.Code, Verb: cmp.Or(v, ev.Verb), Name: i.AppSlug, URL: clean(i.HTMLURL)}
		}
	case "sponsorship":
		if s := p.Sponsorship.Sponsorable; s != nil && ev.Verb == "created" {
			return &translate.Subject{Event: ev.Code, Verb: "sponsored", Name: s.Login, URL: ev.ProjectURL}
		}
	}
	return nil
}

// quiet reports events sent only when actions=/events= name them: runs,
// suites, statuses and deployments until complete, jobs/check runs unless
// failed, bookkeeping (labels, milestones, locks, PR assignees), a release's
// intermediate actions (GitHub sends created, published and released),
// edited or deleted comments, stars.
func quiet(ev *translate.Event) bool {
	v := ev.Action
	bookkeeping := slices.Contains([]string{"labeled", "unlabeled", "label_updated", "label_cleared", "milestoned",
		"demilestoned", "locked", "unlocked", "pinned", "unpinned", "transferred", "typed", "untyped"}, v)
	switch ev.Name {
	case translate.EventCI, translate.EventDeployment:
		return !slices.Contains([]string{"succeeded", "failed", "canceled", "skipped", "manual", "completed"}, ev.Verb)
	case translate.EventJob:
		return ev.Verb != "failed"
	case translate.EventMergeRequest:
		return bookkeeping || slices.Contains([]string{"assigned", "unassigned", "auto_merge_enabled", "auto_merge_disabled",
			"enqueued", "dequeued", "review_request_removed", "resolved", "unresolved"}, v) ||
			ev.Comment != nil && (v == "edited" || v == "deleted")
	case translate.EventIssue:
		return bookkeeping
	case translate.EventComment:
		return v == "edited" || v == "deleted"
	case translate.EventRelease:
		return slices.Contains([]string{"created", "released", "prereleased", "edited", "updated"}, v)
	}
	return ev.Code == "star" || ev.Code == "watch"
}
