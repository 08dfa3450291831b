package queue

import (
	"sync"
	"time"
)

// What a robot's worker does (RobotState.State): paced waits for its window,
// backoff for a retry (DingTalk's ten-minute 130101 throttle included).
const (
	StateIdle    = "idle"
	StateSending = "sending"
	StatePaced   = "paced"
	StateBackoff = "backoff"
)

// RobotState is one robot's delivery for the console overview (a copy).
type RobotState struct {
	Robot string `json:"robot"`
	// Depth is how many messages wait, OldestAge how long the oldest has.
	Depth     int     `json:"depth"`
	OldestAge float64 `json:"oldest_age_seconds"`
	// State is a State* (latest worker's); Until ends a pace/backoff wait.
	State string    `json:"state"`
	Until time.Time `json:"until,omitzero"`
	// Last is the latest send since start-up; nil before the first.
	Last *LastSend `json:"last,omitempty"`
	// Hour counts the sends of the last hour by outcome.
	Hour SendCounts `json:"last_hour"`
}

// LastSend is the outcome of one send.
type LastSend struct {
	At time.Time `json:"at"`
	// Result is "ok", "retry" or "failed" (dead), as in relay_sends_total.
	Result  string `json:"result"`
	ErrCode int    `json:"errcode,omitempty"`
	Error   string `json:"error,omitempty"`
}

// SendCounts are sends by outcome.
type SendCounts struct {
	OK      int `json:"ok"`
	Failed  int `json:"failed"`
	Retried int `json:"retried"`
}

// laneStats is a lane's send record, its own lock kept apart from intake's.
type laneStats struct {
	mu    sync.Mutex
	state string
	until time.Time
	last  *LastSend
	// minutes is a ring of per-minute sends indexed by Unix minute mod 60.
	minutes [60]struct {
		minute int64
		counts SendCounts
	}
}

func (s *laneStats) set(state string, until time.Time) {
	s.mu.Lock()
	s.state, s.until = state, until
	s.mu.Unlock()
}

func (s *laneStats) sent(now time.Time, result string, code int, err error) {
	last := &LastSend{At: now, Result: result, ErrCode: code}
	if err != nil {
		last.Error = err.Error()
	}
	m := now.Unix() / 60
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = last
	slot := &s.minutes[m%60]
	if slot.minute != m {
		slot.minute, slot.counts = m, SendCounts{}
	}
	switch result {
	case "ok":
		slot.counts.OK++
	case "retry":
		slot.counts.Retried++
	default:
		slot.counts.Failed++
	}
}

func (s *laneStats) read(now time.Time, st *RobotState) {
	m := now.Unix() / 60
	s.mu.Lock()
	defer s.mu.Unlock()
	st.State, st.Until = s.state, s.until
	if st.State == "" {
		st.State = StateIdle
	}
	if st.State == StatePaced || st.State == StateBackoff {
		if !st.Until.After(now) {
			// The wait is over; the worker is about to move on.
			st.State, st.Until = StateSending, time.Time{}
		}
	} else {
		st.Until = time.Time{}
	}
	if s.last != nil {
		l := *s.last
		st.Last = &l
	}
	for _, slot := range s.minutes {
		if slot.minute > m-60 && slot.minute <= m {
			st.Hour.OK += slot.counts.OK
			st.Hour.Failed += slot.counts.Failed
			st.Hour.Retried += slot.counts.Retried
		}
	}
}

// Snapshot is every robot's delivery state, in configuration order.
func (q *Queue) Snapshot() []RobotState {
	now := q.opts.now()
	out := make([]RobotState, 0, len(q.order))
	for _, l := range q.order {
		st := RobotState{Robot: l.robot.Name}
		l.mu.Lock()
		st.Depth = len(l.items) - l.settled + len(l.spilled)
		switch {
		case len(l.items) > l.settled:
			// Settled items are taken first: the next is the oldest waiting.
			st.OldestAge = now.Sub(l.items[l.settled].Created).Seconds()
		case len(l.spilled) > 0:
			st.OldestAge = now.Sub(l.spilled[0].created).Seconds()
		}
		l.mu.Unlock()
		l.stats.read(now, &st)
		if st.Depth == 0 && st.State == StateSending {
			st.State = StateIdle
		}
		out = append(out, st)
	}
	return out
}
