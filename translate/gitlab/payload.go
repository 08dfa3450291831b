package gitlab

// GitLab's payloads (JiHu, Codeup and TGit send subsets), only the members
// read. A wrong-typed member is left empty; fields match ignoring case and
// underscores (Decode's options): UserUsername is user_username.

// payload is what any hook may carry; a Member Hook's member is a push's user_*.
type payload struct {
	ObjectKind, EventName, Action string
	User                          *user
	Project                       *project
	Repository                    *repository // Codeup's and TGit's only description of the project
	Group                         *struct{ GroupName, FullPath string }

	// A push, and the user_* members of a Member Hook.
	Before, After, Ref, Message, UserName, UserUsername, UserEmail string
	Commits                                                        []commit
	TotalCommitsCount                                              int

	Attrs        attributes `json:"object_attributes"`
	Labels       []label
	Assignees    []user
	Assignee     *user // before GitLab listed several
	Reviewers    []user
	Changes      map[string]any
	MergeRequest *attributes
	Issue        *attributes
	Snippet      *attributes
	Commit       *commit
	Builds       []build

	// Jobs, deployments, releases, members, groups, projects: tag is a release's
	// tag or a job's flag; environment a deployment's name or a job's object.
	Tag, Environment                                         any
	BuildID                                                  int64
	BuildName, BuildStage, BuildStatus, BuildFailureReason   string
	BuildDuration                                            float64
	BuildAllowFailure                                        bool
	DeploymentID                                             int64
	Status, DeployableURL, EnvironmentExternalURL, CommitURL string
	CommitTitle, Name, Description, URL                      string
	GroupName, GroupPath, GroupAccess, ExpiresAt             string
	FullPath, ParentName, PathWithNamespace                  string
}

// user is a person: the actor, an assignee, a reviewer, an author.
type user struct {
	ID                    int64
	Name, Username, Email string
}

type project struct{ Name, WebURL, PathWithNamespace string }

// repository is the older description of the project.
type repository struct{ Name, Homepage string }

// commit is a commit of a push, a pipeline, a release or a note; a job's
// commit is its pipeline, with the commit's id in sha.
type commit struct {
	ID, SHA, Message, Timestamp, URL string
	Author                           *user
	AuthorName, AuthorEmail          string
}

type label struct{ Title string }

// attributes is object_attributes (an MR, issue, note, pipeline, …), also a
// note's merge request, issue or snippet.
type attributes struct {
	ID, IID                                            int64
	Title, Name, Description, State, Action, URL, Type string
	ExtensionAction                                    string // TGit's finer action
	Draft, WorkInProgress                              bool
	Labels                                             []label
	DueDate, StartDate, Severity, ExpiresAt            string
	SourceBranch, TargetBranch, Oldrev                 string
	LastCommit                                         *commit
	Assignee                                           *user // Codeup's
	Note, NoteableType                                 string
	System, Tag, Active                                bool
	Ref, Source, Status, Slug, Message, AwardedOnURL   string
	Duration                                           float64
}

// build is one job of a pipeline.
type build struct {
	Name, Status string
	AllowFailure bool
}
