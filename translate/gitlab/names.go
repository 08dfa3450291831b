package gitlab

import "strings"

// Hook is an event as GitLab names it in X-Gitlab-Event (Codeup in
// Codeup-Event, TGit in X-Event): "Push Hook", "Merge Request Hook", …
type Hook string

// HookSystem is an instance's System Hook: an administrator's feed of every
// project, which the relay answers and does not send.
const HookSystem Hook = "System Hook"

// kinds maps each hook by its key (see key: its name, its object_kind) to
// the model's kind of event; a hook without templates keeps its key.
var kinds = map[string]string{
	"push": "push", "tag_push": "push", "merge_request": "merge_request", "note": "comment",
	"confidential_note": "comment", "issue": "issue", "confidential_issue": "issue", "work_item": "issue",
	"pipeline": "ci", "job": "job", "build": "job", "deployment": "deployment", "release": "release",
	"wiki_page": "wiki", "feature_flag": "feature_flag", "emoji": "emoji", "member": "member",
	"subgroup": "subgroup", "project": "project", "milestone": "iteration", "vulnerability": "vulnerability",
	"resource_access_token": "access_token", "access_token": "access_token", "system": "system",
}

// groupEvents are the hooks of the group-level event_name values, which
// come without object_kind; a member event's are memberVerbs' keys.
var groupEvents = map[string]string{
	"subgroup_create": "subgroup", "subgroup_destroy": "subgroup", "project_create": "project", "project_destroy": "project",
}

// key is a name as kinds spells it: lower case, words joined by "_",
// without the trailing "hook" ("Merge Request Hook" → merge_request).
func key(name string) string {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == ' ' || r == '_' || r == '-' })
	if n := len(words); n > 1 && words[n-1] == "hook" {
		words = words[:n-1]
	}
	return strings.Join(words, "_")
}

// ParseHook is the hook a name stands for: a hook's name in any case
// ("Push Hook", "push hook"), an object_kind ("tag_push") or a group
// event's event_name ("user_add_to_group"). ok is false for a name GitLab
// does not send.
func ParseHook(name string) (h Hook, ok bool) {
	k := key(name)
	if g, ok := groupEvents[k]; ok {
		k = g
	} else if _, ok := memberVerbs[k]; ok {
		k = "member"
	}
	if _, ok := kinds[k]; !ok {
		return "", false
	}
	if k == "access_token" {
		k = "resource_access_token"
	}
	words := strings.Split(k, "_")
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return Hook(strings.Join(words, " ") + " Hook"), true
}

// Kind is the model's kind of event (push, merge_request, ci, …) for a
// hook, or the hook's own key for one without templates (feature_flag).
func (h Hook) Kind() string {
	if k, ok := kinds[key(string(h))]; ok {
		return k
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
			return "Tag Push Hook"
		}
		return "Push Hook"
	}
	return ""
}
