package queue

import (
	"math"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
)

// Pacer keeps a lane under its robot's limits. The in-process one (pacer)
// remembers the lane's sends itself and has them persisted with the lane's
// store writes; the shared one (sharedPacer) keeps them in a shared store,
// where the sends of every replica count.
type Pacer interface {
	// Enabled reports whether the lane is paced at all.
	Enabled() bool
	// Check is how long until a send may start (0: now) and how many
	// sends may start now without waiting.
	Check(now time.Time) (wait time.Duration, free int, err error)
	// Take records a send starting at now if every window allows it, and
	// otherwise says how long to wait.
	Take(now time.Time) (wait time.Duration, err error)
	// History is the send times (Unix ms) to persist with the lane's store
	// writes; nil when the store keeps them itself or the lane is unpaced.
	History() []int64
}

var (
	_ Pacer = (*pacer)(nil)
	_ Pacer = (*sharedPacer)(nil)
)

// unlimited is free's answer for a lane without pacing.
const unlimited = math.MaxInt

// margin keeps the jitter between our stamp and the robot's clock (its
// window starts when the request arrives, a few milliseconds later) from
// letting two sends fall inside one of its windows.
func margin(r robot.Rate) time.Duration {
	return min(max(r.Per/50, 50*time.Millisecond), 2*time.Second)
}

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
		p.margins = append(p.margins, margin(r))
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
		return unlimited
	}
	least := unlimited
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

// Enabled reports whether the robot is paced at all.
func (p *pacer) Enabled() bool { return p.enabled() }

// Check is the wait until the next send and the sends free now.
func (p *pacer) Check(now time.Time) (time.Duration, int, error) {
	if !p.enabled() {
		return 0, unlimited, nil
	}
	return max(p.next(now).Sub(now), 0), p.free(now), nil
}

// Take records a send at now unless a window is full. A lane's only
// worker checked just before, so it never is.
func (p *pacer) Take(now time.Time) (time.Duration, error) {
	if w := p.next(now).Sub(now); w > 0 {
		return w, nil
	}
	p.record(now)
	return 0, nil
}

// History is the state to persist.
func (p *pacer) History() []int64 { return p.history() }
