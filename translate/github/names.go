package github

import "strings"

// kinds maps sender event names (incl. Gitea's finer X-Gitea-Event-Type) to
// the model's; unlisted names (fork, star, …) get the generic templates.
var kinds = map[string]string{
	"ping": "ping", "push": "push", "create": "push", "delete": "push",
	"pull_request": "merge_request", "pull_request_review": "merge_request",
	"pull_request_review_comment": "merge_request", "pull_request_review_thread": "merge_request",
	// Gitea's and Forgejo's own names of pull request events
	"pull_request_approved": "merge_request", "pull_request_rejected": "merge_request",
	"pull_request_comment": "merge_request", "pull_request_sync": "merge_request",
	"pull_request_assign": "merge_request", "pull_request_label": "merge_request",
	"pull_request_milestone": "merge_request", "pull_request_review_approved": "merge_request",
	"pull_request_review_rejected": "merge_request", "pull_request_review_request": "merge_request",
	"issues": "issue", "issue_assign": "issue", "issue_label": "issue", "issue_milestone": "issue",
	"discussion": "issue", "issue_comment": "comment", "commit_comment": "comment", "discussion_comment": "comment",
	"release": "release", "workflow_run": "ci", "check_suite": "ci", "status": "ci",
	"action_run_failure": "ci", "action_run_success": "ci", "action_run_recover": "ci", // Forgejo's
	"workflow_job": "job", "check_run": "job",
	"deployment": "deployment", "deployment_status": "deployment",
	"member": "member", "membership": "member",
	"package": "artifact", "registry_package": "artifact",
	"gollum": "wiki", "wiki": "wiki", "milestone": "iteration",
}

// CanonicalEvent maps a header or events= name to the model's kind
// (pull_request → merge_request, …); others come back trimmed, lower-cased.
func CanonicalEvent(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if k, ok := kinds[n]; ok {
		return k
	}
	return n
}

// detect names an unnamed payload's event by its unique members; "" if none.
func detect(p *payload) string {
	for _, e := range []struct {
		has  bool
		name string
	}{
		{p.Zen != "", "ping"}, {p.WorkflowJob != nil, "workflow_job"}, {p.WorkflowRun != nil, "workflow_run"},
		{p.CheckRun != nil, "check_run"}, {p.CheckSuite != nil, "check_suite"}, {p.Run != nil, "action_run_failure"},
		{p.DeploymentStatus != nil, "deployment_status"}, {p.Deployment != nil, "deployment"},
		{p.PullRequest != nil && p.Review != nil, "pull_request_review"},
		{p.PullRequest != nil && p.Comment != nil, "pull_request_review_comment"}, {p.PullRequest != nil, "pull_request"},
		{p.Issue != nil && p.Comment != nil, "issue_comment"}, {p.Issue != nil, "issues"},
		{p.Discussion != nil && p.Comment != nil, "discussion_comment"}, {p.Discussion != nil, "discussion"},
		{len(p.Pages) > 0 || p.Page != "", "wiki"}, {p.Comment != nil, "commit_comment"},
		{p.Release != nil, "release"}, {p.Forkee != nil, "fork"}, {p.Package != nil || p.RegistryPackage != nil, "package"},
		{p.Commits != nil || p.Before != "", "push"}, {p.RefType != "" && p.SHA+p.MasterBranch != "", "create"},
		{p.RefType != "", "delete"}, {p.Context != "", "status"}, {p.Member != nil, "member"},
		{p.Milestone.Title != "", "milestone"}, {p.Membership != nil, "organization"},
		{p.Installation.AppSlug != "", "installation"}, {p.Sponsorship.Sponsorable != nil, "sponsorship"},
	} {
		if e.has {
			return e.name
		}
	}
	return ""
}
