package translate

import (
	"cmp"
	"slices"
	"strings"
)

// ZeroSHA is the before or after of a push that created or deleted its ref.
const ZeroSHA = "0000000000000000000000000000000000000000"

// RefName strips refs/heads/, refs/tags/ or refs/ from ref.
func RefName(ref string) string { return refName(ref) }

// Complete derives the fields that follow from what a source set (ref
// name, commit order and display, actor, Branch, Subject, Link), so every
// source gets the same rules. A source calls it last.
func (e *Event) Complete() {
	e.RefName = cmp.Or(e.RefName, refName(e.Ref))
	e.IsTag = e.IsTag || strings.HasPrefix(e.Ref, "refs/tags/")
	for i := range e.Commits {
		e.Commits[i].complete()
	}
	if e.Before != nil {
		e.Before.complete()
	}
	if e.Commit != nil {
		e.Commit.complete()
	}
	if len(e.Commits) > 0 {
		e.LatestCommit = &e.Commits[0]
	}
	e.CommitCount = max(e.CommitCount, len(e.Commits))
	if u := e.ActorUser; u != nil {
		e.ActorName = cmp.Or(e.ActorName, u.Display())
		e.Actor = cmp.Or(e.Actor, u.Key())
		e.ActorURL = cmp.Or(e.ActorURL, u.URL)
	}
	e.Branch = cmp.Or(e.Branch, e.RefName, e.TargetBranch)
	if e.ID == "" && e.Number != "" {
		e.ID = "#" + e.Number
	}
	if !slices.Contains(Events, e.Name) && e.Subject == nil {
		e.Subject = e.subject()
	}
	if e.ObjectURL == "" && e.Subject != nil {
		e.ObjectURL = e.Subject.URL
	}
	e.Link = cmp.Or(e.Link, e.mainLink())
}

// mainLink: a comment's page, else the object's (a member event's
// project), else the repository, project, team.
func (e *Event) mainLink() string {
	if e.Comment != nil && e.Comment.URL != "" && e.Name != EventPush && e.Name != EventCI {
		return e.Comment.URL
	}
	if e.Name != EventMember && e.ObjectURL != "" {
		return e.ObjectURL
	}
	return cmp.Or(e.ProjectURL, e.RepoURL, e.TeamURL)
}

// complete fills a commit's display fields from its id, message and author.
func (c *Commit) complete() {
	c.Short = cmp.Or(c.Short, sha7(c.ID))
	c.Subject = cmp.Or(c.Subject, firstLine(c.Message))
	c.AuthorName = cmp.Or(c.AuthorName, c.Author.Display())
}

// NewestFirst returns commits newest first, head first. Senders differ
// (GitLab lists newest first), so the order follows the head's place, else
// the times, else oldest first; a missing headCommit is added in front.
func NewestFirst(commits []Commit, head string, headCommit *Commit) []Commit {
	isHead := func(c Commit) bool { return head != "" && c.ID == head }
	out := append([]Commit(nil), commits...) // nil for none
	if len(out) > 0 && !isHead(out[0]) {
		slices.Reverse(out)
		if !isHead(out[0]) && !slices.ContainsFunc(out, func(c Commit) bool { return c.Time.IsZero() }) {
			slices.SortStableFunc(out, func(a, b Commit) int { return b.Time.Compare(a.Time) })
		}
	}
	if headCommit != nil && headCommit.ID != "" &&
		!slices.ContainsFunc(out, func(c Commit) bool { return c.ID == headCommit.ID }) {
		out = append([]Commit{*headCommit}, out...)
	} else if i := slices.IndexFunc(out, func(c Commit) bool { return c.ID == head }); i > 0 {
		// The head is the newest whatever the times say (a rebase keeps
		// old author dates).
		out = slices.Concat([]Commit{out[i]}, out[:i], out[i+1:])
	}
	return out
}
