package translate

import (
	"slices"
	"strings"
	"testing"
)

func TestShownCommitsNewestFirst(t *testing.T) {
	c := func(id string, ts int64) Commit { return Commit{ID: id, Timestamp: ts} }
	ids := func(cs []Commit) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		ev   Event
		want []string
	}{
		{"oldest first, as CODING sends", Event{Ref: "refs/heads/m", After: "c", Commits: []Commit{c("a", 1), c("b", 2), c("c", 3)}, HeadCommit: &Commit{ID: "c"}},
			[]string{"c", "b", "a"}},
		{"newest first", Event{Ref: "refs/heads/m", Commits: []Commit{c("c", 3), c("b", 2), c("a", 1)}, HeadCommit: &Commit{ID: "c"}},
			[]string{"c", "b", "a"}},
		{"no head, by timestamps", Event{Ref: "refs/heads/m", Commits: []Commit{c("b", 2), c("c", 3), c("a", 1)}},
			[]string{"c", "b", "a"}},
		{"no head, no timestamps: CODING's order", Event{Ref: "refs/heads/m", Commits: []Commit{c("a", 0), c("b", 0)}},
			[]string{"b", "a"}},
		{"head not listed", Event{Ref: "refs/heads/m", Commits: []Commit{c("a", 0), c("b", 0)}, HeadCommit: &Commit{ID: "z"}},
			[]string{"z", "b", "a"}},
		{"head older by its date (a rebase)", Event{Ref: "refs/heads/m", After: "a", Commits: []Commit{c("b", 5), c("a", 1), c("x", 3)}},
			[]string{"a", "b", "x"}},
		{"new branch, no list", Event{Ref: "refs/heads/m", HeadCommit: &Commit{ID: "h"}}, []string{"h"}},
		{"deleted branch", Event{Ref: "refs/heads/m", Deleted: true, HeadCommit: &Commit{ID: "h"}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := ids(tt.ev.Commits)
			if got := ids(tt.ev.ShownCommits()); !slices.Equal(got, tt.want) {
				t.Errorf("ShownCommits = %v, want %v", got, tt.want)
			}
			if !slices.Equal(before, ids(tt.ev.Commits)) {
				t.Errorf("ShownCommits changed the event's commits: %v", ids(tt.ev.Commits))
			}
			if len(tt.want) > 0 && tt.ev.LatestCommit().ID != tt.want[0] {
				t.Errorf("LatestCommit = %v", tt.ev.LatestCommit())
			}
		})
	}
}

// TestLongPushShowsTheNewest: a 120-commit push, oldest first as CODING
// sends it, lists the head commit and the nine before it on every target,
// then how many earlier ones were left out, with the compare link.
func TestLongPushShowsTheNewest(t *testing.T) {
	ev := decodeFile(t, "push-120-commits-oldest-first.json")
	for _, lang := range []string{"zh", "en"} {
		r := newTestRenderer(t, lang)
		for _, target := range Targets {
			m, err := r.Render(ev, target, "")
			if err != nil {
				t.Fatal(err)
			}
			head := "[" + ev.HeadCommit.ID[:7] + "](" + ev.HeadCommit.URL + ")"
			more := map[string]string{"zh": "及更早的 110 个提交", "en": "and 110 earlier commits"}[lang]
			if !containsAll(m.Text, head, more, ev.Compare) || countLinesWith(m.Text, "/git/commit/") != 10 {
				t.Errorf("%s/%s: the newest 10 commits, the head first, then the rest:\n%s", lang, target, m.Text)
			}
		}
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func countLinesWith(s, sub string) int {
	n := 0
	for line := range strings.SplitSeq(s, "\n") {
		if strings.Contains(line, sub) {
			n++
		}
	}
	return n
}
