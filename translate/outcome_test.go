package translate

import "testing"

func TestOutcomeOfSamples(t *testing.T) {
	tests := []struct{ file, want string }{
		{"ping.json", OutcomeSuccess},
		{"push.json", OutcomeNeutral},
		{"push-branch-delete.json", OutcomeWarning},
		{"push-tag-delete.json", OutcomeWarning},
		{"push-tag.json", OutcomeNeutral},
		{"merge_request-create.json", OutcomeNeutral},
		{"merge_request-merge.json", OutcomeSuccess},
		{"GIT_MR_MERGED.json", OutcomeSuccess},
		{"merge_request-refuse.json", OutcomeWarning},
		{"merge_request-cancel.json", OutcomeWarning},
		{"GIT_MR_CLOSED.json", OutcomeWarning},
		{"merge_request-synchronize.json", OutcomeWarning}, // CANNOTMERGE
		{"GIT_MR_NOTE.json", OutcomeNeutral},
		{"ci-complete_build-success.json", OutcomeSuccess},
		{"ci-complete_build-failed.json", OutcomeFailure},
		{"ci-failed_build.json", OutcomeFailure},
		{"CI_JOB_FINISHED.json", OutcomeFailure},
		{"ci-cancel_build.json", OutcomeWarning},
		{"ci-delete_build.json", OutcomeWarning}, // status SUCCEED, but deleted
		{"ci-delete_job.json", OutcomeWarning},
		{"CI_JOB_DELETED.json", OutcomeWarning},
		{"ci-update_job.json", OutcomeNeutral}, // status SUCCEED of no build
		{"ci-running.json", OutcomeNeutral},
		{"ci-trigger_build.json", OutcomeNeutral},
		{"CI_JOB_STARTED.json", OutcomeNeutral},
		{"ARTIFACTS_VERSION_DOWNLOAD_BLOCKED.json", OutcomeFailure},
		{"ARTIFACTS_VERSION_DOWNLOAD_FORBIDDEN.json", OutcomeWarning},
		{"ARTIFACTS_VERSION_DOWNLOAD_ALLOWED.json", OutcomeNeutral},
		{"ARTIFACTS_VERSION_DELETED.json", OutcomeWarning},
		{"ARTIFACTS_REPO_DELETED.json", OutcomeWarning},
		{"ARTIFACTS_VERSION_RELEASED.json", OutcomeNeutral},
		{"task-deleted.json", OutcomeWarning},
		{"task-closed.json", OutcomeNeutral},
		{"ISSUE_DELETED.json", OutcomeWarning},
		{"WIKI_MOVED_TO_RECYCLE_BIN.json", OutcomeWarning},
		{"WIKI_RESTORED_FROM_RECYCLE_BIN.json", OutcomeNeutral},
		{"document-delete_file.json", OutcomeWarning},
		{"member-deleted.json", OutcomeWarning},
		{"star.json", OutcomeNeutral},
	}
	r := newTestRenderer(t, "zh")
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ev := decodeFile(t, tt.file)
			if got := outcomeOf(ev); got != tt.want {
				t.Errorf("outcomeOf = %q, want %q", got, tt.want)
			}
			for _, target := range Targets {
				m, err := r.Render(ev, target, "")
				if err != nil {
					t.Fatal(err)
				}
				if m.Outcome != tt.want {
					t.Errorf("%s: Message.Outcome = %q, want %q", target, m.Outcome, tt.want)
				}
			}
		})
	}
}

func TestOutcomeOfStatuses(t *testing.T) {
	tests := []struct {
		verb, status, want string
	}{
		{"complete_build", "SUCCEED", OutcomeSuccess},
		{"finished", "success", OutcomeSuccess},
		{"complete_build", "TIMEOUT", OutcomeFailure},
		{"complete_build", "ERROR", OutcomeFailure},
		{"complete_build", "ABORTED", OutcomeWarning},
		{"complete_build", "CANCELLED", OutcomeWarning},
		{"complete_build", "NOT_BUILT", OutcomeNeutral},
		{"complete_build", "", OutcomeNeutral},
		{"started", "RUNNING", OutcomeNeutral},
		{"failed", "", OutcomeFailure},
		{"create_job", "FAILED", OutcomeNeutral},
	}
	for _, tt := range tests {
		ev := &Event{Name: EventCI, Verb: tt.verb, Status: tt.status}
		if got := outcomeOf(ev); got != tt.want {
			t.Errorf("ci %s %s: %q, want %q", tt.verb, tt.status, got, tt.want)
		}
	}
	if got := outcomeOf(&Event{Name: EventCI, Verb: "complete_build"}); got != OutcomeNeutral {
		t.Errorf("ci without build: %q", got)
	}
	mr := func(verb, state string) string {
		return outcomeOf(&Event{Name: EventMergeRequest, Verb: verb, State: state})
	}
	if got := mr("update", "ABNORMAL"); got != OutcomeFailure {
		t.Errorf("abnormal merge request: %q", got)
	}
	if got := mr("merge", "CANNOTMERGE"); got != OutcomeSuccess {
		t.Errorf("the verb wins over the state: %q", got)
	}
}

func TestDigestOutcome(t *testing.T) {
	s, f, w, n := Message{Outcome: OutcomeSuccess}, Message{Outcome: OutcomeFailure}, Message{Outcome: OutcomeWarning}, Message{}
	tests := []struct {
		name string
		msgs []Message
		want string
	}{
		{"none", nil, OutcomeNeutral},
		{"all success", []Message{s, s}, OutcomeSuccess},
		{"success and neutral", []Message{s, n}, OutcomeNeutral},
		{"a warning", []Message{s, w, n}, OutcomeWarning},
		{"neutral then warning", []Message{n, w}, OutcomeWarning},
		{"a failure anywhere", []Message{w, s, f, n}, OutcomeFailure},
		{"all neutral", []Message{n, n}, OutcomeNeutral},
	}
	for _, tt := range tests {
		if got := digestOutcome(tt.msgs); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
