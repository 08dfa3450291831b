package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/translate/coding"
)

// burstPayloads are 40 different test payloads spread over every kind of
// event, as a busy team's pushes, reviews, builds and issues arrive.
func burstPayloads(tb testing.TB) (names []string, bodies [][]byte) {
	tb.Helper()
	files, _ := filepath.Glob("../../translate/testdata/*.json")
	var all []string
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && coding.SampleEventName(f) != "ping" {
			if _, err := coding.Decode(coding.SampleEventName(f), b); err == nil {
				all = append(all, f)
			}
		}
	}
	if len(all) < 40 {
		tb.Fatalf("only %d payloads", len(all))
	}
	for i := range 40 {
		f := all[i*len(all)/40]
		b, _ := os.ReadFile(f)
		names, bodies = append(names, coding.SampleEventName(f)), append(bodies, b)
	}
	return names, bodies
}

// TestE2EBurstAtTheDefaultPace posts 40 events within a second or two to a
// DingTalk and a WeCom robot, the simulator and the relay at their default
// pace (20 a minute): each group gets them as at most 8 messages, the
// first within seconds, every event shown (the lines of a digest count),
// and the simulator rejects nothing.
func TestE2EBurstAtTheDefaultPace(t *testing.T) {
	env := startSim(t, requireSim(t), "-secret", e2eDingToken+"="+e2eDingSecret)
	relay := env.startRelay(t, t.TempDir())
	names, bodies := burstPayloads(t)
	start := time.Now()
	for i := range 40 {
		relay.post(t, names[i], fmt.Sprintf("burst-%d", i), bodies[i])
	}
	posted := time.Since(start)
	eventually(t, 5*time.Second, "a first message on both robots", func() bool {
		s := env.stats(t)
		return s.Robots[simDing].Accepted > 0 && s.Robots[simWeCom].Accepted > 0
	})
	first := time.Since(start)
	eventually(t, 60*time.Second, "all 40 events shown on both robots", func() bool {
		m := env.messages(t)
		return eventsIn(t, m, simDing) == 40 && eventsIn(t, m, simWeCom) == 40
	})
	all := time.Since(start)
	noRejections(t, env)
	s := env.stats(t)
	for _, r := range []string{simDing, simWeCom} {
		if n := s.Robots[r].Accepted; n > 8 {
			t.Errorf("%s: %d messages for a burst of 40; want at most 8", r, n)
		}
	}
	t.Logf("40 events posted in %s; first message after %s, all shown after %s, as %d DingTalk and %d WeCom messages",
		posted.Round(10*time.Millisecond), first.Round(100*time.Millisecond), all.Round(100*time.Millisecond),
		s.Robots[simDing].Accepted, s.Robots[simWeCom].Accepted)
	for _, m := range env.messages(t) {
		if m.Robot == simDing {
			b := dingBody(t, m)
			t.Logf("DingTalk message %q:\n%s", b.Markdown.Title, b.Markdown.Text)
		}
	}
}

type robotBody struct {
	Markdown struct {
		Title   string `json:"title"`
		Text    string `json:"text"`
		Content string `json:"content"`
	} `json:"markdown"`
}

func dingBody(tb testing.TB, m simMessage) robotBody {
	tb.Helper()
	var b robotBody
	if err := json.Unmarshal(m.Body, &b); err != nil {
		tb.Fatalf("a message of %s: %v", m.Robot, err)
	}
	return b
}

// eventsIn counts the events robot's messages show: a digest as many as
// its title (DingTalk) or heading (WeCom) says, after checking it has as
// many lines; any other message one.
func eventsIn(tb testing.TB, msgs []simMessage, robot string) int {
	tb.Helper()
	n := 0
	for _, m := range msgs {
		if m.Robot != robot {
			continue
		}
		b := dingBody(tb, m)
		text := b.Markdown.Text + b.Markdown.Content
		var k int
		if _, err := fmt.Sscanf(b.Markdown.Title, "[%d 条更新", &k); err != nil {
			if _, err := fmt.Sscanf(b.Markdown.Content, "#### %d 条更新", &k); err != nil {
				n++
				continue
			}
		}
		lines := 0
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "> ") {
				lines++
			}
		}
		if lines != k {
			tb.Errorf("a digest of %s says %d updates and lists %d:\n%s", robot, k, lines, text)
		}
		n += k
	}
	return n
}
