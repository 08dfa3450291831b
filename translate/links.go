package translate

import (
	"net/url"
	"strconv"
	"strings"
)

// The link builders: every message links to its thing. A payload's own
// link wins; where a Service Hook payload has none (CODING sends html_url
// for some objects only, and the project's and team's pages as url), the
// page is built from the project page the way CODING's own links look
// (…/p/<project>/ci/job/<job>/build/<n>/pipeline, …/d/<repo>/git/merge/<n>,
// …/all/issues/<code>), and as the last resort the message links the
// project, else the team.

// webURL is the page a browser shows for u: a CODING API address of a
// user, a project or a team (<origin>/api/user/key/<login>,
// <origin>/api/team/<team>/project/<project>[/…], <origin>/api/team/<team>)
// becomes that page, any other API address is no page (""), and any other
// http(s) URL is kept (cleaned as cleanURL does).
func webURL(u string) string {
	u = cleanURL(u)
	origin, path := splitOrigin(u)
	rest, api := strings.CutPrefix(path, "/api/")
	if !api {
		return u
	}
	parts := strings.Split(strings.TrimRight(rest, "/"), "/")
	switch {
	case len(parts) >= 3 && parts[0] == "user" && parts[1] == "key" && parts[2] != "":
		return origin + "/u/" + parts[2]
	case len(parts) >= 4 && parts[0] == "team" && parts[2] == "project" && parts[3] != "":
		return origin + "/p/" + parts[3]
	case len(parts) == 2 && parts[0] == "team":
		return origin
	}
	return ""
}

// splitOrigin splits an http(s) URL into its origin (scheme and host) and
// the rest; a URL without a path has rest "".
func splitOrigin(u string) (origin, rest string) {
	scheme := strings.Index(u, "://")
	if scheme < 0 {
		return u, ""
	}
	if i := strings.IndexAny(u[scheme+3:], "/?#"); i >= 0 {
		return u[:scheme+3+i], u[scheme+3+i:]
	}
	return u, ""
}

// projectPage is the …/p/<project> prefix of a CODING URL, "" when u has
// none.
func projectPage(u string) string {
	i := strings.Index(u, "/p/")
	if i < 0 || i+3 == len(u) {
		return ""
	}
	rest := u[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		if j == 0 {
			return ""
		}
		return u[:i+3+j]
	}
	return u
}

// ProjectName is what every message calls the project: its display name
// where the payload has one, else its name: the project's own, else the
// middle of the repository's full name (team/project/repo), else the
// /p/<project> of its page, else the artifact's project, else the
// repository name.
func (e *Event) ProjectName() string {
	if e == nil {
		return ""
	}
	if p := e.Project; p != nil {
		if p.DisplayName != "" {
			return p.DisplayName
		}
		if p.Name != "" {
			return p.Name
		}
	}
	if r := e.Repository; r != nil {
		if parts := strings.Split(r.FullName, "/"); len(parts) == 3 && parts[1] != "" {
			return parts[1]
		}
	}
	if p := projectPage(e.ProjectURL()); p != "" {
		name := p[strings.LastIndex(p, "/p/")+3:]
		if s, err := url.PathUnescape(name); err == nil {
			return s
		}
		return name
	}
	if e.Artifact != nil && e.Artifact.ProjectName != "" {
		return e.Artifact.ProjectName
	}
	return e.RepoName()
}

// ProjectURL is the project's page: the project's own link (html_url, else
// url), else the …/p/<project> part of the repository's link, else the
// project under the team's page; "" when the payload names none.
func (e *Event) ProjectURL() string {
	if e == nil {
		return ""
	}
	if p := e.Project; p != nil {
		for _, u := range []string{p.HTMLURL, p.URL} {
			if w := webURL(u); w != "" {
				return w
			}
		}
	}
	repoLinks := e.repoLinks()
	for _, u := range repoLinks {
		if p := projectPage(webURL(u)); p != "" {
			return p
		}
	}
	if e.Project != nil && e.Project.Name != "" {
		if t := e.teamPage(); t != "" {
			return t + "/p/" + url.PathEscape(e.Project.Name)
		}
	}
	for _, u := range repoLinks {
		if w := webURL(u); w != "" {
			return w
		}
	}
	return ""
}

