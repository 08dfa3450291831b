package robot

import (
	"path"
	"slices"

	"github.com/coding-relay/coding-relay/translate"
)

// Wants reports whether the robot's filters let the event through.
func (r Robot) Wants(ev *translate.Event) bool {
	if ev.Name == "ping" {
		// CODING's "test" button reaches only the robots that ask for it.
		return slices.Contains(r.Events, "ping")
	}
	if len(r.Events) > 0 && !slices.Contains(r.Events, ev.Name) {
		return false
	}
	if len(r.Actions) > 0 && !slices.Contains(r.Actions, ev.Action) && !slices.Contains(r.Actions, ev.Code) {
		return false
	}
	if len(r.Branches) > 0 && !anyGlob(r.Branches, ev.Branch()) {
		return false
	}
	if len(r.Projects) > 0 && !anyGlob(r.Projects, projectNames(ev)...) {
		return false
	}
	return true
}

// WantsPing reports whether the robot asked for CODING's test event.
func (r Robot) WantsPing() bool { return slices.Contains(r.Events, "ping") }

// projectNames are the names projects= may match: the repository's, and the
// project's name and display name (Service Hook events of a project without
// a repository carry only those).
func projectNames(ev *translate.Event) []string {
	names := []string{ev.ProjectName()}
	if ev.Repository != nil {
		names = append(names, ev.Repository.Name)
	}
	if ev.Project != nil {
		names = append(names, ev.Project.Name, ev.Project.DisplayName)
	}
	return names
}

// anyGlob reports whether one of globs matches one of the non-empty names.
func anyGlob(globs []string, names ...string) bool {
	for _, s := range names {
		if s == "" {
			continue
		}
		for _, g := range globs {
			if ok, _ := path.Match(g, s); ok {
				return true
			}
		}
	}
	return false
}
