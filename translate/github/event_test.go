package github_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/translate"
	"github.com/coding-relay/coding-relay/translate/github"
)

// TestKindsVerbsAndNoise pins each fixture's kind, verb and whether it is
// quiet (sent only to robots whose actions= or events= name it): a run
// until it completes, a job unless it failed, bookkeeping, stars.
func TestKindsVerbsAndNoise(t *testing.T) {
	fs := fixtures(t)
	tests := map[string]struct {
		kind, verb string
		quiet      bool
	}{
		"push.json":                                  {"push", "pushed", false},
		"push-forced.json":                           {"push", "forced", false},
		"create-tag.json":                            {"push", "created", false},
		"delete-gogs.json":                           {"push", "deleted", false},
		"pull_request-opened.json":                   {"merge_request", "opened", false},
		"pull_request-closed-merged.json":            {"merge_request", "merged", false},
		"pull_request-closed-unmerged.json":          {"merge_request", "closed", false},
		"pull_request-synchronize.json":              {"merge_request", "updated", false},
		"pull_request_sync-gitea.json":               {"merge_request", "updated", false},
		"pull_request-gogs-synchronized.json":        {"merge_request", "updated", false},
		"pull_request-ready_for_review.json":         {"merge_request", "ready", false},
		"pull_request-review_requested.json":         {"merge_request", "review_requested", false},
		"pull_request-edited.json":                   {"merge_request", "edited", false},
		"pull_request-labeled.json":                  {"merge_request", "labeled", true},
		"pull_request-assigned.json":                 {"merge_request", "assigned", true},
		"pull_request_label-gitea.json":              {"merge_request", "label_updated", true},
		"pull_request_review-approved.json":          {"merge_request", "approved", false},
		"pull_request_review-changes_requested.json": {"merge_request", "changes_requested", false},
		"pull_request_review-commented.json":         {"merge_request", "reviewed", false},
		"pull_request_review_approved-gitea.json":    {"merge_request", "approved", false},
		"pull_request_review_rejected-gitea.json":    {"merge_request", "changes_requested", false},
		"pull_request_review_comment-created.json":   {"merge_request", "commented", false},
		"pull_request_comment-gitea.json":            {"merge_request", "commented", false},
		"issue_comment-pull_request.json":            {"merge_request", "commented", false},
		"issue_comment-issue.json":                   {"comment", "commented", false},
		"issues-opened.json":                         {"issue", "opened", false},
		"issues-assigned.json":                       {"issue", "assigned", false},
		"issues-labeled.json":                        {"issue", "labeled", true},
		"issue_label-gitea.json":                     {"issue", "label_updated", true},
		"discussion-created.json":                    {"issue", "created", false},
		"release-published.json":                     {"release", "published", false},
		"release-prereleased.json":                   {"release", "prereleased", true},
		"workflow_run-requested.json":                {"ci", "triggered", true},
		"workflow_run-in_progress.json":              {"ci", "started", true},
		"workflow_run-completed-success.json":        {"ci", "succeeded", false},
		"workflow_run-completed-cancelled.json":      {"ci", "canceled", false},
		"action_run_failure-forgejo.json":            {"ci", "failed", false},
		"workflow_job-queued.json":                   {"job", "triggered", true},
		"workflow_job-completed-success.json":        {"job", "succeeded", true},
		"workflow_job-completed-failure.json":        {"job", "failed", false},
		"check_run-completed-failure.json":           {"job", "failed", false},
		"check_suite-completed.json":                 {"ci", "failed", false},
		"status-pending.json":                        {"ci", "triggered", true},
		"status-failure.json":                        {"ci", "failed", false},
		"deployment-created.json":                    {"deployment", "created", true},
		"deployment_status-in_progress.json":         {"deployment", "started", true},
		"deployment_status-success.json":             {"deployment", "succeeded", false},
		"member-added.json":                          {"member", "added", false},
		"organization-member_added.json":             {"member", "added", false},
		"package-published.json":                     {"artifact", "published", false},
		"gollum.json":                                {"wiki", "updated", false},
		"milestone-closed.json":                      {"iteration", "closed", false},
		"star-created.json":                          {"star", "created", true},
		"watch-started.json":                         {"watch", "started", true},
		"fork.json":                                  {"fork", "", false},
		"installation-created.json":                  {"installation", "created", false},
		"ping.json":                                  {"ping", "", false},
	}
	for name, tt := range tests {
		ev := decode(t, name, fs[name])
		if ev.Name != tt.kind || ev.Verb != tt.verb || ev.Quiet != tt.quiet {
			t.Errorf("%s: kind %q verb %q quiet %v; want %q %q %v", name, ev.Name, ev.Verb, ev.Quiet, tt.kind, tt.verb, tt.quiet)
		}
		if ev.Source != "github" || ev.Code == "" {
			t.Errorf("%s: source %q code %q", name, ev.Source, ev.Code)
		}
	}
}

func TestPushCommitsNewestFirst(t *testing.T) {
	fs := fixtures(t)
	for name, head := range map[string]string{
		"push.json":       "c0ffee0", // GitHub lists oldest first
		"push-gitea.json": "1a2b3c4",
		"push-gogs.json":  "c0ffee0", // Gogs lists newest first
	} {
		ev := decode(t, name, fs[name])
		if len(ev.Commits) < 2 || ev.Commits[0].Short != head || ev.LatestCommit.Short != head {
			t.Errorf("%s: commits %v, want %s first", name, ev.Commits, head)
		}
		if ev.CommitCount != len(ev.Commits) || ev.Commits[1].Time.IsZero() || ev.Commits[0].AuthorName == "" {
			t.Errorf("%s: count %d, commit %+v", name, ev.CommitCount, ev.Commits[1])
		}
	}
	ev := decode(t, "push-branch-deleted.json", fs["push-branch-deleted.json"])
	if !ev.RefDeleted || ev.Before == nil || ev.Before.Short != "d3adbee" || len(ev.Commits) != 0 || ev.Link != ev.RepoURL {
		t.Errorf("deleted branch: %+v", ev)
	}
	ev = decode(t, "push-tag-created.json", fs["push-tag-created.json"])
	if !ev.IsTag || !ev.RefCreated || ev.Branch != "v1.4.0" || len(ev.Commits) != 1 {
		t.Errorf("created tag: tag %v created %v branch %q commits %d", ev.IsTag, ev.RefCreated, ev.Branch, len(ev.Commits))
	}
}

// TestRouting: branches= matches the pushed ref and a pull request's base,
// projects= the repository's full name and name; mentions find logins.
func TestRouting(t *testing.T) {
	fs := fixtures(t)
	pr := decode(t, "pull_request-opened.json", fs["pull_request-opened.json"])
	if pr.Branch != "main" || pr.SourceBranch != "feature/wecom-login" || pr.ID != "#42" || pr.Number != "42" {
		t.Errorf("pull request: branch %q source %q id %q", pr.Branch, pr.SourceBranch, pr.ID)
	}
	if !slices.Contains(pr.ProjectKeys, "acme/relay-demo") || !slices.Contains(pr.ProjectKeys, "relay-demo") {
		t.Errorf("project keys %v", pr.ProjectKeys)
	}
	if len(pr.Reviewers) != 1 || pr.Reviewers[0].Login != "lisi" || pr.Author.Login != "zhangliang" || pr.ActorUser.Login != "zhangliang" {
		t.Errorf("people: %+v %+v", pr.Reviewers, pr.Author)
	}
	run := decode(t, "workflow_run-completed-failure.json", fs["workflow_run-completed-failure.json"])
	if run.Branch != "feature/wecom-login" || run.Duration != 6*time.Minute+37*time.Second || run.Commit.Short != "e5f6a7b" {
		t.Errorf("run: branch %q duration %v commit %+v", run.Branch, run.Duration, run.Commit)
	}
	org := decode(t, "organization-member_added.json", fs["organization-member_added.json"])
	if org.ProjectName != "acme" || org.ProjectURL != "https://github.com/acme" || org.Member.Login != "wangwu" ||
		org.Link != "https://github.com/orgs/acme/people" {
		t.Errorf("organization event without a repository: %q %q %q %+v", org.ProjectName, org.ProjectURL, org.Link, org.Member)
	}
}

