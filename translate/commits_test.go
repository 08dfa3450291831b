package translate

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewestFirst(t *testing.T) {
	c := func(id string, ts int64) Commit {
		var at time.Time
		if ts > 0 {
			at = time.Unix(ts, 0)
		}
		return Commit{ID: id, Time: at}
	}
	ids := func(cs []Commit) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		commits []Commit
		head    string
		headC   *Commit
		want    []string
	}{
		{"oldest first, as CODING sends", []Commit{c("a", 1), c("b", 2), c("c", 3)}, "c", &Commit{ID: "c"}, []string{"c", "b", "a"}},
		{"newest first, as GitLab sends", []Commit{c("c", 3), c("b", 2), c("a", 1)}, "c", &Commit{ID: "c"}, []string{"c", "b", "a"}},
		{"no head, by times", []Commit{c("b", 2), c("c", 3), c("a", 1)}, "", nil, []string{"c", "b", "a"}},
		{"no head, no times: oldest first", []Commit{c("a", 0), c("b", 0)}, "", nil, []string{"b", "a"}},
		{"head not listed", []Commit{c("a", 0), c("b", 0)}, "z", &Commit{ID: "z"}, []string{"z", "b", "a"}},
		{"head older by its date (a rebase)", []Commit{c("b", 5), c("a", 1), c("x", 3)}, "a", nil, []string{"a", "b", "x"}},
		{"new branch, no list", nil, "h", &Commit{ID: "h"}, []string{"h"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := ids(tt.commits)
			if got := ids(NewestFirst(tt.commits, tt.head, tt.headC)); !slices.Equal(got, tt.want) {
				t.Errorf("NewestFirst = %v, want %v", got, tt.want)
			}
			if !slices.Equal(before, ids(tt.commits)) {
				t.Errorf("NewestFirst changed its argument: %v", ids(tt.commits))
			}
		})
	}
}

// TestLongPushShowsTheNewest: a 120-commit push, oldest first as CODING
// sends it, lists the head commit and the four before it on every target,
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
			head := "[" + ev.LatestCommit.ID[:7] + "](" + ev.LatestCommit.Link + ")"
			more := map[string]string{"zh": "及更早的 115 个提交", "en": "and 115 earlier commits"}[lang]
			if !containsAll(m.Text, head, more, ev.CompareURL) || countLinesWith(m.Text, "/git/commit/") != 5 {
				t.Errorf("%s/%s: the newest 5 commits, the head first, then the rest:\n%s", lang, target, m.Text)
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
