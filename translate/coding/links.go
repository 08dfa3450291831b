package coding

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/coding-relay/coding-relay/translate"
)

// The pages of a CODING event: every message links to its thing. A
// payload's own link wins; where a Service Hook payload has none (CODING
// sends html_url for some objects only, and the project's and team's pages
// as url), the page is built from the project page the way CODING's own
// links look (…/p/<project>/ci/job/<job>/build/<n>/pipeline,
// …/d/<repo>/git/merge/<n>, …/all/issues/<code>), and as the last resort
// the message links the project, else the team.

// firstURL is the first of the spellings that holds an http(s) URL, cleaned.
func firstURL(ts ...text) string {
	for _, t := range ts {
		if u := translate.CleanURL(string(t)); u != "" {
			return u
		}
	}
	return ""
}

// webURL is the page a browser shows for u: a CODING API address of a
// user, a project or a team (<origin>/api/user/key/<login>,
// <origin>/api/team/<team>/project/<project>[/…], <origin>/api/team/<team>)
// becomes that page, any other API address is no page (""), and any other
// http(s) URL is kept (cleaned).
func webURL(u string) string {
	u = translate.CleanURL(u)
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

// pathPart escapes s as one segment of a URL path ("@" too, which markdown
// renderers may take for a mention).
func pathPart(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), "@", "%40")
}

// places works out the names and pages of where an event happened.
type places struct {
	p                     *payload
	repo                  *repository
	projectURL, repoName  string
	repoLinks             []string
	projectBase, teamPage string
}

func newPlaces(p *payload) *places {
	pl := &places{p: p, repo: firstRepo(p)}
	if r := pl.repo; r != nil {
		pl.repoLinks = append(pl.repoLinks, r.page(), r.URL.str())
		pl.repoName = r.Name.str()
	}
	if mr := p.mergeRequest(); mr != nil && mr.Base != nil && mr.Base.Repo != nil {
		pl.repoLinks = append(pl.repoLinks, mr.Base.Repo.page(), mr.Base.Repo.URL.str())
		if pl.repoName == "" {
			pl.repoName = mr.Base.Repo.Name.str()
		}
	}
	if t := p.Team; t != nil {
		for _, u := range []string{t.page(), t.URL.str()} {
			if w := webURL(u); w != "" {
				pl.teamPage = w
				break
			}
		}
	}
	pl.projectURL = pl.findProjectURL()
	pl.projectBase = projectPage(pl.projectURL)
	return pl
}

func firstRepo(p *payload) *repository {
	for _, r := range []*repository{p.Repository, p.Repo, p.Depot} {
		if r != nil {
			return r
		}
	}
	return nil
}

// findProjectURL is the project's page: the project's own link (html_url,
// else url), else the …/p/<project> part of the repository's link, else the
// project under the team's page, else the repository's page.
func (pl *places) findProjectURL() string {
	if p := pl.p.Project; p != nil {
		for _, u := range []string{p.page(), p.URL.str()} {
			if w := webURL(u); w != "" {
				return w
			}
		}
	}
	for _, u := range pl.repoLinks {
		if p := projectPage(webURL(u)); p != "" {
			return p
		}
	}
	if p := pl.p.Project; p != nil && p.Name != "" && pl.teamPage != "" {
		return pl.teamPage + "/p/" + url.PathEscape(p.Name.str())
	}
	for _, u := range pl.repoLinks {
		if w := webURL(u); w != "" {
			return w
		}
	}
	return ""
}

// projectName is what every message calls the project: its display name
// where the payload has one, else its name, else the middle of the
// repository's full name (team/project/repo), else the /p/<project> of its
// page, else the artifact's project, else the repository's name.
func (pl *places) projectName() string {
	if p := pl.p.Project; p != nil {
		if s := first(p.DisplayName, p.Name); s != "" {
			return s
		}
	}
	if r := pl.repo; r != nil {
		if parts := strings.Split(r.FullName.str(), "/"); len(parts) == 3 && parts[1] != "" {
			return parts[1]
		}
	}
	if p := pl.projectBase; p != "" {
		name := p[strings.LastIndex(p, "/p/")+3:]
		if s, err := url.PathUnescape(name); err == nil {
			return s
		}
		return name
	}
	if a := pl.p.artifact(); a != nil && a.ProjectName != "" {
		return a.ProjectName.str()
	}
	return pl.repoName
}

// teamURL is the team's page: its own link, else the origin of the
// project's or the actor's page.
func (pl *places) teamURL(actorURL string) string {
	if pl.teamPage != "" {
		return pl.teamPage
	}
	for _, u := range []string{pl.projectURL, actorURL} {
		if origin, _ := splitOrigin(u); origin != "" {
			return origin
		}
	}
	return ""
}

