package queue

import (
	"slices"
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
	// Check is how long until a send may start (0: now).
	Check(now time.Time) (time.Duration, error)
	// Take records a send starting at now if every window allows it, and
	// otherwise says how long to wait.
	Take(now time.Time) (time.Duration, error)
	// History is the send times (Unix ms) to persist with the lane's store
	// writes; nil when the store keeps them itself or the lane is unpaced.
	History() []int64
}

var (
	_ Pacer = (*pacer)(nil)
	_ Pacer = (*sharedPacer)(nil)
)

// withGap adds to a paced robot's limits one send per its slowest limit's
// share of a window (3 s at 20 a minute). Sends keep that gap, and what
// arrives meanwhile goes out as one digest: a burst reaches the group as
// a message at once and a few digests seconds apart, not as a window's
// worth of messages in one second and a digest of the rest a window later.
// A trickle slower than the gap goes out message by message, at once.
func withGap(l robot.Limits) robot.Limits {
	if !l.Enabled() {
		return l
	}
	var gap time.Duration
	for _, r := range l {
		gap = max(gap, r.Per/time.Duration(r.N))
	}
	return append(slices.Clip(l), robot.Rate{N: 1, Per: gap})
}

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
	for _, ms := range history[max(len(history)-p.keep, 0):] {
		p.sent = append(p.sent, time.UnixMilli(ms))
	}
	return p
}

// Enabled reports whether the robot is paced at all.
func (p *pacer) Enabled() bool { return p.limits.Enabled() }

// Check is the wait until, for every limit, the r.N-th most recent send has
// left its window.
func (p *pacer) Check(now time.Time) (time.Duration, error) {
	at := now
	for i, r := range p.limits {
		if len(p.sent) < r.N {
			continue
		}
		if t := p.sent[len(p.sent)-r.N].Add(r.Per + p.margins[i]); t.After(at) {
			at = t
		}
	}
	return at.Sub(now), nil
}

// Take records a send at now unless a window is full. Every attempt
// counts, because the robot counts requests, not successes.
func (p *pacer) Take(now time.Time) (time.Duration, error) {
	if w, _ := p.Check(now); w > 0 || !p.Enabled() {
		return w, nil
	}
	p.sent = append(p.sent, now)
	p.sent = p.sent[max(len(p.sent)-p.keep, 0):]
	return 0, nil
}

// History is the state to persist, so a restart does not forget a window
// that is still open.
func (p *pacer) History() []int64 {
	if !p.Enabled() {
		return nil
	}
	out := make([]int64, len(p.sent))
	for i, t := range p.sent {
		out[i] = t.UnixMilli()
	}
	return out
}

// sharedPacer paces a lane through a shared store: its window of send times
// lives there, at the store's clock, and a send is recorded by the same
// atomic step that checks the window (and the lane's lease), so however
// many replicas take turns at a robot, it never gets more than its limit.
type sharedPacer struct {
	st   Shared
	lane string
	// windows are the robot's limits with the margins added.
	windows robot.Limits
}

func newSharedPacer(st Shared, lane string, l robot.Limits) *sharedPacer {
	p := &sharedPacer{st: st, lane: lane}
	for _, r := range l {
		p.windows = append(p.windows, robot.Rate{N: r.N, Per: r.Per + margin(r)})
	}
	return p
}

// Enabled reports whether the lane is paced at all.
func (p *sharedPacer) Enabled() bool { return len(p.windows) > 0 }

// Check asks the store; an unpaced lane costs no round trip.
func (p *sharedPacer) Check(time.Time) (time.Duration, error) {
	return p.slot(false)
}

// Take records a send in the store if the windows allow it and this
// replica still holds the lane (store.ErrLeaseLost otherwise).
func (p *sharedPacer) Take(time.Time) (time.Duration, error) {
	return p.slot(true)
}

func (p *sharedPacer) slot(take bool) (time.Duration, error) {
	if !p.Enabled() {
		return 0, nil
	}
	wait, _, err := p.st.Slot(p.lane, p.windows, take)
	return wait, err
}

// History is nil: the store keeps the send times.
func (p *sharedPacer) History() []int64 { return nil }
