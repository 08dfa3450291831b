package queue

import (
	"slices"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
)

// withGap spaces sends by the slowest limit's share (3 s at 20/min): a burst
// goes out as a message and a few digests (form), a slow trickle as it comes.
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

// pacer keeps a lane under every limit in every sliding window (a token bucket
// allows 2N-1, which silences DingTalk). Send times persist with the lane's
// writes; a shared store checks windows and lease and records the send in
// one atomic step, so no number of replicas exceeds the limit.
type pacer struct {
	// windows are the limits plus a margin for the robot's arrival jitter.
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

func (p *pacer) enabled() bool { return len(p.windows) > 0 }

// check waits until each limit's N-th latest send has left its window.
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

// take records a send if the windows allow, else says how long to wait. The
// robot counts requests, not successes, so every attempt counts.
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

// history is the send times (Unix ms) persisted so a restart keeps open
// windows; nil when unpaced or a shared store keeps them.
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
