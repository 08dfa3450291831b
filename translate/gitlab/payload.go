package gitlab

// The payloads GitLab sends (and JiHu, Codeup and TGit, which send subsets
// of them), as GitLab's webhook documentation describes them, with only the
// members the relay reads. They are decoded with encoding/json's rules: a
// member of the wrong type is left empty and the rest is still read.

// payload is what any hook may carry; each hook fills its part. A push
// gives its actor in user_* members, which a Member Hook uses for the
// member; tag and environment differ in type between hooks.
type payload struct {
	ObjectKind string      `json:"object_kind"`
	EventName  string      `json:"event_name"`
	Action     string      `json:"action"`
	User       *user       `json:"user"`
	Project    *project    `json:"project"`
	Repository *repository `json:"repository"`
	Group      *group      `json:"group"`

	Before       string   `json:"before"`
	After        string   `json:"after"`
	Ref          string   `json:"ref"`
	Message      string   `json:"message"`
	UserName     string   `json:"user_name"`
	UserUsername string   `json:"user_username"`
	UserEmail    string   `json:"user_email"`
	Commits      []commit `json:"commits"`
	TotalCommits int      `json:"total_commits_count"`

	Attrs        attributes     `json:"object_attributes"`
	Labels       []label        `json:"labels"`
	Assignees    []user         `json:"assignees"`
	Assignee     *user          `json:"assignee"` // before GitLab listed several
	Reviewers    []user         `json:"reviewers"`
	Changes      map[string]any `json:"changes"`
	MergeRequest *attributes    `json:"merge_request"`
	Issue        *attributes    `json:"issue"`
	Snippet      *attributes    `json:"snippet"`
	Commit       *commit        `json:"commit"`
	Builds       []build        `json:"builds"`

	Tag           any     `json:"tag"`
	Environment   any     `json:"environment"`
	BuildID       int64   `json:"build_id"`
	BuildName     string  `json:"build_name"`
	BuildStage    string  `json:"build_stage"`
	BuildStatus   string  `json:"build_status"`
	BuildDuration float64 `json:"build_duration"`
	BuildFailure  string  `json:"build_failure_reason"`
	BuildAllowed  bool    `json:"build_allow_failure"`

	Status         string `json:"status"`
	DeploymentID   int64  `json:"deployment_id"`
	DeployableURL  string `json:"deployable_url"`
	EnvironmentURL string `json:"environment_external_url"`
	CommitURL      string `json:"commit_url"`
	CommitTitle    string `json:"commit_title"`
	Name           string `json:"name"`
	Description    string `json:"description"`
	URL            string `json:"url"`
	GroupName      string `json:"group_name"`
	GroupPath      string `json:"group_path"`
	GroupAccess    string `json:"group_access"`
	ExpiresAt      string `json:"expires_at"`
	FullPath       string `json:"full_path"`
	ParentName     string `json:"parent_name"`
	PathWithNS     string `json:"path_with_namespace"`
}

// user is a person: the actor, an assignee, a reviewer, an author.
type user struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
	Email    string `json:"email"`
}

// project is the project an event happened in.
type project struct {
	Name       string `json:"name"`
	WebURL     string `json:"web_url"`
	PathWithNS string `json:"path_with_namespace"`
}

// repository is the older description of the project, the only one Codeup
// and TGit send.
type repository struct {
	Name     string `json:"name"`
	Homepage string `json:"homepage"`
}

// group is a group-level access token's group.
type group struct {
	Name     string `json:"group_name"`
	FullPath string `json:"full_path"`
}

// commit is a commit of a push, a pipeline, a release or a note; a job's
// commit is its pipeline, with the commit's id in sha.
type commit struct {
	ID          string `json:"id"`
	SHA         string `json:"sha"`
	Message     string `json:"message"`
	Timestamp   string `json:"timestamp"`
	URL         string `json:"url"`
	Author      *user  `json:"author"`
	AuthorName  string `json:"author_name"`
	AuthorEmail string `json:"author_email"`
}

// label is a label of a merge request or an issue.
type label struct {
	Title string `json:"title"`
}

// attributes is object_attributes, the object the event is about (a merge
// request, an issue, a note, a pipeline, …); also a note's merge request,
// issue or snippet.
type attributes struct {
	ID              int64   `json:"id"`
	IID             int64   `json:"iid"`
	Title           string  `json:"title"`
	Name            string  `json:"name"`
	Description     string  `json:"description"`
	State           string  `json:"state"`
	Action          string  `json:"action"`
	ExtensionAction string  `json:"extension_action"` // TGit's finer action
	URL             string  `json:"url"`
	Type            string  `json:"type"`
	Draft           bool    `json:"draft"`
	WIP             bool    `json:"work_in_progress"`
	Labels          []label `json:"labels"`
	DueDate         string  `json:"due_date"`
	StartDate       string  `json:"start_date"`
	Severity        string  `json:"severity"`
	ExpiresAt       string  `json:"expires_at"`
	SourceBranch    string  `json:"source_branch"`
	TargetBranch    string  `json:"target_branch"`
	OldRev          string  `json:"oldrev"`
	LastCommit      *commit `json:"last_commit"`
	Assignee        *user   `json:"assignee"` // Codeup's
	Note            string  `json:"note"`
	NoteableType    string  `json:"noteable_type"`
	System          bool    `json:"system"`
	Ref             string  `json:"ref"`
	Tag             bool    `json:"tag"`
	Source          string  `json:"source"`
	Status          string  `json:"status"`
	Duration        float64 `json:"duration"`
	Slug            string  `json:"slug"`
	Message         string  `json:"message"`
	Active          bool    `json:"active"`
	AwardedOnURL    string  `json:"awarded_on_url"`
}

// build is one job of a pipeline.
type build struct {
	Name         string `json:"name"`
	Status       string `json:"status"`
	AllowFailure bool   `json:"allow_failure"`
}
