package translate

import (
	"cmp"
	"maps"
	"slices"
	"strings"
)

// Subject is the object an event without templates of its own is about,
// read from the raw payload (a release event's "release").
type Subject struct {
	// Kind is the payload member read ("release"), or "".
	Kind string
	// Event is the event's name without a verb taken from it (below).
	Event string
	// Verb is Event.Verb, else the last word of deploy_finished.
	Verb   string
	Name   string // name, else display_name
	Title  string // title
	Tag    string // tag_name, else tag, else the pushed tag
	Number string // number, else iid, else code
	Status string // status, else state
	Commit string // commit_id, else sha, else commit
	URL    string // html_url, else web_url, else url (its page)
}

// Display is the tag, else title, else name, else #number.
func (s *Subject) Display() string {
	if s == nil {
		return ""
	}
	if name := cmp.Or(s.Tag, s.Title, s.Name); name != "" || s.Number == "" {
		return name
	}
	return "#" + s.Number
}

// commonMembers describe who and where, not the subject.
var commonMembers = map[string]bool{
	"sender": true, "pusher": true, "repository": true, "repo": true, "depot": true,
	"project": true, "team": true, "hook": true, "head_commit": true, "commits": true,
	"owner": true, "user": true, "author": true, "creator": true, "assignee": true,
	"committer": true, "organization": true, "enterprise": true, "installation": true,
}

// subjectMembers are tried for the object after the event's own name.
var subjectMembers = []string{"release", "tag", "object", "resource", "target", "item", "data"}

// subject is what an event of no known kind is about (see Subject).
func (e *Event) subject() *Subject {
	s := &Subject{Event: e.Name, Verb: e.Verb}
	if s.Verb == "" {
		if i := strings.LastIndexByte(e.Name, '_'); i > 0 && i < len(e.Name)-1 {
			s.Event, s.Verb = e.Name[:i], e.Name[i+1:]
		}
	}
	raw, page := e.Raw(), e.pages
	if page == nil {
		page = cleanURL
	}
	candidates := append([]string{e.Name, s.Event}, strings.Split(e.Name, "_")...)
	candidates = append(candidates, subjectMembers...)
	for _, k := range append(candidates, slices.Sorted(maps.Keys(raw))...) {
		obj, ok := raw[k].(map[string]any)
		if !ok || commonMembers[k] {
			continue
		}
		var got Subject
		if got.read(obj, page) {
			got.Kind, got.Event, got.Verb = k, s.Event, s.Verb
			*s = got
			break
		}
	}
	if s.Tag == "" && e.IsTag {
		s.Tag = e.RefName
	}
	return s
}

// read fills s from obj and reports whether anything identified it.
func (s *Subject) read(obj map[string]any, page func(string) string) bool {
	first := func(keys ...string) string {
		for _, k := range keys {
			switch v := obj[k].(type) {
			case string:
				if v = strings.TrimSpace(v); v != "" {
					return v
				}
			case nil, map[string]any, []any, bool:
			default:
				if t := toString(v); t != "" {
					return t
				}
			}
		}
		return ""
	}
	s.Name = first("name", "display_name")
	s.Title = first("title")
	s.Tag = first("tag_name", "tag")
	s.Number = first("number", "iid", "code")
	s.Status = first("status", "state")
	s.Commit = first("commit_id", "sha", "commit")
	for _, k := range []string{"html_url", "web_url", "url"} {
		if u := page(first(k)); u != "" {
			s.URL = u
			break
		}
	}
	return s.Name != "" || s.Title != "" || s.Tag != "" || s.Number != ""
}
