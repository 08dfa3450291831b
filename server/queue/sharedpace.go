package queue

import (
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
)

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
	if !p.Enabled() {
		return 0, nil
	}
	wait, _, err := p.st.Slot(p.lane, p.windows, false)
	return wait, err
}

// Take records a send in the store if the windows allow it and this
// replica still holds the lane (store.ErrLeaseLost otherwise).
func (p *sharedPacer) Take(time.Time) (time.Duration, error) {
	if !p.Enabled() {
		return 0, nil
	}
	wait, _, err := p.st.Slot(p.lane, p.windows, true)
	return wait, err
}

// History is nil: the store keeps the send times.
func (p *sharedPacer) History() []int64 { return nil }
