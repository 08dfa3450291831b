package gitlab

import (
	"cmp"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coding-relay/coding-relay/translate"
)

// other maps the remaining hooks; those without templates get a Subject.
func (m *mapper) other() {
	p, ev, a := m.p, m.ev, &m.p.Attrs
	s := &translate.Subject{Kind: ev.Name, Event: ev.Name, Verb: ev.Verb}
	switch ev.Name {
	case translate.EventWiki:
		ev.Title, ev.Path, ev.Body, ev.ObjectURL = a.Title, a.Slug, a.Message, translate.CleanURL(a.URL)
		return
	case translate.EventRelease:
		ev.Title, ev.Body, ev.Commit = p.Name, p.Description, m.commit(p.Commit)
		ev.Tag, _ = p.Tag.(string) // a job's tag member is a flag
		ev.ObjectURL = m.page(p.URL, "/-/releases/"+url.PathEscape(ev.Tag))
		if ev.Verb == "created" {
			ev.Verb = "published"
		}
		return
	case translate.EventIteration: // a milestone
		ev.Title, ev.Goal, ev.State, ev.Type = a.Title, a.Description, a.State, "milestone"
		ev.Start, ev.End = parseDate(a.StartDate), parseDate(a.DueDate)
		if a.IID != 0 {
			ev.ObjectURL = m.page("", "/-/milestones/"+strconv.FormatInt(a.IID, 10))
		}
		ev.Milestone = &translate.Place{Name: a.Title, URL: ev.ObjectURL}
		return
	case translate.EventMember:
		ev.Member = m.person(&user{Name: p.UserName, Username: p.UserUsername, Email: p.UserEmail})
		ev.Role, ev.Verb, ev.Action, ev.End = p.GroupAccess, memberVerbs[p.EventName], p.EventName, parseDate(p.ExpiresAt)
		m.group(p.GroupName, p.GroupPath)
		// The card opens the group's members, where access requests are answered.
		ev.Link = m.groupPage(p.GroupPath, "/-/group_members")
		if ev.Member != nil {
			ev.ObjectURL = ev.Member.URL
		}
		return
	case "subgroup", "project": // event_name subgroup_create, project_destroy, …
		_, verb, _ := strings.Cut(p.EventName, "_")
		full := cmp.Or(p.FullPath, p.PathWithNamespace)
		s.Verb, s.Name, ev.Action = map[string]string{"create": "created", "destroy": "deleted"}[verb], full, p.EventName
		if i := strings.LastIndexByte(full, '/'); i > 0 {
			m.group(cmp.Or(p.ParentName, full[:i]), full[:i])
		}
		if m.origin != "" {
			s.URL = m.origin + "/" + full
		}
	case "feature_flag":
		ev.Title, ev.Body, s.Name = a.Name, a.Description, a.Name
		s.Verb = map[bool]string{true: "enabled", false: "disabled"}[a.Active]
		s.URL, ev.Action = m.page("", "/-/feature_flags"), s.Verb
	case "emoji": // a reaction: quiet, like a star
		s.Name, s.URL, ev.Quiet = ":"+a.Name+":", translate.CleanURL(a.AwardedOnURL), true
		s.Verb = map[string]string{"award": "awarded", "revoke": "revoked"}[a.Action]
	case "access_token": // GitLab warns that a token expires soon
		s.Name, s.Verb, s.Status = a.Name, "expiring", a.ExpiresAt
		ev.ActorName, ev.End = ev.SourceName, parseDate(a.ExpiresAt)
		s.URL = m.page("", "/-/settings/access_tokens")
		if g := p.Group; g != nil {
			m.group(g.GroupName, g.FullPath)
			s.URL = m.groupPage(g.FullPath, "/-/settings/access_tokens")
		}
	case "vulnerability":
		s.Title, s.Verb, s.Status, s.URL = a.Title, a.State, a.Severity, translate.CleanURL(a.URL)
		ev.Title, ev.Priority, ev.State, ev.ActorName = a.Title, a.Severity, a.State, ev.SourceName
	default:
		return // a hook GitLab does not document: Complete reads the payload
	}
	ev.Verb, ev.Subject = s.Verb, s
	if ev.ObjectURL == "" {
		ev.ObjectURL = s.URL
	}
}

func (m *mapper) group(name, path string) {
	ev := m.ev
	ev.ProjectName = cmp.Or(ev.ProjectName, name)
	ev.ProjectKeys = append(ev.ProjectKeys, path, name)
	if m.origin != "" && path != "" {
		ev.TeamURL = m.origin + "/" + path
		ev.ProjectURL = cmp.Or(ev.ProjectURL, ev.TeamURL)
	}
}

// groupPage is /groups/<path><page>; "" when the GitLab's address is unknown.
func (m *mapper) groupPage(path, page string) string {
	if m.origin == "" || path == "" {
		return ""
	}
	return m.origin + "/groups/" + path + page
}

var memberVerbs = map[string]string{
	"user_add_to_group": "added", "user_update_for_group": "role_updated", "user_remove_from_group": "removed",
	"user_access_request_to_group": "requested", "user_access_request_denied_for_group": "denied",
}

// parseDate reads a translate.Day, cutting a timestamp to its date.
func parseDate(s string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, s[:min(len(s), len(time.DateOnly))], translate.Day)
	return t
}

// pathOf is a URL's path; lastSegment a path's last segment.
func pathOf(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return pu.Path
	}
	return ""
}

func lastSegment(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }
