package queue

import (
	"errors"
	"time"

	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/store"
)

// History keeps delivered messages for the console, bounded by count and age.
type History interface {
	// Record adds without waiting for the commit; done must not block.
	Record(e store.Sent, done func(error))
	// History lists up to limit of robot's ("" all), newest first.
	History(robot string, limit int, now time.Time) ([]store.Sent, error)
}

var _ History = (*store.Store)(nil)

// deadScan bounds the dead letters one RetryRobot decodes.
const deadScan = 10_000

// record keeps a delivered group's wire body (as posted, bar the signature).
func (q *Queue) record(l *lane, g *group, at time.Time) {
	if q.opts.History == nil || l.robot.Endpoint == nil {
		return
	}
	body, err := l.robot.Endpoint.Body(g.msg, g.uuid)
	if err != nil {
		q.log.Warn("history: building the sent body", zap.String("robot", l.robot.Name), zap.Error(err))
		return
	}
	e := store.Sent{Robot: l.robot.Name, At: at, Created: g.items[0].Created, Attempts: g.items[0].Attempts + 1,
		Target: g.msg.Target, Title: g.msg.Title, Body: body, Items: make([]store.SentItem, len(g.items))}
	for i, it := range g.items {
		e.Items[i] = store.SentItem{Delivery: it.Delivery, Event: it.Event, Action: it.Action}
	}
	q.opts.History.Record(e, func(err error) {
		if err != nil {
			q.log.Warn("history: recording a sent message", zap.String("robot", l.robot.Name), zap.Error(err))
		}
	})
}

// Sent lists up to limit messages sent to robot ("" for all), newest first.
func (q *Queue) Sent(robot string, limit int) ([]store.Sent, error) {
	if q.opts.History == nil {
		return nil, nil
	}
	return q.opts.History.History(robot, limit, q.opts.now())
}

// RetryRobot requeues up to limit of the robot's oldest dead letters (within
// deadScan) as Retry does, returning moved and still-dead counts.
func (q *Queue) RetryRobot(name string, limit int) (moved, left int, err error) {
	l, ok := q.lanes[name]
	if !ok {
		return 0, 0, ErrUnknownRobot
	}
	dead, _, err := q.store.Dead(deadScan)
	if err != nil {
		return 0, 0, err
	}
	for _, it := range dead {
		if q.laneFor(it) != l {
			continue
		}
		if moved == limit {
			left++
			continue
		}
		switch _, err := q.Retry(it.ID); {
		case errors.Is(err, store.ErrNotFound):
			// Replayed by someone else meanwhile.
		case err != nil:
			return moved, left, err
		default:
			moved++
		}
	}
	return moved, left, nil
}
