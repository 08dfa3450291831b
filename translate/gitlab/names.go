package gitlab

import (
	"path"
	"strings"
)

// Hook is an event as GitLab names it in X-Gitlab-Event (Codeup in
// Codeup-Event, TGit in X-Event): "Push Hook", "Merge Request Hook", …
type Hook string

// The hooks whose handling differs from their kind's.
const (
	HookPush     Hook = "Push Hook"
	HookTagPush  Hook = "Tag Push Hook"
	HookMember   Hook = "Member Hook"
	HookSubgroup Hook = "Subgroup Hook"
	HookProject  Hook = "Project Hook"
	// HookSystem is an instance's System Hook: an administrator's feed of
	// every project, which the relay answers and does not send.
	HookSystem Hook = "System Hook"
)

// hooks maps each hook, by its key (see key), to the model's kind of
// event; a hook without templates keeps its key as its kind. object_kind
// values are keys too.
var hooks = map[string]struct {
	hook Hook
	kind string
}{
	"push":                  {HookPush, "push"},
	"tag_push":              {HookTagPush, "push"},
	"merge_request":         {"Merge Request Hook", "merge_request"},
	"note":                  {"Note Hook", "comment"},
	"confidential_note":     {"Confidential Note Hook", "comment"},
	"issue":                 {"Issue Hook", "issue"},
	"confidential_issue":    {"Confidential Issue Hook", "issue"},
	"work_item":             {"Work Item Hook", "issue"},
	"pipeline":              {"Pipeline Hook", "ci"},
	"job":                   {"Job Hook", "job"},
	"build":                 {"Build Hook", "job"},
	"deployment":            {"Deployment Hook", "deployment"},
	"release":               {"Release Hook", "release"},
	"wiki_page":             {"Wiki Page Hook", "wiki"},
	"feature_flag":          {"Feature Flag Hook", "feature_flag"},
	"emoji":                 {"Emoji Hook", "emoji"},
	"member":                {HookMember, "member"},
	"subgroup":              {HookSubgroup, "subgroup"},
	"project":               {HookProject, "project"},
	"milestone":             {"Milestone Hook", "iteration"},
	"resource_access_token": {"Resource Access Token Hook", "access_token"},
	"access_token":          {"Resource Access Token Hook", "access_token"},
	"vulnerability":         {"Vulnerability Hook", "vulnerability"},
	"system":                {HookSystem, "system"},
}

// groupEvents are the event_name values of the group-level hooks, which
// carry no object_kind.
var groupEvents = map[string]Hook{
	"user_add_to_group":                    HookMember,
	"user_update_for_group":                HookMember,
	"user_remove_from_group":               HookMember,
	"user_access_request_to_group":         HookMember,
	"user_access_request_denied_for_group": HookMember,
	"subgroup_create":                      HookSubgroup,
	"subgroup_destroy":                     HookSubgroup,
	"project_create":                       HookProject,
	"project_destroy":                      HookProject,
}

// key is a name as the hooks table spells it: lower case, words joined by
// "_", without the trailing "hook" ("Merge Request Hook" → merge_request).
func key(name string) string {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == ' ' || r == '_' || r == '-' })
	if n := len(words); n > 1 && words[n-1] == "hook" {
		words = words[:n-1]
	}
	return strings.Join(words, "_")
}

// ParseHook is the hook a name stands for: a hook's name in any case
// ("Push Hook", "push hook", "Push_Hook"), an object_kind ("tag_push") or a
// group event's event_name ("user_add_to_group"). ok is false for a name
// GitLab does not send.
func ParseHook(name string) (h Hook, ok bool) {
	k := key(name)
	if e, ok := hooks[k]; ok {
		return e.hook, true
	}
	h, ok = groupEvents[k]
	return h, ok
}

// Kind is the model's kind of event (push, merge_request, ci, …) for a
// hook, or the hook's own key for one without templates (feature_flag).
func (h Hook) Kind() string {
	if e, ok := hooks[key(string(h))]; ok {
		return e.kind
	}
	return key(string(h))
}

// Canonical maps an event name a robot's events= may give (the shared
// vocabulary, a hook's name, an object_kind) to the model's kind; other
// names come back trimmed and in lower case.
func Canonical(name string) string {
	if h, ok := ParseHook(name); ok {
		return h.Kind()
	}
	return strings.ToLower(strings.TrimSpace(name))
}

// detect is the hook a body stands for: its object_kind, else its
// event_name (the group-level hooks send only that), else a push by the
// look of it (GitLab's oldest pushes name nothing); "" when nothing fits.
func detect(p *payload) Hook {
	for _, n := range []string{p.ObjectKind, p.EventName} {
		if h, ok := ParseHook(n); ok && n != "" {
			return h
		}
	}
	if p.Ref != "" && (p.Before != "" || p.After != "") {
		if strings.HasPrefix(p.Ref, "refs/tags/") {
			return HookTagPush
		}
		return HookPush
	}
	return ""
}

// SampleHook is the hook a sample payload file stands for: the file name up
// to its first "-" is the hook's key (merge_request-open.json → Merge
// Request Hook); a name that is none ("body-member.json") leaves the hook
// to the body.
func SampleHook(file string) string {
	base, _, _ := strings.Cut(strings.TrimSuffix(path.Base(file), ".json"), "-")
	if h, ok := hooks[base]; ok {
		return string(h.hook)
	}
	return ""
}
