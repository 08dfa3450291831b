package coding

// The payloads CODING sends, as it sends them. Every member is optional.
// CODING spells a member several ways across its payload versions: names
// match ignoring case, "_" and "-" (html_url, htmlUrl), and each other
// spelling (web_url) is a field of its own, of which the mapping onto the
// event model (event.go) takes the first one given.
// Scalars are the tolerant types of scalar.go; a member of the wrong shape
// (an object where text belongs) is left empty and the rest is decoded.

type payload struct {
	Event  text `json:"event"`
	Label  text `json:"eventName"`
	Action text `json:"action"`

	Sender     *user       `json:"sender"`
	Repository *repository `json:"repository"`
	Repo       *repository `json:"repo"`
	Depot      *repository `json:"depot"`
	Project    *project    `json:"project"`
	Team       *team       `json:"team"`

	Ref        text     `json:"ref"`
	Before     text     `json:"before"`
	After      text     `json:"after"`
	Created    flag     `json:"created"`
	Deleted    flag     `json:"deleted"`
	Compare    text     `json:"compare"`
	Commits    []commit `json:"commits"`
	HeadCommit *commit  `json:"head_commit"`
	Pusher     *user    `json:"pusher"`

	MergeRequest  *mergeRequest `json:"mergeRequest"`
	MergeRequest2 *mergeRequest `json:"merge_request"`
	PullRequest   *mergeRequest `json:"pull_request"`

	Task      *task      `json:"task"`
	Document  *document  `json:"document"`
	Member    *member    `json:"member"`
	CI        *ci        `json:"ci"`
	Artifact  *artifact  `json:"artifact"`
	Artifacts *artifact  `json:"artifacts"`
	Issue     *issue     `json:"issue"`
	Iteration *iteration `json:"iteration"`
	Wiki      *wiki      `json:"wiki"`
	File      *document  `json:"file"`
	Comment   *comment   `json:"comment"`
	Note      *comment   `json:"note"`

	Release *release `json:"release"`

	Zen text `json:"zen"`
}

type release struct {
	links
	TagName text `json:"tag_name"`
	Name    text `json:"name"`
	Body    text `json:"body"`
}

// links are the spellings of an object's page.
type links struct {
	HTMLURL text `json:"html_url"`
	WebURL  text `json:"web_url"`
}

// page is the object's own page, "" when it has none.
func (l links) page() string { return firstURL(l.HTMLURL, l.WebURL) }

type user struct {
	links
	ID          text `json:"id"`
	Login       text `json:"login"`
	GlobalKey   text `json:"global_key"`
	Name        text `json:"name"`
	Nickname    text `json:"nickname"`
	DisplayName text `json:"display_name"`
	Username    text `json:"username"`
	Email       text `json:"email"`
	URL         text `json:"url"`
}

type repository struct {
	links
	Name     text `json:"name"`
	FullName text `json:"full_name"`
	URL      text `json:"url"`
}

type project struct {
	links
	Name        text `json:"name"`
	DisplayName text `json:"display_name"`
	URL         text `json:"url"`
}

type team struct {
	links
	URL text `json:"url"`
}

type commit struct {
	ID        text  `json:"id"`
	SHA       text  `json:"sha"`
	Message   text  `json:"message"`
	Timestamp num   `json:"timestamp"`
	URL       text  `json:"url"`
	HTMLURL   text  `json:"html_url"`
	Author    *user `json:"author"`
}

type branchRef struct {
	Ref  text        `json:"ref"`
	Repo *repository `json:"repo"`
}

type mergeRequest struct {
	links
	Number       num        `json:"number"`
	IID          num        `json:"iid"`
	State        text       `json:"state"`
	Status       text       `json:"status"`
	Title        text       `json:"title"`
	Body         text       `json:"body"`
	Content      text       `json:"content"`
	Description  text       `json:"description"`
	User         *user      `json:"user"`
	Author       *user      `json:"author"`
	Creator      *user      `json:"creator"`
	Head         *branchRef `json:"head"`
	Base         *branchRef `json:"base"`
	MergedBy     *user      `json:"merged_by"`
	Reviewers    []user     `json:"reviewers"`
	Assignee     *user      `json:"assignee"`
	Additions    num        `json:"additions"`
	Deletions    num        `json:"deletions"`
	ChangedFiles num        `json:"changed_files"`
}

