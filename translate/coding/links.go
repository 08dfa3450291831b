package coding

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/coding-relay/coding-relay/translate"
)

// Links: a payload's own link wins; CODING sends html_url for some objects
// only, so the rest are built from the project page as CODING's own links
// look (…/p/<project>/d/<repo>/git/merge/<n>), else the project or team.

// firstURL is the first of the spellings that holds an http(s) URL, cleaned.
func firstURL(ts ...text) string {
	for _, t := range ts {
		if u := translate.CleanURL(string(t)); u != "" {
			return u
		}
	}
	return ""
}

// webURL maps a CODING API address of a user, project or team
// (<origin>/api/team/<team>/project/<p>) to its page, other API addresses
// to "", and keeps any other http(s) URL (cleaned).
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

// splitOrigin splits an http(s) URL into scheme+host and the rest.
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

// projectPage is the …/p/<project> prefix of a CODING URL, or "".
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

// findProjectURL: the project's own link, else the /p/<project> of the
// repository's, else under the team's page, else the repository's page.
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

// projectName: the display name, else the name, else the middle of the
// repo's team/project/repo, else the page's /p/<project>, else the
// artifact's project, else the repository's name.
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

// teamURL: the team's own link, else the origin of the project's or
// actor's page.
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

// repoURL: its own …/d/<repo>/ link, else …/p/<project>/d/<repo>/git,
// else whatever link the payload gave.
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

// commitURL is …/d/<repo>/git/commit/<sha>, "" when either is unknown.
func (pl *places) commitURL(sha string) string {
	sha = strings.TrimSpace(sha)
	if sha == "" || sha == translate.ZeroSHA || pl.repoName == "" || pl.projectBase == "" {
		return ""
	}
	return pl.projectBase + "/d/" + pathPart(pl.repoName) + "/git/commit/" + url.PathEscape(sha)
}

// under is the payload's own page, else <project><sub><id>, else "".
func (pl *places) under(own, sub, id string) string {
	if own != "" {
		return own
	}
	if pl.projectBase != "" && id != "" {
		return pl.projectBase + sub + pathPart(id)
	}
	return ""
}

// buildURL: the payload's link, else …/ci/job/<job>/build/<n>/pipeline,
// else the job's page, else the project's builds. job is the job's page.
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

// repoPage is …/p/<project>/d/<repo>/git<sub>, or "" when unknown.
func (pl *places) repoPage(sub string) string {
	if pl.repoName == "" || pl.projectBase == "" {
		return ""
	}
	return pl.projectBase + "/d/" + pathPart(pl.repoName) + "/git" + sub
}

// tagURL is …/git/tree/<tag> (where CODING's tag list leads), or
// …/git/tags once the tag is deleted.
func (pl *places) tagURL(tag string, deleted bool) string {
	if deleted || tag == "" {
		return pl.repoPage("/tags")
	}
	return pl.repoPage("/tree/" + strings.ReplaceAll(pathPart(tag), "%2F", "/"))
}

// artifactURL goes depth steps down …/artifacts/repositories/<id>,
// …/packages/<id>, …/versions/<id> as far as the payload has ids.
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

// artifactDepth links the event's own level, or the one above a deleted
// thing.
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

// settingURL is a project settings page (member, webhook), or "".
func (pl *places) settingURL(page string) string {
	if pl.projectBase == "" {
		return ""
	}
	return pl.projectBase + "/setting/" + page
}
