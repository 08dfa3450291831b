package translate

import "slices"

// ShownCommits is the push's commits newest first, as a reader wants them:
// the head commit first, then the ones before it. CODING lists a push's
// commits oldest first (test payloads and other sources may not), so the
// order is worked out from the head commit's place in the list, else the
// timestamps, else CODING's order is assumed. A head commit missing from
// the list is put in front; with no list (a new branch) it is the list.
// A deleted branch or tag shows none. The commits are copies with Short,
// Subject, Link and AuthorName set.
func (e *Event) ShownCommits() []Commit {
	out := e.newestFirst()
	for i := range out {
		c := &out[i]
		c.Short, c.Subject, c.AuthorName = sha7(c.ID), firstLine(c.Message), c.Author.Display()
		if c.Link = c.URL; c.Link == "" {
			c.Link = e.CommitURL(c.ID)
		}
	}
	return out
}

// newestFirst is ShownCommits without the fields for display: for what
// only needs the order (a push's link).
func (e *Event) newestFirst() []Commit {
	if e == nil || e.RefDeleted() {
		return nil
	}
	head := e.headID()
	var out []Commit
	switch n := len(e.Commits); {
	case n == 0:
	case head != "" && e.Commits[0].ID == head:
		out = slices.Clone(e.Commits)
	default:
		out = slices.Clone(e.Commits)
		slices.Reverse(out)
		if head != "" && out[0].ID == head {
			break
		}
		dated := !slices.ContainsFunc(out, func(c Commit) bool { return c.Timestamp <= 0 })
		if dated {
			slices.SortStableFunc(out, func(a, b Commit) int {
				switch {
				case a.Timestamp > b.Timestamp:
					return -1
				case a.Timestamp < b.Timestamp:
					return 1
				}
				return 0
			})
		}
	}
	if e.HeadCommit != nil && e.HeadCommit.ID != "" &&
		!slices.ContainsFunc(out, func(c Commit) bool { return c.ID == e.HeadCommit.ID }) {
		out = append([]Commit{*e.HeadCommit}, out...)
	} else if i := slices.IndexFunc(out, func(c Commit) bool { return c.ID == head }); i > 0 {
		// The head is the newest whatever the timestamps say (a rebase
		// keeps old author dates).
		out = slices.Concat([]Commit{out[i]}, out[:i], out[i+1:])
	}
	return out
}

// headID is the id of the commit the push left the ref at: head_commit's,
// else after.
func (e *Event) headID() string {
	if e.HeadCommit != nil && e.HeadCommit.ID != "" {
		return e.HeadCommit.ID
	}
	if e.After != zeroSHA {
		return e.After
	}
	return ""
}

// LatestCommit is the push's newest commit (the first of ShownCommits),
// nil when it shows none.
func (e *Event) LatestCommit() *Commit {
	shown := e.ShownCommits()
	if len(shown) == 0 {
		return nil
	}
	return &shown[0]
}
