package server

import (
	"time"
)

// pacer keeps a robot under its limit in every sliding window: it remembers
// the last N send times, and the next send may start once the oldest of
// them has left the window. A token bucket would allow up to 2N-1 sends in
// some window, which is exactly what gets a DingTalk robot silenced.
type pacer struct {
	rate   Rate
	margin time.Duration
	sent   []time.Time // oldest first, at most rate.N
}

func newPacer(r Rate, history []int64) *pacer {
	p := &pacer{rate: r}
	if !r.Enabled() {
		return p
	}
	// The robot's clock starts its window when the request arrives, a few
	// milliseconds after we stamp it; a margin keeps that jitter from
	// letting two sends fall inside one of its windows.
	p.margin = min(max(r.Per/50, 50*time.Millisecond), 2*time.Second)
	for _, ms := range history {
		p.sent = append(p.sent, time.UnixMilli(ms))
	}
	if len(p.sent) > r.N {
		p.sent = p.sent[len(p.sent)-r.N:]
	}
	return p
}

// next is the earliest time a send may start.
func (p *pacer) next(now time.Time) time.Time {
	if !p.rate.Enabled() || len(p.sent) < p.rate.N {
		return now
	}
	t := p.sent[0].Add(p.rate.Per + p.margin)
	if t.Before(now) {
		return now
	}
	return t
}

// free is how many sends may start now without waiting.
func (p *pacer) free(now time.Time) int {
	if !p.rate.Enabled() {
		return int(^uint(0) >> 1)
	}
	used := 0
	for _, t := range p.sent {
		if now.Sub(t) < p.rate.Per+p.margin {
			used++
		}
	}
	return p.rate.N - used
}

// record notes a send that started at t; every attempt counts, because the
// robot counts requests, not successes.
func (p *pacer) record(t time.Time) {
	if !p.rate.Enabled() {
		return
	}
	p.sent = append(p.sent, t)
	if len(p.sent) > p.rate.N {
		p.sent = p.sent[len(p.sent)-p.rate.N:]
	}
}

// history is the state to persist, so a restart does not forget a window
// that is still open.
func (p *pacer) history() []int64 {
	if !p.rate.Enabled() {
		return nil
	}
	out := make([]int64, len(p.sent))
	for i, t := range p.sent {
		out[i] = t.UnixMilli()
	}
	return out
}
