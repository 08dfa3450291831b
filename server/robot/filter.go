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
	if len(r.Actions) > 0 && !r.namesAction(ev) {
		return false
	}
	if ev.Quiet && !r.namesAction(ev) && !slices.Contains(r.Events, ev.Code) &&
		!(slices.Contains(r.Events, ev.Name) && !slices.Contains(translate.Events, ev.Name)) {
		// A quiet event reaches only the robots that name it.
		return false
	}
	if len(r.Branches) > 0 && !anyGlob(r.Branches, ev.Branch) {
		return false
	}
	if len(r.Projects) > 0 && !anyGlob(r.Projects, ev.ProjectKeys...) {
		return false
	}
	return true
}

// namesAction reports whether actions= names the event's action, verb or
// code.
func (r Robot) namesAction(ev *translate.Event) bool {
	return slices.Contains(r.Actions, ev.Action) || slices.Contains(r.Actions, ev.Verb) || slices.Contains(r.Actions, ev.Code)
}

// WantsPing reports whether the robot asked for CODING's test event.
func (r Robot) WantsPing() bool { return slices.Contains(r.Events, "ping") }

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
