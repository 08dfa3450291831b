package translate

import (
	"fmt"
	"strings"
	"testing"
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
		// Every summary appears exactly once, in order.
		i := 0
		for _, d := range out {
			assertWellFormed(t, d, wireBody(t, d, ""))
			pos := 0
			for i < len(msgs) {
				p := strings.Index(d.Text[pos:], msgs[i].Summary)
				if p < 0 {
					break
				}
				pos += p + len(msgs[i].Summary)
				i++
			}
		}
		if i != len(msgs) {
			t.Errorf("%s: summaries missing or out of order after item %d (%q)", target, i, msgs[min(i, len(msgs)-1)].Summary)
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
