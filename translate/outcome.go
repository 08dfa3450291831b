package translate

import "strings"

// The outcomes of a message (Message.Outcome), which a kind may show
// beside the text (Feishu's header colour).
const (
	// OutcomeSuccess is a good end: a build passed, an MR merged.
	OutcomeSuccess = "success"
	// OutcomeFailure is something that failed: a build, a blocked download.
	OutcomeFailure = "failure"
	// OutcomeWarning is something undone or stopped: a deletion, a closed
	// or conflicting MR, a cancelled build.
	OutcomeWarning = "warning"
	// OutcomeNeutral is everything else (news, no verdict).
	OutcomeNeutral = ""
)

// outcomeOf decides by the verb first (deleting a SUCCEED build is still a
// deletion), then by the main object's state.
func outcomeOf(ev *Event) string {
	verb := ev.Verb
	switch ev.Name {
	case EventPing:
		return OutcomeSuccess
	case EventPush:
		if ev.RefDeleted {
			return OutcomeWarning
		}
		return OutcomeNeutral
	case EventMergeRequest:
		return mergeRequestOutcome(verb, ev.State)
	case EventCI, EventJob, EventDeployment:
		return ciOutcome(verb, ev.Status)
	case EventArtifact:
		switch verb {
		case "version_download_blocked":
			// A download was attempted and refused (a security rule).
			return OutcomeFailure
		case "version_download_forbidden":
			// Somebody closed a version for download: nothing failed yet.
			return OutcomeWarning
		}
	}
	if isDeletion(verb) {
		return OutcomeWarning
	}
	if s := ev.Subject; s != nil {
		// An event without a model says how it ended in its status, if
		// at all (a deployment that FAILED).
		return statusOutcome(s.Status)
	}
	return OutcomeNeutral
}

// isDeletion reports verbs that remove something: deleted, repo_deleted,
// delete_build, delete_file, moved_to_recycle_bin, …
func isDeletion(verb string) bool {
	return strings.HasPrefix(verb, "delete") || strings.HasSuffix(verb, "_deleted") || verb == "moved_to_recycle_bin"
}

func mergeRequestOutcome(verb, state string) string {
	switch {
	case oneOf(verb, "merge", "merged", "approve", "approved"):
		return OutcomeSuccess
	case verb == "changes_requested", isDeletion(verb),
		oneOf(verb, "refuse", "refused", "reject", "rejected", "cancel", "canceled", "cancelled", "close", "closed"):
		return OutcomeWarning
	}
	switch strings.ToUpper(strings.TrimSpace(state)) {
	case "CANNOTMERGE":
		return OutcomeWarning
	case "ABNORMAL":
		return OutcomeFailure
	}
	return OutcomeNeutral
}

// ciOutcome: a job (build plan) change has none; a build's status decides.
func ciOutcome(verb, status string) string {
	switch {
	case isDeletion(verb):
		return OutcomeWarning
	case oneOf(verb, "update_job", "create_job", "created", "updated"):
		return OutcomeNeutral
	case oneOf(verb, "failed_build", "failed"):
		return OutcomeFailure
	case strings.EqualFold(verb, "succeeded"):
		return OutcomeSuccess
	case oneOf(verb, "cancel_build", "canceled", "cancelled"):
		return OutcomeWarning
	}
	if oneOf(status, "CANCELED", "CANCELLED", "ABORTED") {
		return OutcomeWarning
	}
	return statusOutcome(status)
}

// statusOutcome maps a sender's status to success, failure or "".
func statusOutcome(status string) string {
	switch buildLevel(status) {
	case "success":
		return OutcomeSuccess
	case "failure":
		return OutcomeFailure
	}
	return OutcomeNeutral
}

// digestOutcome is the worst item's, success only if every item succeeded.
func digestOutcome(msgs []Message) string {
	out := OutcomeSuccess
	for _, m := range msgs {
		switch m.Outcome {
		case OutcomeFailure:
			return OutcomeFailure
		case OutcomeWarning:
			out = OutcomeWarning
		case OutcomeSuccess:
		default:
			if out == OutcomeSuccess {
				out = OutcomeNeutral
			}
		}
	}
	if len(msgs) == 0 {
		return OutcomeNeutral
	}
	return out
}
