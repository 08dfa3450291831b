package coding

// The payloads CODING sends. Fields match member names ignoring case, "_"
// and "-"; other spellings across payload versions (web_url) are fields of
// their own, and event.go takes the first one given.

type payload struct {
	Event, EventName, Action, Zen text

	Sender, Pusher          *user
	Repository, Repo, Depot *repository
	Project                 *project
	Team                    *team

	Ref, Before, After, Compare text
	Created, Deleted            flag
	Commits                     []commit
	HeadCommit                  *commit

	// The two spellings fold to the same name: the tags tell them apart.
	MergeRequest  *mergeRequest `json:"mergeRequest"`
	MergeRequest2 *mergeRequest `json:"merge_request"`
	PullRequest   *mergeRequest

	Task                *task
	Document, File      *document // File: the Service Hook's
	Member              *member
	CI                  *ci
	Artifact, Artifacts *artifact
	Issue               *issue
	Iteration           *iteration
	Wiki                *wiki
	Comment, Note       *comment
	Release             *release
}

type release struct {
	links
	TagName, Name, Body text
}

// links are the spellings of an object's page.
type links struct{ HTMLURL, WebURL text }

// page is the object's own page, "" when it has none.
func (l links) page() string { return firstURL(l.HTMLURL, l.WebURL) }

type user struct {
	links
	ID, Login, GlobalKey, Name, Nickname, DisplayName, Username, Email, URL text
}

type repository struct {
	links
	Name, FullName, URL text
}

type project struct {
	links
	Name, DisplayName, URL text
}

type team struct {
	links
	URL text
}

type commit struct {
	ID, SHA, Message, URL, HTMLURL text
	Timestamp                      num
	Author                         *user
}

type branchRef struct {
	Ref  text
	Repo *repository
}

type mergeRequest struct {
	links
	Number, IID                                      num
	State, Status, Title, Body, Content, Description text
	User, Author, Creator, MergedBy, Assignee        *user
	Head, Base                                       *branchRef
	Reviewers                                        []user
	Additions, Deletions, ChangedFiles               num
}

type label struct{ Name text }

type task struct {
	links
	Code, Number, Title, Content, Name, Description, Body, URL text
	Status, StatusName, StatusZh, Priority                     text
	Deadline, DueDate                                          num
	Creator, Assignee, Owner                                   *user
	Labels                                                     []label
}

// document is the v2 "document" and the Service Hook "file".
type document struct {
	links
	ID, Name, Title, Type, Path, URL text
	Size                             num
}

type member struct {
	user
	Role, RoleName text
}

type build struct {
	links
	Number, Duration                               num
	Status, Cause, CommitID, Branch, FailedMessage text
}

type ci struct {
	links
	ID, Name text
	Build    *build
}

type artifact struct {
	links
	Size                                       num
	ArtifactRepoName, RepoName, RepositoryName text
	ArtifactPkgName, PkgName                   text
	PackageName                                text `json:"packageName"`
	PackageName2                               text `json:"package_name"` // folds as packageName: the tags tell them apart
	ArtifactVersionName, VersionName, Version  text
	ArtifactType, Type, RepoType               text
	ProjectName, UserName, URL                 text
	ArtifactRepoID, ArtifactPkgID              num
	ArtifactVersionID                          num
}

type issue struct {
	links
	Code, Title, Name, Type, TypeZh, Status, StatusZh, Priority, Description text
	DueDate                                                                  num
	Creator, Assignee                                                        *user
	Iteration                                                                *iteration
	Labels                                                                   []label
}

type iteration struct {
	links
	Code, Name, Title, Goal, Status text
	StartAt, EndAt                  num
	Assignee                        *user
}

type wiki struct {
	links
	IID, Title, Name, Path, Version text
}

type comment struct {
	links
	Body, Content         text
	User, Author, Creator *user
}
