package queue

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/store"
)

// recover indexes pending messages, reading only lanes no robot has; a removed
// robot's stay (logged) until RetryMaxAge, so a mistake loses nothing.
func (q *Queue) recover() error {
	var unknown []uint64
	err := q.store.(Local).Backlog(func(lane string, id uint64, created time.Time) error {
		if l := q.byKey[lane]; l != nil {
			l.spilled = append(l.spilled, spilled{id: id, created: created})
		} else {
			unknown = append(unknown, id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("queue: loading pending deliveries: %w", err)
	}
	orphans := map[string]int{}
	var expired []*store.Item // orphans past RELAY_RETRY_MAX_AGE
	now := q.opts.now()
	for batch := range slices.Chunk(unknown, 500) {
		items, err := q.store.Load(batch)
		if err != nil {
			return fmt.Errorf("queue: loading pending deliveries: %w", err)
		}
		for _, it := range slices.DeleteFunc(items, func(it *store.Item) bool { return it == nil }) {
			switch l := q.laneFor(it); {
			case l != nil:
				l.spilled = append(l.spilled, spilled{id: it.ID, created: it.Created})
			case now.Sub(it.Created) > q.opts.RetryMaxAge:
				expired = append(expired, it)
			default:
				orphans[it.Robot]++
			}
		}
	}
	for name, n := range orphans {
		q.log.Warn("pending messages for a robot that is no longer configured stay in the store", zap.String("robot", name), zap.Int("messages", n))
	}
	if err := q.buryOrphans(expired); err != nil {
		return fmt.Errorf("queue: dead-lettering messages of removed robots: %w", err)
	}
	for _, l := range q.lanes {
		// Arrival order across the lanes the items were found in.
		slices.SortFunc(l.spilled, func(a, b spilled) int { return cmp.Compare(a.id, b.id) })
		q.gauge(l)
		if n := len(l.items) + len(l.spilled); n > 0 {
			q.log.Info("resuming pending messages", zap.String("robot", l.robot.Name), zap.Int("messages", n))
		}
	}
	return nil
}

// buryOrphans dead-letters robots' messages gone past RetryMaxAge (replayable).
func (q *Queue) buryOrphans(items []*store.Item, fields ...zap.Field) error {
	now := q.opts.now()
	for _, it := range items {
		it.LastError = fmt.Sprintf("its robot is no longer configured in RELAY_ROBOTS (and the message is older than RELAY_RETRY_MAX_AGE, %s)", q.opts.RetryMaxAge)
		it.DeadAt, it.Reason = now, "orphaned"
		q.m.DeadLetters.WithLabelValues(it.Robot, "orphaned").Inc()
	}
	for batch := range slices.Chunk(items, 1000) { // one commit per thousand
		if err := q.store.Bury(batch, "", nil); err != nil {
			return err
		}
	}
	if len(items) > 0 {
		q.log.Warn("messages of robots no longer configured, older than RELAY_RETRY_MAX_AGE, were dead-lettered", append(fields, zap.Int("messages", len(items)))...)
	}
	return nil
}

// laneFor finds an item's lane (default names are positions a removal shifts):
// by name if that robot has its fingerprint or a chosen name= (or the item
// predates fingerprints), else the one robot with it, else none (stays).
func (q *Queue) laneFor(it *store.Item) *lane {
	l := q.lanes[it.Robot]
	if it.Dest == "" || (l != nil && (l.robot.Fingerprint == it.Dest || l.robot.Named)) {
		return l
	}
	if ls := q.byDest[it.Dest]; len(ls) == 1 {
		it.Robot = ls[0].robot.Name
		return ls[0]
	}
	return nil
}