// repoLinks are the repository's links the payload has, best first.
func (e *Event) repoLinks() []string {
	var out []string
	if r := e.Repository; r != nil {
		out = append(out, r.HTMLURL, r.URL)
	}
	if mr := e.MergeRequest; mr != nil && mr.Base != nil && mr.Base.Repo != nil {
		out = append(out, mr.Base.Repo.HTMLURL, mr.Base.Repo.URL)
	}
	return out
}

// teamPage is the team's own link in the payload.
func (e *Event) teamPage() string {
	if t := e.Team; t != nil {
		for _, u := range []string{t.HTMLURL, t.URL} {
			if w := webURL(u); w != "" {
				return w
			}
		}
	}
	return ""
}

// TeamURL is the team's page: the team's own link, else the origin of the
// project's or the actor's page.
func (e *Event) TeamURL() string {
	if e == nil {
		return ""
	}
	if t := e.teamPage(); t != "" {
		return t
	}
	for _, u := range []string{e.ProjectURL(), e.ActorURL()} {
		if origin, _ := splitOrigin(u); origin != "" {
			return origin
		}
	}
	return ""
}

// RepoName is the Git repository's name (the merge request's target
// repository when the payload has no repository); "" for events about no
// repository.
func (e *Event) RepoName() string {
	switch {
	case e == nil:
		return ""
	case e.Repository != nil && e.Repository.Name != "":
		return e.Repository.Name
	case e.MergeRequest != nil && e.MergeRequest.Base != nil && e.MergeRequest.Base.Repo != nil:
		return e.MergeRequest.Base.Repo.Name
	}
	return ""
}

// RepoURL is the repository's page: its own link when that is a
// repository's (…/d/<repo>/…), else …/p/<project>/d/<repo>/git, else
// whatever link the payload gave it.
func (e *Event) RepoURL() string {
	if e == nil {
		return ""
	}
	links := e.repoLinks()
	for _, u := range links {
		if w := webURL(u); strings.Contains(w, "/d/") {
			return w
		}
	}
	if name := e.RepoName(); name != "" {
		if p := projectPage(e.ProjectURL()); p != "" {
			return p + "/d/" + pathPart(name) + "/git"
		}
	}
	for _, u := range links {
		if w := webURL(u); w != "" {
			return w
		}
	}
	return ""
}

// pathPart escapes s as one segment of a URL path ("@" too, which markdown
// renderers may take for a mention).
func pathPart(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), "@", "%40")
}

// ActorURL is the actor's CODING profile page, if known: the user's
// html_url, else the page of its url (an API address for most payloads).
func (e *Event) ActorURL() string {
	u := e.ActorUser()
	if u == nil {
		return ""
	}
	for _, s := range []string{u.HTMLURL, u.URL} {
		if w := webURL(s); w != "" {
			return w
		}
	}
	return ""
}

// BuildURL links to the CI build: the payload's own link, else the build
// page under the project (…/p/<project>/ci/job/<job>/build/<number>/pipeline),
// else the job's page, else the project's builds.
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
	base := projectPage(e.ProjectURL())
	if base == "" {
		return ""
	}
	if e.CI.ID == "" {
		return base + "/ci/job"
	}
	u := base + "/ci/job/" + pathPart(e.CI.ID)
	if b := e.CI.Build; b != nil && b.Number > 0 {
		u += "/build/" + strconv.FormatInt(b.Number, 10) + "/pipeline"
	}
	return u
}

// isJobVerb reports the verbs of a CI event about its job (the build
// plan) rather than a build.
func isJobVerb(verb string) bool {
	return oneOf(verb, "update_job", "delete_job", "create_job", "created", "updated", "deleted")
}

// jobURL links to the CI job: the payload's link, else …/ci/job/<job>.
func (e *Event) jobURL() string {
	if e.CI.HTMLURL != "" {
		return e.CI.HTMLURL
	}
	base := projectPage(e.ProjectURL())
	if base == "" {
		return ""
	}
	if e.CI.ID == "" {
		return base + "/ci/job"
	}
	return base + "/ci/job/" + pathPart(e.CI.ID)
}

// CommitURL links to a commit of the event's repository
// (…/p/<project>/d/<repo>/git/commit/<sha>), "" when the repository or sha
// is unknown.
func (e *Event) CommitURL(sha string) string {
	sha = strings.TrimSpace(sha)
	if e == nil || sha == "" || sha == zeroSHA {
		return ""
	}
	repo := e.RepoName()
	base := projectPage(e.ProjectURL())
	if repo == "" || base == "" {
		return ""
	}
	return base + "/d/" + pathPart(repo) + "/git/commit/" + url.PathEscape(sha)
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
	if base := strings.TrimRight(e.ProjectURL(), "/"); base != "" {
		return base + "/artifacts"
	}
	return ""
}

