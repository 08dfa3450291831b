package github

import (
	"strconv"
	"strings"
	"time"

	jsonv1 "github.com/go-json-experiment/json/v1"
)

// One struct holds every member event.go reads from any sender; all are
// optional, a wrong-typed one is left empty, and each spelling (compare vs
// compare_url) is a field. Names match ignoring case, "_" and "-" (Decode's
// options): HTMLURL is html_url.

type number = jsonv1.Number

// when is RFC 3339 or Unix seconds (GitHub pushes); else zero, never an error.
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
	Action, Zen, Ref, RefType, Before, After, SHA, Compare, CompareURL, MasterBranch, DefaultBranch string
	State, Context, Description, TargetURL, Page                                                    string // statuses; Gitea's wiki page
	Created, Deleted, Forced, IsPull                                                                bool
	TotalCommits                                                                                    int
	Number                                                                                          number

	Sender, Organization, Pusher, Assignee, Member, Team, RequestedReviewer, RequestedTeam *user
	Repository, Forkee                                                                     *repo
	Installation                                                                           struct {
		Account          *user
		AppSlug, HTMLURL string
	}
	Sponsorship struct{ Sponsorable *user }
	Membership  *struct {
		User *user
		Role string
	}
	Changes struct{ Permission struct{ To string } }
	Hook    struct { // a ping's
		Type string
		ID   number
	}

	Commits                                                  []commit
	HeadCommit, Commit                                       *commit // Commit: a status's
	PullRequest, Issue, Discussion                           *issue
	Comment, Answer, Review                                  *comment
	Release                                                  *release
	Milestone                                                milestone
	Package, RegistryPackage                                 *pkg
	Pages                                                    []struct{ Title, Action, HTMLURL string }
	Branches                                                 []named
	Workflow, WorkflowRun, WorkflowJob, CheckRun, CheckSuite *run
	Run                                                      *run // Forgejo's action run
	Deployment, DeploymentStatus                             *deployment
}

type user struct {
	ID                                              number
	Login, Username, Name, FullName, Email, HTMLURL string // Gitea's and Gogs' login is also username
}

type repo struct {
	Name, FullName, HTMLURL string
	Owner                   user
}

type commit struct {
	ID, SHA, Message, URL, HTMLURL string // URL: the page, in push payloads
	Timestamp                      when
	Author                         *user
	Commit                         *struct { // a status's commit's git commit
		Message string
		Author  *user
	}
}

type named struct{ Name string }

// issue is an issue, a pull request or a discussion.
type issue struct {
	Number                                                              number
	Title, Body, State, HTMLURL, HeadBranch, BaseBranch, MergeableState string // HeadBranch: Gogs'
	User, Assignee, MergedBy                                            *user
	Assignees, RequestedReviewers                                       []user
	Labels                                                              []named
	Milestone                                                           milestone
	Draft, Merged                                                       bool
	Head, Base                                                          struct{ Ref string }
	Additions, Deletions, ChangedFiles                                  int64
	PullRequest                                                         *struct{} // on an issue that is one
}

type milestone struct {
	Title, State, HTMLURL string
	DueOn                 when
}

// comment is a comment or review (body/content, Gitea's type, GitHub's state).
type comment struct {
	Body, Content, Path, Type, State, HTMLURL, CommitID string
	User                                                *user
}

type release struct {
	Name, Body, TagName, HTMLURL string
	Draft, Prerelease            bool
	Author                       *user
}

// pkg is a package: GitHub's with its version, Gitea's with version.
type pkg struct {
	Name, Type, Version, PackageType, HTMLURL string
	Registry                                  named
	PackageVersion                            struct{ Version, HTMLURL string }
}

// run is a workflow run or job, a check run or suite, a workflow, or
// Forgejo's action run (Title, Index, Ref, CommitSHA, Duration in ns).
type run struct {
	Name, Title, Status, Conclusion, Ref, WorkflowName, DisplayTitle, WorkflowID string
	HTMLURL, DetailsURL, HeadBranch, HeadSHA, CommitSHA                          string
	Index, RunNumber                                                             number
	Duration                                                                     int64
	App                                                                          named
	Output                                                                       struct{ Title string }
	Steps                                                                        []struct{ Name, Conclusion string }
	HeadCommit                                                                   *commit
	CheckSuite                                                                   *run
	RunStartedAt, StartedAt, CompletedAt, UpdatedAt                              when
}

// deployment is a deployment or a deployment status.
type deployment struct {
	Environment, Ref, SHA, Description, State, TargetURL, LogURL, EnvironmentURL string
}
