package gitlab

// The payloads GitLab sends (and JiHu, Codeup and TGit, which send subsets
// of them), as GitLab's webhook documentation describes them, with only the
// members the relay reads. Every member is optional: they are decoded with
// encoding/json's rules, under which a member of the wrong type is left
// empty and the rest is still read.

// payload is what every hook may carry.
type payload struct {
	ObjectKind string      `json:"object_kind"`
	EventName  string      `json:"event_name"`
	EventType  string      `json:"event_type"`
	User       *user       `json:"user"`
	UserURL    string      `json:"user_url"`
	Project    *project    `json:"project"`
	Repository *repository `json:"repository"`
	Action     string      `json:"action"`

	// Push and Tag Push Hook; the actor is given as user_* members.
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
	Reviewers    []user         `json:"reviewers"`
	Changes      map[string]any `json:"changes"`
	MergeRequest *attributes    `json:"merge_request"`
	Issue        *attributes    `json:"issue"`
	Snippet      *attributes    `json:"snippet"`
	Note         *attributes    `json:"note"`
	Commit       *commit        `json:"commit"`
	Builds       []build        `json:"builds"`

	// Job (Build) Hook.
	SHA           string  `json:"sha"`
	Tag           any     `json:"tag"` // a job's flag, a release's name
	BuildID       int64   `json:"build_id"`
	BuildName     string  `json:"build_name"`
	BuildStage    string  `json:"build_stage"`
	BuildStatus   string  `json:"build_status"`
	BuildDuration float64 `json:"build_duration"`
	BuildFailure  string  `json:"build_failure_reason"`
	BuildAllowed  bool    `json:"build_allow_failure"`
	Environment   any     `json:"environment"` // a job's object, a deployment's name

	// Deployment Hook.
	Status         string `json:"status"`
	DeploymentID   int64  `json:"deployment_id"`
	DeployableURL  string `json:"deployable_url"`
	EnvironmentURL string `json:"environment_external_url"`
	ShortSHA       string `json:"short_sha"`
	CommitURL      string `json:"commit_url"`
	CommitTitle    string `json:"commit_title"`

	// Release Hook; also the group hooks' and System Hook's names.
	Name        string `json:"name"`
	Description string `json:"description"`
	URL         string `json:"url"`

	// Member, Subgroup and Project Hook (group level).
	GroupName   string `json:"group_name"`
	GroupPath   string `json:"group_path"`
	GroupAccess string `json:"group_access"`
	ExpiresAt   string `json:"expires_at"`
	FullPath    string `json:"full_path"`
	ParentName  string `json:"parent_name"`
	PathWithNS  string `json:"path_with_namespace"`
	Group       *group `json:"group"`
	Owners      []user `json:"owners"`
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
	Namespace  string `json:"namespace"`
}

// repository is the older description of the project, and the only one
// Codeup and TGit send.
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

// attributes is object_attributes: the merge request, issue, note,
// pipeline, wiki page, … the event is about; also a note's merge request,
// issue or snippet.
type attributes struct {
	ID           int64   `json:"id"`
	IID          int64   `json:"iid"`
	Title        string  `json:"title"`
	Name         string  `json:"name"`
	Description  string  `json:"description"`
	State        string  `json:"state"`
	Action       string  `json:"action"`
	URL          string  `json:"url"`
	Type         string  `json:"type"`
	Draft        bool    `json:"draft"`
	WIP          bool    `json:"work_in_progress"`
	Confidential bool    `json:"confidential"`
	Labels       []label `json:"labels"`
	DueDate      string  `json:"due_date"`
	StartDate    string  `json:"start_date"`
	Severity     string  `json:"severity"`
	ExpiresAt    string  `json:"expires_at"`

	// Merge requests (and TGit's finer action).
	SourceBranch    string  `json:"source_branch"`
	TargetBranch    string  `json:"target_branch"`
	OldRev          string  `json:"oldrev"`
	LastCommit      *commit `json:"last_commit"`
	MergeCommitSHA  string  `json:"merge_commit_sha"`
	ExtensionAction string  `json:"extension_action"`

	// Notes.
	Note         string `json:"note"`
	NoteableType string `json:"noteable_type"`
	System       bool   `json:"system"`

	// Pipelines.
	Ref      string   `json:"ref"`
	Tag      bool     `json:"tag"`
	SHA      string   `json:"sha"`
	Source   string   `json:"source"`
	Status   string   `json:"status"`
	Duration float64  `json:"duration"`
	Stages   []string `json:"stages"`

	// Wiki pages, feature flags, emoji, vulnerabilities.
	Slug         string `json:"slug"`
	Message      string `json:"message"`
	Active       bool   `json:"active"`
	AwardedOnURL string `json:"awarded_on_url"`
	FileName     string `json:"file_name"`
}

// build is one job of a pipeline.
type build struct {
	ID           int64  `json:"id"`
	Stage        string `json:"stage"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	AllowFailure bool   `json:"allow_failure"`
}
