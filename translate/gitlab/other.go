package gitlab

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coding-relay/coding-relay/translate"
)

// other maps the hooks of a project's or a group's other objects: wiki
// pages and milestones have templates of their own, the rest is shown by
// the generic templates from the Subject set here.
func (m *mapper) other() {
	p, ev, a := m.p, m.ev, &m.p.Attrs
	s := &translate.Subject{Kind: ev.Name, Event: ev.Name, Verb: pastTense(ev.Action)}
	switch ev.Name {
	case translate.EventWiki:
		ev.Title, ev.Path, ev.Body, ev.ObjectURL = a.Title, a.Slug, a.Message, translate.CleanURL(a.URL)
		return
	case translate.EventIteration: // a milestone
		ev.Title, ev.Goal, ev.State, ev.Type = a.Title, a.Description, a.State, "milestone"
		ev.Start, ev.End = parseDate(a.StartDate), parseDate(a.DueDate)
		if m.web != "" && a.IID != 0 {
			ev.ObjectURL = m.web + "/-/milestones/" + strconv.FormatInt(a.IID, 10)
		}
		ev.Milestone = &translate.Place{Name: a.Title, URL: ev.ObjectURL}
		return
	case translate.EventMember:
		ev.Member = m.person(&user{Name: p.UserName, Username: p.UserUsername, Email: p.UserEmail})
		ev.Role, ev.Verb, ev.Action = p.GroupAccess, memberVerbs[p.EventName], p.EventName
		ev.End = parseDate(p.ExpiresAt)
		m.group(p.GroupName, p.GroupPath)
		if ev.TeamURL != "" {
			ev.ObjectURL = ev.TeamURL + "/-/group_members"
		}
		return
	case "subgroup", "project": // group hooks: event_name subgroup_create, project_destroy, …
		_, verb, _ := strings.Cut(p.EventName, "_")
		full := firstOf(p.FullPath, p.PathWithNS)
		s.Verb, s.Name = pastTense(verb), full
		ev.Action = p.EventName
		if i := strings.LastIndexByte(full, '/'); i > 0 {
			m.group(firstOf(p.ParentName, full[:i]), full[:i])
		}
		if m.origin != "" {
			s.URL = m.origin + "/" + full
		}
	case "release":
		ev.Title, ev.Body, ev.Tag, ev.ObjectURL = p.Name, p.Description, tagName(p.Tag), translate.CleanURL(p.URL)
		ev.Commit = m.commit(p.Commit)
		s.Verb, s.Tag, s.Title, s.URL, s.Commit = releaseVerbs[p.Action], ev.Tag, p.Name, ev.ObjectURL, commitID(ev.Commit)
	case "feature_flag":
		ev.Title, ev.Body = a.Name, a.Description
		s.Name, s.Verb = a.Name, map[bool]string{true: "enabled", false: "disabled"}[a.Active]
		ev.Action = s.Verb
		if m.web != "" {
			s.URL = m.web + "/-/feature_flags"
		}
	case "emoji": // a reaction: quiet, like a star
		s.Name, s.URL, ev.Quiet = ":"+a.Name+":", translate.CleanURL(a.AwardedOnURL), true
		s.Verb = map[string]string{"award": "awarded", "revoke": "revoked"}[a.Action]
	case "access_token": // GitLab warns that a token expires soon
		s.Name, s.Verb, s.Status = a.Name, "expiring", a.ExpiresAt
		ev.ActorName, ev.End = ev.SourceName, parseDate(a.ExpiresAt)
		if g := p.Group; g != nil {
			m.group(g.Name, g.FullPath)
		}
	case "vulnerability":
		s.Title, s.Verb, s.Status, s.URL = a.Title, a.State, a.Severity, translate.CleanURL(a.URL)
		ev.Title, ev.Priority, ev.State, ev.ObjectURL, ev.ActorName = a.Title, a.Severity, a.State, s.URL, ev.SourceName
	default:
		return // a hook GitLab does not document: Complete reads the payload
	}
	ev.Verb, ev.Subject = s.Verb, s
	if ev.ObjectURL == "" {
		ev.ObjectURL = s.URL
	}
}

// group sets the group a group-level event happened in.
func (m *mapper) group(name, path string) {
	ev := m.ev
	if ev.ProjectName == "" {
		ev.ProjectName = name
	}
	ev.ProjectKeys = append(ev.ProjectKeys, path, name)
	if m.origin != "" && path != "" {
		ev.TeamURL = m.origin + "/" + path
		if ev.ProjectURL == "" {
			ev.ProjectURL = ev.TeamURL
		}
	}
}

// memberVerbs are the verbs of the Member Hook's event names.
var memberVerbs = map[string]string{
	"user_add_to_group": "added", "user_update_for_group": "role_updated", "user_remove_from_group": "removed",
	"user_access_request_to_group": "requested", "user_access_request_denied_for_group": "denied",
}

// releaseVerbs are the verbs of a release's actions.
var releaseVerbs = map[string]string{"create": "published", "update": "updated", "delete": "deleted"}

// pastTense is GitLab's action as the model's verb: create → created, …
func pastTense(action string) string {
	switch a := strings.ToLower(action); {
	case a == "":
		return ""
	case strings.HasSuffix(a, "e"):
		return a + "d"
	case a == "destroy":
		return "deleted"
	default:
		return a + "ed"
	}
}

// tagName is a release's tag (a job's tag member is a flag).
func tagName(v any) string {
	s, _ := v.(string)
	return s
}

// parseDate reads a date without a time of day (see translate.Day); a
// timestamp is cut to its date.
func parseDate(s string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, s[:min(len(s), len(time.DateOnly))], translate.Day)
	return t
}

// firstOf is the first non-empty string.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func commitID(c *translate.Commit) string {
	if c == nil {
		return ""
	}
	return c.ID
}

// sha8 is a commit's id as GitLab shows it.
func sha8(id string) string { return id[:min(8, len(id))] }

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

// pathOf is a URL's path, pathBase its last segment, lastSegment a path's.
func pathOf(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return pu.Path
	}
	return ""
}

func pathBase(u string) string { return lastSegment(pathOf(u)) }

func lastSegment(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }
