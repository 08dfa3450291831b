package translate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/coding-relay/coding-relay/templates"
)

func TestDigest(t *testing.T) {
	r := newTestRenderer(t, "zh")
	ps := payloads(t)
	for _, target := range Targets {
		var msgs []Message
		for _, name := range sortedKeys(ps) {
			ev, err := Decode(SampleEventName(name), ps[name])
			if err != nil {
				t.Fatal(err)
			}
			m, err := r.Render(ev, target, "")
			if err != nil {
				t.Fatal(err)
			}
			msgs = append(msgs, m)
		}
		msgs = append(append(msgs, msgs...), msgs...) // enough for several DingTalk digests
		out, err := r.Digest(target, msgs)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) < 2 {
			t.Fatalf("%s: %d messages coalesced into %d digests; want several", target, len(msgs), len(out))
		}
		if len(out) >= len(msgs)/2 {
			t.Errorf("%s: %d messages into %d digests: not coalesced enough", target, len(msgs), len(out))
		}
		// Every summary appears exactly once: in each digest the failures
		// first, then the rest, each in order.
		i := 0
		for _, d := range out {
			assertWellFormed(t, d, wireBody(t, d, ""))
			var n int
			if _, err := fmt.Sscanf(d.Title, "[%d 条更新", &n); err != nil || i+n > len(msgs) {
				t.Fatalf("%s: digest title %q: %v", target, d.Title, err)
			}
			var failed, rest []Message
			for _, m := range msgs[i : i+n] {
				if m.Outcome == OutcomeFailure {
					failed = append(failed, m)
				} else {
					rest = append(rest, m)
				}
			}
			pos := 0
			for _, m := range append(failed, rest...) {
				p := strings.Index(d.Text[pos:], m.Summary)
				if p < 0 {
					t.Fatalf("%s: summary missing or out of order after item %d: %q", target, i, m.Summary)
				}
				pos += p + len(m.Summary)
			}
			i += n
		}
		if i != len(msgs) {
			t.Errorf("%s: digests hold %d of %d messages", target, i, len(msgs))
		}
		if !strings.HasPrefix(out[0].Title, fmt.Sprintf("[%d 条更新]", strings.Count(out[0].Text, "\n")-1)) && !strings.HasPrefix(out[0].Title, "[") {
			t.Errorf("digest title %q", out[0].Title)
		}
	}
}

