package queue

import (
	"context"
	"time"

	"go.uber.org/zap"
)

// Only a shared lane's lease holder sends. Leases last leaseTTL, renewed every
// leaseEvery, so a dead replica hands over within leaseTTL; the holder stops
// a tenth of leaseTTL early (timed from before the request), before anyone
// may start. Paced sends are also fenced in the store (see sharedPacer).
const (
	defaultLeaseTTL   = 10 * time.Second
	defaultLeaseEvery = time.Second
	// pollEvery is, in lease periods, how often an idle shared lane polls.
	pollEvery = 300
)

// holdLeases renews every lease in one round trip, waking changed lanes.
func (q *Queue) holdLeases() {
	start := time.Now()
	held, err := q.shared.Hold(q.keys, q.opts.leaseTTL)
	q.noteWrite(err)
	if err != nil {
		// Drop expired leases so relay_lease_held stays true.
		for _, l := range q.order {
			l.mu.Lock()
			over := !l.heldUntil.IsZero() && start.After(l.heldUntil)
			l.mu.Unlock()
			if over {
				q.lost(l)
			}
		}
		return
	}
	for i, l := range q.order {
		l.mu.Lock()
		was := time.Now().Before(l.heldUntil)
		if held[i] {
			if !was {
				l.leaseGen++
			}
			l.heldUntil = start.Add(q.opts.leaseTTL - q.opts.leaseTTL/10)
		} else {
			l.heldUntil = time.Time{}
		}
		l.mu.Unlock()
		if was != held[i] {
			q.leaseChanged(l, held[i])
		}
	}
}

func (q *Queue) leaseChanged(l *lane, held bool) {
	v := 0.0
	if held {
		v = 1
	}
	q.m.LeaseHeld.WithLabelValues(l.robot.Name).Set(v)
	q.log.Info("robot lease", zap.String("robot", l.robot.Name), zap.Bool("held", held))
	signal(l.wake)
}

// lost drops the lane's lease (held elsewhere, or expired while unreachable).
func (q *Queue) lost(l *lane) {
	l.mu.Lock()
	was := !l.heldUntil.IsZero()
	l.heldUntil = time.Time{}
	l.mu.Unlock()
	if was {
		q.leaseChanged(l, false)
	}
}

// current reports whether this replica may send for l now and its memory's
// generation. Memory is dropped when the lease is not held or was regained
// since it was read (another replica may have sent meanwhile).
func (q *Queue) current(l *lane) (bool, uint64) {
	if q.shared == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	held := time.Now().Before(l.heldUntil)
	if !held || l.gen != l.leaseGen {
		q.release(l.items)
		clear(l.items)
		l.items, l.taken, l.settled, l.tail = nil, 0, 0, tail{stale: true}
		l.gen = l.leaseGen
		if !held {
			l.gen-- // gained again, leaseGen moves on: read afresh then too
		}
		q.gaugeLocked(l)
	}
	return held, l.gen
}

// waitLease waits for the lane's lease to change; false when stopping.
func (q *Queue) waitLease(l *lane) bool {
	select {
	case <-l.wake:
	case <-q.stopping:
		return false
	}
	return true
}

func (q *Queue) leases(ctx context.Context) {
	defer q.sharedWG.Done()
	t := time.NewTicker(q.opts.leaseEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			q.holdLeases()
		}
	}
}