// ObjectURL is the page of the thing the event is about: a push's compare
// page (a new branch's or tag's commit, a deleted one's repository), the
// merge request, build, artifact, task, issue, iteration, wiki page, file,
// document or member, the object of an event without a model (Subject);
// the payload's link, else one built from the project page; "" when
// neither is known.
func (e *Event) ObjectURL() string {
	if e == nil {
		return ""
	}
	page := func(own, sub, id string) string {
		if own != "" {
			return own
		}
		if base := projectPage(e.ProjectURL()); base != "" && id != "" {
			return base + sub + pathPart(id)
		}
		return ""
	}
	switch e.Name {
	case EventPush:
		return e.pushURL()
	case EventMergeRequest:
		if mr := e.MergeRequest; mr != nil {
			if mr.HTMLURL != "" {
				return mr.HTMLURL
			}
			if repo := e.RepoName(); repo != "" && mr.Number > 0 {
				return page("", "/d/"+pathPart(repo)+"/git/merge/", strconv.FormatInt(mr.Number, 10))
			}
		}
	case EventCI:
		if isJobVerb(e.Verb()) {
			return e.jobURL()
		}
		return e.BuildURL()
	case EventArtifact:
		return e.ArtifactURL()
	case EventTask:
		if t := e.Task; t != nil {
			return page(t.HTMLURL, "/all/issues/", t.Code)
		}
	case EventIssue:
		if i := e.Issue; i != nil {
			return page(i.HTMLURL, "/all/issues/", i.Code)
		}
	case EventIteration:
		if it := e.Iteration; it != nil {
			return page(it.HTMLURL, "/iterations/", it.Code)
		}
	case EventWiki:
		if w := e.Wiki; w != nil {
			return page(w.HTMLURL, "/wiki/", w.IID)
		}
	case EventFile:
		if f := e.File; f != nil {
			return page(f.HTMLURL, "/files/", f.ID)
		}
	case EventDocument:
		if d := e.Document; d != nil {
			return d.HTMLURL
		}
	case EventMember:
		if m := e.Member; m != nil {
			if u := webURL(m.HTMLURL); u != "" {
				return u
			}
			return webURL(m.URL)
		}
	default:
		if s := e.Subject(); s != nil {
			return s.URL
		}
	}
	return ""
}

// pushURL is what a push links to: the commit a new branch or tag points
// at, the compare page, the head commit; a deleted branch or tag links the
// repository.
func (e *Event) pushURL() string {
	if e.RefDeleted() {
		return e.RepoURL()
	}
	shown := e.newestFirst()
	if e.RefCreated() && len(shown) == 1 && shown[0].URL != "" {
		return shown[0].URL
	}
	if u := e.CompareURL(); u != "" {
		return u
	}
	if len(shown) > 0 {
		if shown[0].URL != "" {
			return shown[0].URL
		}
		return e.CommitURL(shown[0].ID)
	}
	return ""
}

// CompareURL is a push's compare page: the payload's, else
// …/p/<project>/d/<repo>/git/compare/<before>...<after> when both ends are
// commits; "" for a push that created or deleted its ref.
func (e *Event) CompareURL() string {
	if e == nil || e.Compare != "" {
		return e.Compare
	}
	if e.Before == "" || e.After == "" || e.RefCreated() || e.RefDeleted() {
		return ""
	}
	repo, base := e.RepoName(), projectPage(e.ProjectURL())
	if repo == "" || base == "" {
		return ""
	}
	return base + "/d/" + pathPart(repo) + "/git/compare/" + url.PathEscape(e.Before) + "..." + url.PathEscape(e.After)
}

// Link is the main URL of the event, the one a card's button opens: a
// comment's own page, else the thing's page (ObjectURL; for a member
// event the project), else the repository, the project, the team.
func (e *Event) Link() string {
	if e == nil {
		return ""
	}
	if e.Comment != nil && e.Comment.HTMLURL != "" && e.Name != EventPush && e.Name != EventCI {
		return e.Comment.HTMLURL
	}
	if e.Name != EventMember {
		if u := e.ObjectURL(); u != "" {
			return u
		}
	}
	for _, u := range []string{e.ProjectURL(), e.RepoURL(), e.TeamURL()} {
		if u != "" {
			return u
		}
	}
	return ""
}