func TestDigestMergesMentions(t *testing.T) {
	r := newTestRenderer(t, "zh")
	a := Message{Target: DingTalk, Title: "a", Summary: "A", AtMobiles: []string{"1"}, AtUserIDs: []string{"u"}}
	b := Message{Target: DingTalk, Title: "b", Summary: "B", AtMobiles: []string{"2", "1"}}
	out, err := r.Digest(DingTalk, []Message{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 {
		t.Fatalf("%d digests", len(out))
	}
	d := out[0]
	if !equalStrings(d.AtMobiles, []string{"1", "2"}) || !equalStrings(d.AtUserIDs, []string{"u"}) {
		t.Errorf("at = %v %v", d.AtMobiles, d.AtUserIDs)
	}
	if !strings.HasSuffix(d.Text, "@1 @2 @u") || !strings.HasPrefix(d.Title, "[2 条更新]") {
		t.Errorf("digest = %q / %q", d.Title, d.Text)
	}
	w := []Message{{Target: WeCom, Summary: "A", AtUserIDs: []string{"x"}}, {Target: WeCom, Summary: "B", AtUserIDs: []string{"y", "x"}}}
	out, err = r.Digest(WeCom, w)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || !strings.HasSuffix(out[0].Text, "<@x> <@y>") {
		t.Errorf("WeCom digest = %+v", out)
	}
}

func TestDigestSingleKeepsOriginal(t *testing.T) {
	r := newTestRenderer(t, "zh")
	m, err := r.Render(decodeFile(t, "push.json"), WeCom, "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Digest(WeCom, []Message{m})
	if err != nil || len(out) != 1 || out[0].Text != m.Text {
		t.Errorf("Digest of one = %+v, %v", out, err)
	}
	if out, err := r.Digest(WeCom, nil); err != nil || len(out) != 0 {
		t.Errorf("Digest of none = %+v, %v", out, err)
	}
}

func TestDigestHugeSummaries(t *testing.T) {
	r := newTestRenderer(t, "zh")
	var msgs []Message
	for i := range 30 {
		msgs = append(msgs, Message{Target: WeCom, Title: fmt.Sprint(i), Summary: fmt.Sprintf("%d %s", i, strings.Repeat("长", 330))})
	}
	out, err := r.Digest(WeCom, msgs)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range out {
		if !Fits(d) {
			t.Errorf("digest does not fit: %d", Size(d))
		}
	}
	if len(out) < 8 {
		t.Errorf("only %d digests for 30 × 1000 bytes", len(out))
	}
}

// longestFitting is DigestPrefix the slow way: grow the prefix until its
// digest no longer fits.
func longestFitting(tb testing.TB, r *Renderer, t Target, msgs []Message) int {
	tb.Helper()
	k := 1
	for k < len(msgs) {
		d, err := r.renderDigest(r.byName[t], msgs[:k+1], Times{})
		if err != nil {
			tb.Fatal(err)
		}
		if !Fits(d) {
			break
		}
		k++
	}
	return k
}

// padded is n messages for t whose summaries are size bytes of ASCII, so
// that their JSON length is their length.
func padded(t Target, n, size int) []Message {
	var msgs []Message
	for i := range n {
		msgs = append(msgs, Message{Target: t, Event: "push", Title: fmt.Sprint("t", i), Summary: fmt.Sprintf("%03d%s", i, strings.Repeat("x", max(0, size-3))), Link: "https://e.coding.net/p"})
	}
	return msgs
}

func TestDigestPrefix(t *testing.T) {
	r := newTestRenderer(t, "zh")
	for _, target := range Targets {
		pushWeCom, err := r.Render(decodeFile(t, "push-two-commits.json"), WeCom, "")
		if err != nil {
			t.Fatal(err)
		}
		own, err := r.Render(decodeFile(t, "merge_request-create.json"), target, "")
		if err != nil {
			t.Fatal(err)
		}
		huge := own
		huge.Text = strings.Repeat("长", Limit(target)) // over any limit
		tests := []struct {
			name  string
			msgs  []Message
			wantN int
			same  bool // the head message itself comes back
		}{
			{"none", nil, 0, false},
			{"one of its own", []Message{own}, 1, true},
			{"one of another target", []Message{pushWeCom}, 1, target == WeCom},
			{"an oversize one", []Message{huge}, 1, false},
			{"an oversize head, then more", []Message{huge, own, own}, 3, false},
			{"small ones all fit", padded(target, 12, 100), 12, false},
			{"1000-byte summaries", padded(target, 40, 1000), -1, false},
			{"300-byte summaries", padded(target, 200, 300), -1, false},
			{"mixed", append(padded(target, 3, 900), append(padded(target, 30, 20), padded(target, 20, 990)...)...), -1, false},
		}
		for _, tt := range tests {
			t.Run(string(target)+"/"+tt.name, func(t *testing.T) {
				d, n, err := r.DigestPrefix(target, tt.msgs, Times{})
				if err != nil {
					t.Fatal(err)
				}
				want := tt.wantN
				if want < 0 {
					want = longestFitting(t, r, target, tt.msgs)
					if want < 2 || want == len(tt.msgs) {
						t.Fatalf("the case should hold several digests: %d of %d fit", want, len(tt.msgs))
					}
				}
				if n != want {
					t.Errorf("n = %d, want %d", n, want)
				}
				if n == 0 {
					return
				}
				assertWellFormed(t, d, wireBody(t, d, ""))
				if tt.same != (d.Text == tt.msgs[0].Text) {
					t.Errorf("head returned as it is: %v, want %v", d.Text == tt.msgs[0].Text, tt.same)
				}
				if n > 1 {
					rd, err := r.renderDigest(r.byName[target], tt.msgs[:n], Times{})
					if err != nil || rd.Text != d.Text || rd.Title != d.Title {
						t.Errorf("not the digest of the first %d", n)
					}
				}
			})
		}
	}
}

// TestDigestPrefixBoundary puts the digest of three messages exactly at
// the limit, then one byte over it.
func TestDigestPrefixBoundary(t *testing.T) {
	r := newTestRenderer(t, "en")
	for _, target := range Targets {
		msgs := padded(target, 4, 500)
		d, err := r.renderDigest(r.byName[target], msgs[:3], Times{})
		if err != nil {
			t.Fatal(err)
		}
		msgs[2].Summary += strings.Repeat("y", Limit(target)-Size(d))
		if d, _ := r.renderDigest(r.byName[target], msgs[:3], Times{}); Size(d) != Limit(target) {
			t.Fatalf("%s: padded digest has Size %d, limit %d", target, Size(d), Limit(target))
		}
		if _, n, err := r.DigestPrefix(target, msgs, Times{}); err != nil || n != 3 {
			t.Errorf("%s: at the limit: n = %d, %v; want 3", target, n, err)
		}
		msgs[2].Summary += "y"
		if _, n, err := r.DigestPrefix(target, msgs, Times{}); err != nil || n != 2 {
			t.Errorf("%s: one byte over: n = %d, %v; want 2", target, n, err)
		}
	}
}

// TestDigestPrefixOwnTemplate: a digest template that lists nothing fits
// any number of messages, and the search finds them all.
func TestDigestPrefixOwnTemplate(t *testing.T) {
	user := mapFS{"d.tmpl": `{{define "digest.text"}}{{.Count}} updates{{end}}`}
	r, err := New(templates.FS, user, Options{Dialects: testKinds.dialects})
	if err != nil {
		t.Fatal(err)
	}
	msgs := padded(DingTalk, 500, 1000)
	d, n, err := r.DigestPrefix(DingTalk, msgs, Times{})
	if err != nil || n != 500 || d.Text != "500 updates" {
		t.Errorf("n = %d, %q, %v", n, d.Text, err)
	}
	if _, _, err := r.DigestPrefix("slack", msgs, Times{}); err == nil {
		t.Error("unknown target: no error")
	}
}