// repoURL is the repository's page: its own link when that is a
// repository's (…/d/<repo>/…), else …/p/<project>/d/<repo>/git, else
// whatever link the payload gave it.
func (pl *places) repoURL() string {
	for _, u := range pl.repoLinks {
		if w := webURL(u); strings.Contains(w, "/d/") {
			return w
		}
	}
	if pl.repoName != "" && pl.projectBase != "" {
		return pl.projectBase + "/d/" + pathPart(pl.repoName) + "/git"
	}
	for _, u := range pl.repoLinks {
		if w := webURL(u); w != "" {
			return w
		}
	}
	return ""
}

// commitURL links to a commit of the event's repository
// (…/p/<project>/d/<repo>/git/commit/<sha>), "" when the repository or sha
// is unknown.
func (pl *places) commitURL(sha string) string {
	sha = strings.TrimSpace(sha)
	if sha == "" || sha == translate.ZeroSHA || pl.repoName == "" || pl.projectBase == "" {
		return ""
	}
	return pl.projectBase + "/d/" + pathPart(pl.repoName) + "/git/commit/" + url.PathEscape(sha)
}

// under is the payload's own page, else base/<sub><id> under the project
// page, else "".
func (pl *places) under(own, sub, id string) string {
	if own != "" {
		return own
	}
	if pl.projectBase != "" && id != "" {
		return pl.projectBase + sub + pathPart(id)
	}
	return ""
}

// buildURL links to a CI build: the payload's own link, else the build page
// under the project (…/ci/job/<job>/build/<number>/pipeline), else the
// job's page, else the project's builds. job is the job's page only.
func (pl *places) buildURL(c *ci, job bool) string {
	if !job && c.Build != nil && c.Build.page() != "" {
		return c.Build.page()
	}
	if u := c.page(); u != "" {
		return u
	}
	if pl.projectBase == "" {
		return ""
	}
	if c.ID == "" {
		return pl.projectBase + "/ci/job"
	}
	u := pl.projectBase + "/ci/job/" + pathPart(c.ID.str())
	if b := c.Build; !job && b != nil && b.Number > 0 {
		u += "/build/" + strconv.FormatInt(int64(b.Number), 10) + "/pipeline"
	}
	return u
}

// repoPage is …/p/<project>/d/<repo>/git<sub>, "" when the repository or
// its project is unknown.
func (pl *places) repoPage(sub string) string {
	if pl.repoName == "" || pl.projectBase == "" {
		return ""
	}
	return pl.projectBase + "/d/" + pathPart(pl.repoName) + "/git" + sub
}

// tagURL is the page of a pushed tag: the code at the tag
// (…/git/tree/<tag>, where CODING's tag list leads), or the repository's
// tag list (…/git/tags) once the tag is deleted.
func (pl *places) tagURL(tag string, deleted bool) string {
	if deleted || tag == "" {
		return pl.repoPage("/tags")
	}
	return pl.repoPage("/tree/" + strings.ReplaceAll(pathPart(tag), "%2F", "/"))
}

// artifactURL is the most specific page of an artifact under the project,
// down to depth steps: the artifact repository (1,
// …/artifacts/repositories/<id>), its package (2, …/packages/<id>), the
// version (3, …/versions/<id>), as far as the payload has the ids (those
// of CODING's artifact API); depth 0 or no ids is the artifacts page.
func (pl *places) artifactURL(a *artifact, depth int) string {
	base := strings.TrimRight(pl.projectURL, "/")
	if base == "" {
		return ""
	}
	u := base + "/artifacts"
	steps := []struct {
		path string
		id   num
	}{{"/repositories/", a.ArtifactRepoID}, {"/packages/", a.ArtifactPkgID}, {"/versions/", a.ArtifactVersionID}}
	for _, step := range steps[:min(depth, len(steps))] {
		if step.id <= 0 {
			break
		}
		u += step.path + strconv.FormatInt(int64(step.id), 10)
	}
	return u
}

// artifactDepth is how deep artifactURL links for an event: a repository
// event links the repository, a version event the version, and a deleted
// thing the level above it.
func artifactDepth(code, verb string) int {
	depth := 3
	if strings.HasPrefix(code, "ARTIFACTS_REPO_") {
		depth = 1
	}
	if strings.Contains(verb, "delete") {
		depth--
	}
	return depth
}

// settingURL is a page of the project's settings (member, webhook), "" when
// the project's page is unknown.
func (pl *places) settingURL(page string) string {
	if pl.projectBase == "" {
		return ""
	}
	return pl.projectBase + "/setting/" + page
}
