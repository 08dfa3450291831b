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
	eventually(t, 60*time.Second, "all 40 events shown on both robots", func() bool {
		m := env.messages(t)
		return eventsIn(t, m, simDing) == 40 && eventsIn(t, m, simWeCom) == 40
	})
	noRejections(t, env)
	// The simulator's own arrival times of the messages.
	var timed []struct {
		simMessage
		At time.Time `json:"at"`
	}
	getJSON(t, env.simURL+"/_sim/messages", &timed)
	for _, r := range []string{simDing, simWeCom} {
		var at []time.Duration
		for _, m := range timed {
			if m.Robot == r {
				at = append(at, m.At.Sub(start).Round(10*time.Millisecond))
			}
		}
		t.Logf("%s: 40 events posted in %s, shown in %d messages at %v", r, posted.Round(10*time.Millisecond), len(at), at)
		if len(at) > 8 {
			t.Errorf("%s: %d messages for a burst of 40; want at most 8", r, len(at))
		}
		if len(at) > 0 && at[0] > 5*time.Second {
			t.Errorf("%s: the first message %v after the burst began; want within seconds", r, at[0])
		}
	}
	for _, m := range timed {
		if m.Robot == simDing {
			b := dingBody(t, m.simMessage)
			t.Logf("DingTalk message at %v, %q:\n%s", m.At.Sub(start).Round(10*time.Millisecond), b.Markdown.Title, b.Markdown.Text)
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
