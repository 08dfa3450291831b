package queue

import (
	"time"
)

// WithResident is o keeping resident messages per robot in memory and
// merging at most maxDigest into one digest, so tests reach the spill and
// refill paths with a few messages.
func WithResident(o Options, resident, maxDigest int) Options {
	o.resident, o.maxDigestItems = resident, maxDigest
	return o
}

// WithFirstWait is o waiting d after a first failure.
func WithFirstWait(o Options, d time.Duration) Options {
	o.firstWait = d
	return o
}

// WithClock is o reading the time from now.
func WithClock(o Options, now func() time.Time) Options {
	o.now = now
	return o
}

// WithLease is o with leases on shared lanes lasting ttl, renewed every
// each, so takeover tests take a second instead of ten.
func WithLease(o Options, ttl, each time.Duration) Options {
	o.leaseTTL, o.leaseEvery = ttl, each
	return o
}

// Crash stops q as a killed process would stop: nothing more is sent or
// renewed, and nothing is released or flushed.
func Crash(q *Queue) {
	q.stopOnce.Do(func() { close(q.stopping) })
	q.hardCancel()
	q.wg.Wait()
	if q.stopShared != nil {
		q.stopShared()
		q.sharedWG.Wait()
		q.stopShared = nil // Close only closes the store
	}
}

// WithMemory is o keeping at most bytes of messages in memory across
// every robot.
func WithMemory(o Options, bytes int64) Options {
	o.memory = bytes
	return o
}

// MemoryUsed is what the lanes' messages take now by the budget's count.
func MemoryUsed(q *Queue) int64 { return q.mem.used.Load() }

// Depth is how many messages wait for robots: with a shared store, for
// every replica's robots (this replica's view if the store cannot answer).
func (q *Queue) Depth() int {
	if q.shared != nil {
		if _, total, err := q.shared.List(0); err == nil {
			return total
		}
	}
	n := 0
	for _, l := range q.lanes {
		l.mu.Lock()
		n += len(l.items) + l.beyond()
		l.mu.Unlock()
	}
	return n
}
