package gitlab

import "strings"

// Hook is an event as GitLab names it in X-Gitlab-Event (Codeup in
// Codeup-Event, TGit in X-Event): "Push Hook", "Merge Request Hook", …
type Hook string

// HookSystem is a System Hook (an instance's feed): answered, never sent.
const HookSystem Hook = "System Hook"

// kinds maps a hook's key to the model's kind; one without templates keeps it.
var kinds = map[string]string{
	"push": "push", "tag_push": "push", "merge_request": "merge_request", "note": "comment",
	"confidential_note": "comment", "issue": "issue", "confidential_issue": "issue", "work_item": "issue",
	"pipeline": "ci", "job": "job", "build": "job", "deployment": "deployment", "release": "release",
	"wiki_page": "wiki", "feature_flag": "feature_flag", "emoji": "emoji", "member": "member",
	"subgroup": "subgroup", "project": "project", "milestone": "iteration", "vulnerability": "vulnerability",
	"resource_access_token": "access_token", "access_token": "access_token", "system": "system",
}

// groupEvents are hooks of group-level event_names (no object_kind); member
// events are memberVerbs' keys.
var groupEvents = map[string]string{
	"subgroup_create": "subgroup", "subgroup_destroy": "subgroup", "project_create": "project", "project_destroy": "project",
}

// key spells a name as kinds does ("Merge Request Hook" → merge_request).
func key(name string) string {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == ' ' || r == '_' || r == '-' })
	if n := len(words); n > 1 && words[n-1] == "hook" {
		words = words[:n-1]
	}
	return strings.Join(words, "_")
}

// ParseHook parses a hook name in any case ("push hook"), an object_kind
// ("tag_push") or a group event_name; ok is false for names GitLab never sends.
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

// Kind is the model's kind (push, ci, …), else the hook's key (feature_flag).
func (h Hook) Kind() string {
	if k, ok := kinds[key(string(h))]; ok {
		return k
	}
	return key(string(h))
}

// Canonical maps an events= name (vocabulary, hook name, object_kind) to the
// model's kind; others come back trimmed and lower-cased.
func Canonical(name string) string {
	if h, ok := ParseHook(name); ok {
		return h.Kind()
	}
	return strings.ToLower(strings.TrimSpace(name))
}

// detect names a body's hook: object_kind, else event_name (group hooks),
// else a push by its look (the oldest name nothing); "" if nothing fits.
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
