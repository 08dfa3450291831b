package translate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestDigestLinesTellItemsApart coalesces a burst: pushes by one person to
// one branch, builds of one job, merge requests, as a throttled robot
// would get them. Every line must carry what tells its item apart (the
// head commit, the build number and status, the merge request number),
// and the title must say how many updates and how many builds failed.
func TestDigestLinesTellItemsApart(t *testing.T) {
	var events []*Event
	for i := range 55 {
		ev := decodeFile(t, "push.json") // tom creates master
		ev.Commits = slices.Clone(ev.Commits)
		head := &ev.Commits[0]
		head.ID = fmt.Sprintf("%07x%033d", i+1, 0)
		head.Message = fmt.Sprintf("fix: 第 %d 个修复", i+1)
		head.Short, head.Subject, head.Link = "", "", ev.CommitURL(head.ID)
		ev.LatestCommit, ev.ObjectURL, ev.Link = nil, head.Link, head.Link
		ev.Complete()
		events = append(events, ev)
	}
	for i := range 4 {
		ev := decodeFile(t, "ci-complete_build-failed.json")
		ev.Number, ev.ID = fmt.Sprint(100+i), ""
		if i%2 == 1 {
			ev.Status = "SUCCEED"
		}
		ev.Complete()
		events = append(events, ev)
	}
	for i := range 3 {
		ev := decodeFile(t, "merge_request-create.json")
		ev.Number, ev.ID = fmt.Sprint(20+i), fmt.Sprintf("!%d", 20+i)
		ev.ObjectURL, ev.Link = "https://e.coding.net/p/uc/d/uc/git/merge/"+ev.Number, ""
		ev.Complete()
		events = append(events, ev)
	}
	for _, lang := range []string{"zh", "en"} {
		r := newTestRenderer(t, lang)
		for _, target := range Targets {
			var msgs []Message
			seen := map[string]int{}
			for i, ev := range events {
				m, err := r.Render(ev, target, "")
				if err != nil {
					t.Fatal(err)
				}
				if j, dup := seen[m.Summary]; dup {
					t.Errorf("%s/%s: items %d and %d have the same digest line %q", lang, target, j, i, m.Summary)
				}
				seen[m.Summary] = i
				msgs = append(msgs, m)
			}
			for i := range 55 {
				if sha := fmt.Sprintf("%07x", i+1); !strings.Contains(msgs[i].Summary, "["+sha+"](") {
					t.Errorf("%s/%s: push line without its head commit %s: %q", lang, target, sha, msgs[i].Summary)
				}
			}
			out, err := r.Digest(target, msgs)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"zh": "个构建失败]", "en": "failed]"}[lang]
			failed := 0
			for _, d := range out {
				if d.Outcome != OutcomeFailure {
					continue
				}
				failed++
				if !strings.Contains(d.Title, want) || !strings.Contains(d.Title, "#10") {
					t.Errorf("%s/%s: digest title %q does not put the failed builds first", lang, target, d.Title)
				}
			}
			if failed == 0 {
				t.Errorf("%s/%s: no digest failed", lang, target)
			}
		}
	}
}

// TestDigestOfStoredMessages digests messages a queue stored before
// messages had outcomes and detailed summaries: they still read.
func TestDigestOfStoredMessages(t *testing.T) {
	r := newTestRenderer(t, "zh")
	old := []Message{
		{Target: DingTalk, Event: "push", Title: "[uc-api] tom 创建了分支 master", Summary: "【uc-api】**tom** 创建了分支 [master](https://e.coding.net/p/uc-api)", Link: "https://e.coding.net/p/uc-api"},
		{Target: WeCom, Event: "ci", Title: "[uc-api] tom 执行了构建 job #1：失败", Summary: "> v1 summary", Link: "https://e.coding.net/p/uc-api/ci/job/1"},
	}
	d, n, err := r.DigestPrefix(DingTalk, old, Times{})
	if err != nil || n != 2 {
		t.Fatalf("DigestPrefix = %d, %v", n, err)
	}
	assertWellFormed(t, d, wireBody(t, d, ""))
	if d.Title != "[2 条更新] [uc-api] tom 创建了分支 master" || d.Outcome != OutcomeNeutral ||
		!strings.Contains(d.Text, old[0].Summary) || !strings.Contains(d.Text, `[\[uc-api\] tom 执行了构建 job #1：失败](https://e.coding.net/p/uc-api/ci/job/1)`) {
		t.Errorf("digest of stored messages:\n%s\n%s", d.Title, d.Text)
	}
}
