package queue

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/store"
)

// laneKeys keys lanes by name= (survives a token change), else fingerprint
// (default names are positions); unnamed duplicates pace apart, by name.
func laneKeys(robots []robot.Robot) map[string]string {
	count := map[string]int{}
	for _, r := range robots {
		count[r.Fingerprint]++
	}
	keys := make(map[string]string, len(robots))
	for _, r := range robots {
		if r.Named || r.Fingerprint == "" || count[r.Fingerprint] > 1 {
			keys[r.Name] = "name:" + r.Name
		} else {
			keys[r.Name] = "dest:" + r.Fingerprint
		}
	}
	return keys
}

// LaneOf is the shared store's lane for an item, found as recover finds it
// (may rename it.Robot); an unconfigured robot's item waits in its lane.
func (q *Queue) LaneOf(it *store.Item) string {
	if l := q.laneFor(it); l != nil {
		return l.key
	}
	if it.Dest != "" {
		return "dest:" + it.Dest
	}
	return "name:" + it.Robot
}

// refillShared reads more once memory drains to half of resident.
func (q *Queue) refillShared(l *lane) {
	l.mu.Lock()
	t := &l.tail
	more := t.rest
	if t.stale {
		more = q.opts.resident
	}
	n, reserved := q.wants(l, more)
	if n == 0 {
		l.mu.Unlock()
		return
	}
	after, gen := t.cursor, l.gen
	l.refilling, t.stale = true, false // a wake during the read sets it again
	l.mu.Unlock()

	items, last, rest, err := q.shared.Next(l.key, after, n)

	l.mu.Lock()
	defer l.mu.Unlock()
	l.refilling = false
	q.mem.used.Add(-reserved)
	if gen != l.gen {
		return // the lease changed hands meanwhile
	}
	if err != nil {
		t.stale, t.failed = true, true
		q.log.Debug("reading queued messages from the shared store", zap.String("robot", l.robot.Name), zap.Error(err))
		return
	}
	t.failed = false
	for _, it := range items {
		it.Robot = l.robot.Name // moved from an older name
		q.hold(l, it, true)
	}
	t.cursor, t.rest = last, rest
	q.gaugeLocked(l)
}

// watch wakes held lanes: one subscription, so idle costs nothing per robot.
func (q *Queue) watch(ctx context.Context) {
	defer q.sharedWG.Done()
	q.shared.Watch(ctx, func(key string) {
		if key == "" {
			for _, l := range q.order {
				q.poke(l)
			}
		} else if l := q.byKey[key]; l != nil {
			q.poke(l)
		}
	})
}

// poke tells a held lane that the store may have more for it.
func (q *Queue) poke(l *lane) {
	l.mu.Lock()
	held := time.Now().Before(l.heldUntil)
	if held {
		l.tail.stale = true
	}
	l.mu.Unlock()
	if held {
		signal(l.wake)
	}
}

// sweep moves unheld foreign lanes' messages to their robot's lane (as recover
// finds it), buries those past RetryMaxAge and logs the rest.
func (q *Queue) sweep() {
	keys, err := q.shared.Lanes()
	if err != nil {
		q.log.Warn("listing the shared store's lanes", zap.Error(err))
		return
	}
	for _, key := range keys {
		if q.byKey[key] != nil {
			continue
		}
		held, err := q.shared.Hold([]string{key}, q.opts.leaseTTL)
		if err != nil || !held[0] {
			continue
		}
		q.sweepLane(key)
		if err := q.shared.Release([]string{key}); err != nil {
			q.log.Warn("releasing a swept lane", zap.String("lane", key), zap.Error(err))
		}
	}
}

func (q *Queue) sweepLane(key string) {
	now := q.opts.now()
	moved, left := map[string]int{}, 0
	var expired []*store.Item
	for after := uint64(0); ; {
		items, last, rest, err := q.shared.Next(key, after, 500)
		if err != nil {
			q.log.Warn("reading a lane of a robot that is not configured", zap.String("lane", key), zap.Error(err))
			return
		}
		to := map[*lane][]*store.Item{}
		for _, it := range items {
			switch l := q.laneFor(it); {
			case l != nil:
				to[l] = append(to[l], it)
			case now.Sub(it.Created) > q.opts.RetryMaxAge:
				expired = append(expired, it)
			default:
				left++
			}
		}
		for l, its := range to {
			n, err := q.shared.Move(its, key, l.key)
			if err != nil {
				q.log.Warn("moving a backlog to its robot", zap.String("robot", l.robot.Name), zap.Error(err))
				return
			}
			moved[l.robot.Name] += n
		}
		if rest == 0 || last == after {
			break
		}
		after = last
	}
	for name, n := range moved {
		q.log.Info("moved a backlog to the robot it belongs to now", zap.String("robot", name), zap.String("from", key), zap.Int("messages", n))
	}
	if err := q.buryOrphans(expired, zap.String("lane", key)); err != nil {
		q.log.Warn("dead-lettering messages of a removed robot", zap.Error(err))
	}
	if left > 0 {
		q.log.Warn("pending messages for a robot that is no longer configured stay in the store", zap.String("lane", key), zap.Int("messages", left))
		return
	}
	if _, err := q.shared.Forget(key); err != nil {
		q.log.Debug("forgetting an empty lane", zap.String("lane", key), zap.Error(err))
	}
}
