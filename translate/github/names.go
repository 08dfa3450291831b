package github

import "strings"

// kinds maps the event names GitHub, Gitea, Forgejo and Gogs send
// (X-GitHub-Event, and Gitea's finer X-Gitea-Event-Type) to the model's
// kinds. A name not listed keeps its own and gets the generic templates
// (fork, star, repository, installation, …).
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

// CanonicalEvent maps an event name these senders use, as a header or a
// robot's events= gives it, to the model's kind (pull_request →
// merge_request, workflow_run → ci, issue_assign → issue, …). Other names
// are returned trimmed and lower-cased.
func CanonicalEvent(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if k, ok := kinds[n]; ok {
		return k
	}
	return n
}
