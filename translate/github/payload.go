package github

import (
	"strconv"
	"strings"
	"time"

	jsonv1 "github.com/go-json-experiment/json/v1"
)

// The payloads GitHub, Gitea, Forgejo and Gogs send, as one struct with
// the members of every event the mapping (event.go) reads; every member
// is optional and one of the wrong type is left empty. Where the senders
// spell a member differently (GitHub's compare, Gitea's compare_url;
// head.ref, Gogs' head_branch) each spelling is a field. Fields without a
// tag are matched by name, ignoring case, as encoding/json does.

type number = jsonv1.Number

// when is a time as the senders write it: RFC 3339, or Unix seconds
// (GitHub's push payloads); anything else is left zero rather than
// failing the payload.
type when struct{ time.Time }

// UnmarshalJSON reads a time; it never fails.
func (w *when) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		w.Time = time.Unix(n, 0)
	} else if t, err := time.Parse(time.RFC3339Nano, strings.Replace(s, " ", "T", 1)); err == nil {
		w.Time = t
	}
	return nil
}

type payload struct {
	Action, Zen, Ref, Before, After, SHA, Compare, State, Context, Description, Page string

	Sender, Organization, Pusher, Assignee, Member, Team *user
	Repository, Forkee                                   *repo
	Installation                                         installation

	RefType      string   `json:"ref_type"`
	MasterBranch string   `json:"master_branch"` // a create's, not a delete's
	CompareURL   string   `json:"compare_url"`
	TargetURL    string   `json:"target_url"`
	Created      bool     `json:"created"`
	Deleted      bool     `json:"deleted"`
	Forced       bool     `json:"forced"`
	IsPull       bool     `json:"is_pull"`
	TotalCommits int      `json:"total_commits"`
	Commits      []commit `json:"commits"`
	HeadCommit   *commit  `json:"head_commit"`
	Commit       *commit  `json:"commit"` // a status's

	Number                  number
	PullRequest             *issue `json:"pull_request"`
	Issue, Discussion       *issue
	Comment, Answer, Review *comment
	RequestedReviewer       *user `json:"requested_reviewer"`
	RequestedTeam           *user `json:"requested_team"`
	Release                 *release
	Milestone               milestone
	Membership              *struct {
		User *user
		Role string
	}
	Sponsorship      struct{ Sponsorable *user }
	Package          *pkg
	RegistryPackage  *pkg `json:"registry_package"`
	Pages            []wikiPage
	Branches         []named
	Changes          struct{ Permission struct{ To string } }
	Workflow, Run    *run
	CheckRun         *run `json:"check_run"`
	WorkflowRun      *run `json:"workflow_run"`
	WorkflowJob      *run `json:"workflow_job"`
	CheckSuite       *run `json:"check_suite"`
	Deployment       *deployment
	DeploymentStatus *deployment `json:"deployment_status"`
}

type user struct {
	ID                           number
	Login, Username, Name, Email string // Gitea's and Gogs' login is also username
	FullName                     string `json:"full_name"`
	HTMLURL                      string `json:"html_url"`
}

type repo struct {
	Name     string
	Owner    user
	FullName string `json:"full_name"`
	HTMLURL  string `json:"html_url"`
}

type commit struct {
	ID, SHA, Message, URL string // URL: the page, in push payloads
	HTMLURL               string `json:"html_url"`
	Timestamp             when
	Author                *user
	Commit                *struct { // a status's commit's git commit
		Message string
		Author  *user
	}
}

type named struct{ Name string }

// issue is an issue, a pull request or a discussion.
type issue struct {
	Number             number
	Title, Body, State string
	User, Assignee     *user
	Assignees          []user
	Labels             []named
	Milestone          milestone
	Draft, Merged      bool
	Head, Base         struct{ Ref string }
	HTMLURL            string `json:"html_url"`
	HeadBranch         string `json:"head_branch"` // Gogs
	BaseBranch         string `json:"base_branch"`
	MergedBy           *user  `json:"merged_by"`
	MergeableState     string `json:"mergeable_state"`
	Reviewers          []user `json:"requested_reviewers"`
	Additions          int64
	Deletions          int64
	ChangedFiles       int64     `json:"changed_files"`
	PullRequest        *struct{} `json:"pull_request"` // on an issue that is one
}

type milestone struct {
	Title, State string
	HTMLURL      string `json:"html_url"`
	DueOn        when   `json:"due_on"`
}

// comment is a comment or a review (GitHub's body, Gitea's content).
type comment struct {
	Body, Content, Path string
	Type, State         string // Gitea's review type, GitHub's review state
	User                *user
	HTMLURL             string `json:"html_url"`
	CommitID            string `json:"commit_id"`
}

type release struct {
	Name, Body        string
	Draft, Prerelease bool
	Author            *user
	TagName           string `json:"tag_name"`
	HTMLURL           string `json:"html_url"`
}

// pkg is a package: GitHub's with its version, Gitea's with version.
type pkg struct {
	Name, Type, Version string
	Registry            named
	PackageType         string `json:"package_type"`
	HTMLURL             string `json:"html_url"`
	PackageVersion      struct {
		Version string
		HTMLURL string `json:"html_url"`
	} `json:"package_version"`
}

type wikiPage struct {
	Title, Action string
	HTMLURL       string `json:"html_url"`
}

// run is a workflow run or job, a check run or suite, a workflow, or
// Forgejo's action run.
type run struct {
	Name, Title, Status, Conclusion, Ref string
	Index                                number // Forgejo's run number
	Duration                             int64  // Forgejo's, nanoseconds
	App                                  named
	Output                               struct{ Title string }
	Steps                                []struct{ Name, Conclusion string }
	WorkflowName                         string  `json:"workflow_name"`
	DisplayTitle                         string  `json:"display_title"`
	RunNumber                            number  `json:"run_number"`
	WorkflowID                           string  `json:"workflow_id"`
	HTMLURL                              string  `json:"html_url"`
	DetailsURL                           string  `json:"details_url"`
	HeadBranch                           string  `json:"head_branch"`
	HeadSHA                              string  `json:"head_sha"`
	CommitSHA                            string  `json:"commit_sha"`
	HeadCommit                           *commit `json:"head_commit"`
	CheckSuite                           *run    `json:"check_suite"`
	Started                              when    `json:"run_started_at"`
	StartedAt                            when    `json:"started_at"`
	CompletedAt                          when    `json:"completed_at"`
	UpdatedAt                            when    `json:"updated_at"`
}

// deployment is a deployment or a deployment status.
type deployment struct {
	Environment, Ref, SHA, Description, State string
	TargetURL                                 string `json:"target_url"`
	LogURL                                    string `json:"log_url"`
	EnvironmentURL                            string `json:"environment_url"`
}

type installation struct {
	Account *user
	AppSlug string `json:"app_slug"`
	HTMLURL string `json:"html_url"`
}