type label struct {
	Name text `json:"name"`
}

type task struct {
	links
	Code        text    `json:"code"`
	Number      text    `json:"number"`
	Title       text    `json:"title"`
	Content     text    `json:"content"`
	Name        text    `json:"name"`
	Description text    `json:"description"`
	Body        text    `json:"body"`
	URL         text    `json:"url"`
	Status      text    `json:"status"`
	StatusName  text    `json:"status_name"`
	StatusZh    text    `json:"statusZh"`
	Priority    text    `json:"priority"`
	Deadline    num     `json:"deadline"`
	DueDate     num     `json:"due_date"`
	Creator     *user   `json:"creator"`
	Assignee    *user   `json:"assignee"`
	Owner       *user   `json:"owner"`
	Labels      []label `json:"labels"`
}

// document is a file or folder: the v2 "document" and the Service Hook
// "file".
type document struct {
	links
	ID    text `json:"id"`
	Name  text `json:"name"`
	Title text `json:"title"`
	Type  text `json:"type"`
	Path  text `json:"path"`
	Size  num  `json:"size"`
	URL   text `json:"url"`
}

type member struct {
	user
	Role     text `json:"role"`
	RoleName text `json:"role_name"`
}

type build struct {
	links
	Number        num  `json:"number"`
	Status        text `json:"status"`
	Cause         text `json:"cause"`
	CommitID      text `json:"commit_id"`
	Branch        text `json:"branch"`
	Duration      num  `json:"duration"`
	FailedMessage text `json:"failed_message"`
}

type ci struct {
	links
	ID    text   `json:"id"`
	Name  text   `json:"name"`
	Build *build `json:"build"`
}

type artifact struct {
	links
	Size         num  `json:"size"`
	RepoName     text `json:"artifactRepoName"`
	RepoName2    text `json:"repoName"`
	RepoName3    text `json:"repository_name"`
	PkgName      text `json:"artifactPkgName"`
	PkgName2     text `json:"pkgName"`
	PkgName3     text `json:"packageName"`
	PkgName4     text `json:"package_name"`
	VersionName  text `json:"artifactVersionName"`
	VersionName2 text `json:"versionName"`
	VersionName3 text `json:"version"`
	Type         text `json:"artifactType"`
	Type2        text `json:"type"`
	Type3        text `json:"repoType"`
	ProjectName  text `json:"projectName"`
	UserName     text `json:"userName"`
	RepoID       num  `json:"artifactRepoId"`
	PkgID        num  `json:"artifactPkgId"`
	VersionID    num  `json:"artifactVersionId"`
	URL          text `json:"url"`
}

type issue struct {
	links
	Code        text       `json:"code"`
	Title       text       `json:"title"`
	Name        text       `json:"name"`
	Type        text       `json:"type"`
	TypeZh      text       `json:"typeZh"`
	Status      text       `json:"status"`
	StatusZh    text       `json:"statusZh"`
	Priority    text       `json:"priority"`
	DueDate     num        `json:"due_date"`
	Description text       `json:"description"`
	Creator     *user      `json:"creator"`
	Assignee    *user      `json:"assignee"`
	Iteration   *iteration `json:"iteration"`
	Labels      []label    `json:"labels"`
}

type iteration struct {
	links
	Code     text  `json:"code"`
	Name     text  `json:"name"`
	Title    text  `json:"title"`
	Goal     text  `json:"goal"`
	Status   text  `json:"status"`
	StartAt  num   `json:"start_at"`
	EndAt    num   `json:"end_at"`
	Assignee *user `json:"assignee"`
}

type wiki struct {
	links
	IID     text `json:"iid"`
	Title   text `json:"title"`
	Name    text `json:"name"`
	Path    text `json:"path"`
	Version text `json:"version"`
}

type comment struct {
	links
	Body    text  `json:"body"`
	Content text  `json:"content"`
	User    *user `json:"user"`
	Author  *user `json:"author"`
	Creator *user `json:"creator"`
}