func TestDecodeTolerance(t *testing.T) {
	// Wrongly typed members are left empty; the rest decodes.
	ev, err := github.Decode("push", []byte(`{"ref":"refs/heads/main","commits":"oops","forced":"yes","sender":{"login":"zl","id":"x"},"repository":{"full_name":"a/b","html_url":"https://h/a/b"}}`))
	if err != nil || ev.RefName != "main" || ev.ActorName != "zl" || ev.ProjectName != "a/b" || len(ev.Commits) != 0 {
		t.Fatalf("%+v, %v", ev, err)
	}
	// A time in a shape no sender uses is left zero, the rest decodes.
	ev, err = github.Decode("workflow_run", []byte(`{"action":"completed","workflow_run":{"name":"CI","run_started_at":"soon","status":"completed","conclusion":"success","head_commit":{"timestamp":"2025-06-03 10:01:00"}},"repository":{"full_name":"a/b"}}`))
	if err != nil || ev.Verb != "succeeded" || ev.Duration != 0 || ev.Title != "CI" {
		t.Errorf("odd times: %+v, %v", ev, err)
	}
	ev, err = github.Decode("push", []byte(`{"ref":"refs/heads/main","commits":[{"id":"a1","timestamp":1748916600}],"repository":{"full_name":"a/b"}}`))
	if err != nil || len(ev.Commits) != 1 || ev.Commits[0].Time.Unix() != 1748916600 {
		t.Errorf("unix time: %+v, %v", ev.Commits, err)
	}
	if ev.Get("commits.0.id") != "a1" {
		t.Errorf("raw payload not kept: %v", ev.Get("commits"))
	}
	for _, body := range []string{`{"ref":`, `[1]`, `"push"`, ``, `nul`} {
		if _, err := github.Decode("push", []byte(body)); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
	if _, err := github.Decode(" ", []byte(`{}`)); !errors.Is(err, github.ErrNoEventName) {
		t.Errorf("no name: %v", err)
	}
	// An event without a payload shape still names what happened.
	ev, err = github.Decode("label", []byte(`{"action":"created","label":{"name":"bug"},"sender":{"login":"zl"}}`))
	if err != nil || ev.Name != "label" || ev.Subject == nil || ev.Subject.Name != "bug" || ev.Subject.Verb != "created" || slices.Contains(translate.Events, ev.Name) {
		t.Errorf("%+v, %v", ev, err)
	}
}

// TestDetect: a payload given without its event name (a preview, a
// sample) is told by its members: every kind with templates is found, the
// rest ask for the name.
func TestDetect(t *testing.T) {
	for name, b := range fixtures(t) {
		event, _, _ := strings.Cut(strings.TrimSuffix(name, ".json"), "-")
		want := decode(t, name, b)
		got, err := github.Decode("", b)
		switch {
		case err == nil && got.Name == want.Name:
		case errors.Is(err, github.ErrNoEventName) && !slices.Contains(translate.Events, want.Name):
		default:
			t.Errorf("%s (%s): %v, %v; want %s", name, event, got, err, want.Name)
		}
	}
}

// TestLinks pins the page a message opens where a more specific one than
// the repository exists, and the repository where the payload does not
// tell one: a ping of an app's hook, a ping without its hook.
func TestLinks(t *testing.T) {
	const repo = `"repository":{"full_name":"acme/relay-demo","html_url":"https://github.com/acme/relay-demo"}`
	tests := []struct{ event, body, link string }{
		{"ping", `{"zen":"z","hook":{"type":"Repository","id":7},` + repo + `}`, "https://github.com/acme/relay-demo/settings/hooks/7"},
		{"ping", `{"zen":"z","hook":{"type":"App","id":7},` + repo + `}`, "https://github.com/acme/relay-demo"},
		{"ping", `{"zen":"z",` + repo + `}`, "https://github.com/acme/relay-demo"},
		{"create", `{"ref":"release/v2","ref_type":"tag",` + repo + `}`, "https://github.com/acme/relay-demo/releases/tag/release/v2"},
		{"create", `{"ref":"v2","ref_type":"tag","sha":"c0ffee","default_branch":"master",` + repo + `}`, "https://github.com/acme/relay-demo/src/v2"},
		{"push", `{"ref":"refs/tags/v2","before":"` + translate.ZeroSHA + `","after":"c0ffee",` + repo + `}`, "https://github.com/acme/relay-demo/releases/tag/v2"},
		{"push", `{"ref":"refs/tags/v2","before":"c0ffee","after":"` + translate.ZeroSHA + `",` + repo + `}`, "https://github.com/acme/relay-demo/releases"},
		{"member", `{"action":"added","member":{"login":"wangwu","html_url":"https://github.com/wangwu"},` + repo + `}`, "https://github.com/acme/relay-demo/settings/access"},
	}
	for _, tt := range tests {
		ev, err := github.Decode(tt.event, []byte(tt.body))
		if err != nil || ev.Link != tt.link {
			t.Errorf("%s %s: link %q, %v; want %q", tt.event, tt.body, ev.Link, err, tt.link)
		}
	}
}
