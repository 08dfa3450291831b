package queue

import (
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
)

// pacer keeps a robot under each of its limits in every sliding window: it
// remembers the last sends (as many as the largest limit allows), and the
// next send may start once, for every limit, the send that would make one
// too many has left that limit's window. A token bucket would allow up to
// 2N-1 sends in some window, which is exactly what gets a DingTalk robot
// silenced.
type pacer struct {
	limits  robot.Limits
	margins []time.Duration
	keep    int         // the largest N
	sent    []time.Time // oldest first, at most keep
}

func newPacer(l robot.Limits, history []int64) *pacer {
	p := &pacer{limits: l}
	for _, r := range l {
		// The robot's clock starts its window when the request arrives, a
		// few milliseconds after we stamp it; a margin keeps that jitter
		// from letting two sends fall inside one of its windows.
		p.margins = append(p.margins, min(max(r.Per/50, 50*time.Millisecond), 2*time.Second))
		p.keep = max(p.keep, r.N)
	}
	if !l.Enabled() {
		return p
	}
	for _, ms := range history {
		p.sent = append(p.sent, time.UnixMilli(ms))
	}
	if len(p.sent) > p.keep {
		p.sent = p.sent[len(p.sent)-p.keep:]
	}
	return p
}

// enabled reports whether the robot is paced at all.
func (p *pacer) enabled() bool { return p.limits.Enabled() }

// next is the earliest time a send may start.
func (p *pacer) next(now time.Time) time.Time {
	at := now
	for i, r := range p.limits {
		if len(p.sent) < r.N {
			continue
		}
		// The r.N-th most recent send must have left the window.
		if t := p.sent[len(p.sent)-r.N].Add(r.Per + p.margins[i]); t.After(at) {
			at = t
		}
	}
	return at
}

// free is how many sends may start now without waiting.
func (p *pacer) free(now time.Time) int {
	if !p.enabled() {
		return int(^uint(0) >> 1)
	}
	least := int(^uint(0) >> 1)
	for i, r := range p.limits {
		used := 0
		for _, t := range p.sent {
			if now.Sub(t) < r.Per+p.margins[i] {
				used++
			}
		}
		least = min(least, r.N-used)
	}
	return max(least, 0)
}

// record notes a send that started at t; every attempt counts, because the
// robot counts requests, not successes.
func (p *pacer) record(t time.Time) {
	if !p.enabled() {
		return
	}
	p.sent = append(p.sent, t)
	if len(p.sent) > p.keep {
		p.sent = p.sent[len(p.sent)-p.keep:]
	}
}

// history is the state to persist, so a restart does not forget a window
// that is still open.
func (p *pacer) history() []int64 {
	if !p.enabled() {
		return nil
	}
	out := make([]int64, len(p.sent))
	for i, t := range p.sent {
		out[i] = t.UnixMilli()
	}
	return out
}
