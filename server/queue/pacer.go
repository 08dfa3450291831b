package queue

import (
	"slices"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
)

// withGap adds to a paced robot's limits one send per its slowest limit's
// share of a window (3 s at 20 a minute); what arrives meanwhile goes out
// as one digest (see form). A burst thus reaches the group as a message at
// once and a few digests seconds apart, not as a window's worth of messages
// in one second; a trickle slower than the gap goes out as it comes.
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

// pacer keeps a lane under each of its robot's limits in every sliding
// window: the next send may start once, for every limit, the send that
// would make one too many has left that limit's window (a token bucket
// would allow up to 2N-1 sends in some window, which gets a DingTalk robot
// silenced). It remembers the last sends itself and has them persisted
// with the lane's store writes; with a shared store they live there, at its
// clock, and the atomic step that checks the windows (and the lane's
// lease) records the send, so however many replicas take turns at a
// robot, it never gets more than its limit.
type pacer struct {
	// windows are the robot's limits, each with a margin: the jitter
	// between our stamp and the robot's clock (its window starts when the
	// request arrives, a few milliseconds later) must not let two sends
	// fall inside one of its windows.
	windows robot.Limits
	keep    int         // the largest N
	sent    []time.Time // oldest first, at most keep
	shared  Shared      // nil with a local store
	lane    string      // the lane's key in shared
}

func newPacer(l robot.Limits, history []int64, shared Shared, lane string) *pacer {
	p := &pacer{shared: shared, lane: lane}
	for _, r := range l {
		margin := min(max(r.Per/50, 50*time.Millisecond), 2*time.Second)
		p.windows = append(p.windows, robot.Rate{N: r.N, Per: r.Per + margin})
		p.keep = max(p.keep, r.N)
	}
	for _, ms := range history[max(len(history)-p.keep, 0):] {
		p.sent = append(p.sent, time.UnixMilli(ms))
	}
	return p
}

// enabled reports whether the robot is paced at all.
func (p *pacer) enabled() bool { return len(p.windows) > 0 }

// check is the wait until a send may start: until, for every limit, the
// r.N-th most recent send has left its window.
func (p *pacer) check(now time.Time) (time.Duration, error) {
	if p.shared != nil {
		return p.slot(false)
	}
	at := now
	for _, r := range p.windows {
		if len(p.sent) < r.N {
			continue
		}
		if t := p.sent[len(p.sent)-r.N].Add(r.Per); t.After(at) {
			at = t
		}
	}
	return at.Sub(now), nil
}

// take records a send starting at now if every window allows it, and
// otherwise says how long to wait; a shared store refuses it once this
// replica lost the lease (store.ErrLeaseLost). Every attempt counts: the
// robot counts requests, not successes.
func (p *pacer) take(now time.Time) (time.Duration, error) {
	if p.shared != nil {
		return p.slot(true)
	}
	if w, _ := p.check(now); w > 0 || !p.enabled() {
		return w, nil
	}
	p.sent = append(p.sent, now)
	p.sent = p.sent[max(len(p.sent)-p.keep, 0):]
	return 0, nil
}

// slot asks the shared store; an unpaced lane costs no round trip.
func (p *pacer) slot(take bool) (time.Duration, error) {
	if !p.enabled() {
		return 0, nil
	}
	wait, _, err := p.shared.Slot(p.lane, p.windows, take)
	return wait, err
}

// history is the send times (Unix ms) to persist with the lane's store
// writes, so a restart does not forget a window that is still open; nil
// when the lane is unpaced or a shared store keeps them.
func (p *pacer) history() []int64 {
	if !p.enabled() || p.shared != nil {
		return nil
	}
	out := make([]int64, len(p.sent))
	for i, t := range p.sent {
		out[i] = t.UnixMilli()
	}
	return out
}
