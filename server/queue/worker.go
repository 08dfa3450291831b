package queue

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/translate"
)

// What the queue asks of a Sender's errors (robot.Error has all three).
type retryable interface{ Retryable() bool }
type retryAfter interface{ RetryAfter() time.Duration }
type errCoder interface{ ErrCode() int }

// group is what one send carries: one item or a digest, kept across retries.
type group struct {
	items []*store.Item
	msg   translate.Message
	uuid  string
	// failure, streak: last failure kind and its run (see nextWait).
	failure string
	streak  int
	next    time.Time
	gen     uint64 // the lane's generation the items were taken in (see current)
}

// work is one worker of a lane: a paced lane has one (strict order), inflight=N
// has N; with a shared store it sends only while this replica holds the lease.
func (q *Queue) work(l *lane) {
	defer q.wg.Done()
	var g *group // the send in progress, kept across its retries
	for q.Accepting() && q.step(l, &g) {
	}
}

// step waits (lease, message, retry, window) or sends; false when stopping.
func (q *Queue) step(l *lane, gp **group) bool {
	held, gen := q.current(l)
	if *gp != nil && (*gp).gen != gen {
		*gp = nil // the lane was read afresh: the group is in it again
	}
	if !held {
		return q.waitLease(l)
	}
	if *gp == nil && (!q.await(l) || !q.Accepting()) {
		return false
	}
	now := q.opts.now()
	if g := *gp; g != nil && g.next.After(now) {
		l.stats.set(StateBackoff, g.next)
		return q.sleep(g.next.Sub(now))
	}
	wait, err := l.pacer.check(now)
	if err != nil {
		return q.paceFailed(l, err)
	}
	if wait > 0 {
		q.m.ThrottleWaits.WithLabelValues(l.robot.Name).Inc()
		l.stats.set(StatePaced, now.Add(wait))
		return q.sleep(wait)
	}
	if *gp == nil {
		if *gp, err = q.form(l, now); err != nil {
			// form fell back to sending the head message alone.
			q.log.Error("rendering digest", zap.String("robot", l.robot.Name), zap.Error(err))
		}
		if *gp == nil || (*gp).next.After(now) {
			return true // nothing, or a wait another replica began
		}
	}
	// Check and Take differ only for a shared window another replica may
	// have filled just before losing the lease: wait like any throttle.
	if wait, err := l.pacer.take(now); err != nil {
		return q.paceFailed(l, err)
	} else if wait > 0 {
		return q.sleep(wait)
	}
	// The robot counts a request on arrival, so the window with this send is
	// committed before it leaves: a crash cannot leave a restart one send
	// short of the robot's count. A failed write waits a second, still counted.
	if h := l.pacer.history(); h != nil {
		if err := q.store.Update(nil, l.robot.Name, h); err != nil {
			return q.paceFailed(l, err)
		}
	}
	l.stats.set(StateSending, time.Time{})
	if q.send(l, *gp, now) {
		*gp = nil
		l.stats.set(StateIdle, time.Time{})
	}
	return true
}

// paceFailed handles an uncheckable shared window; false when stopping.
func (q *Queue) paceFailed(l *lane, err error) bool {
	if errors.Is(err, store.ErrLeaseLost) {
		q.lost(l)
		return true
	}
	q.noteWrite(err)
	q.log.Debug("pacing through the shared store", zap.String("robot", l.robot.Name), zap.Error(err))
	return q.sleep(time.Second)
}

// await blocks until the lane has an unclaimed message; false when stopping.
// A shared lane also returns on lease loss and polls every few minutes in
// case a wake-up was lost (see Shared.Watch).
func (q *Queue) await(l *lane) bool {
	var poll <-chan time.Time
	if q.shared != nil {
		t := time.NewTicker(q.opts.leaseEvery * time.Duration(pollEvery+rand.IntN(pollEvery)))
		defer t.Stop()
		poll = t.C
	}
	for {
		q.refill(l)
		l.mu.Lock()
		untaken := len(l.items) - l.taken
		more := (len(l.spilled) > 0 || l.tail.rest > 0 || q.shared != nil && l.tail.stale) && !l.refilling
		failed := l.tail.failed
		held := q.shared == nil || time.Now().Before(l.heldUntil)
		l.mu.Unlock()
		if untaken > 1 && l.inflight > 1 {
			signal(l.wake) // pushes wake one worker; pass it on
		}
		if untaken > 0 || !held {
			return true
		}
		if more {
			d := 100 * time.Millisecond
			if failed {
				d = time.Second
			}
			if !q.sleep(d) {
				return false
			}
			continue
		}
		select {
		case <-l.wake:
		case <-poll:
			l.mu.Lock()
			l.tail.stale = true
			l.mu.Unlock()
		case <-q.stopping:
			return false
		}
	}
}

// sleep waits d, or returns false when the queue is stopping.
func (q *Queue) sleep(d time.Duration) bool {
	if d <= 0 {
		return q.Accepting()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-q.stopping:
		return false
	}
}

// send makes one attempt; true when the group is delivered or dead-lettered.
func (q *Queue) send(l *lane, g *group, now time.Time) bool {
	kind := l.robot.KindName()
	ctx, cancel := context.WithTimeout(q.hard, q.opts.SendTimeout)
	err := l.sender.Send(ctx, g.msg, g.uuid)
	cancel()
	l.duration.Observe(q.opts.now().Sub(now).Seconds())
	code, errcode := "", errCode(err)
	if errcode != 0 {
		code = strconv.Itoa(errcode)
	}
	switch {
	case err == nil:
		l.mu.Lock()
		settleLocked(l, g)
		l.ahead = true
		l.mu.Unlock()
		l.sentOK.Inc()
		l.stats.sent(now, "ok", 0, nil)
		q.record(l, g, now)
		q.store.Done(g.items, l.robot.Name, l.pacer.history(), func(err error) {
			q.noteWrite(err)
			if err != nil {
				// Sent but still stored: resent after restart (at-least-once).
				q.log.Error("removing delivered messages from the store", zap.String("robot", l.robot.Name), zap.Error(err))
			}
		})
		q.log.Debug("sent", zap.String("robot", l.robot.Name), zap.Int("messages", len(g.items)))
		q.pop(l, g)
		return true
	case isRetryable(err):
		q.m.Sends.WithLabelValues(l.robot.Name, kind, "retry", code).Inc()
		l.stats.sent(now, "retry", errcode, err)
		if q.opts.now().Sub(g.items[0].Created) > q.opts.RetryMaxAge {
			q.bury(l, g, "expired", fmt.Errorf("gave up after %s: %w", q.opts.RetryMaxAge, err))
			return true
		}
		q.retryLater(l, g, err)
		return false
	default:
		q.m.Sends.WithLabelValues(l.robot.Name, kind, "failed", code).Inc()
		l.stats.sent(now, "failed", errcode, err)
		q.bury(l, g, "permanent", err)
		return true
	}
}

// errCode is the service's error code err carries, 0 for none.
func errCode(err error) int {
	var ec errCoder
	if errors.As(err, &ec) {
		return ec.ErrCode()
	}
	return 0
}

func isRetryable(err error) bool {
	var r retryable
	if errors.As(err, &r) {
		return r.Retryable()
	}
	// Unclassified errors are transient: a retry beats a lost message.
	return true
}

// retryLater records a failed attempt and schedules the next one.
func (q *Queue) retryLater(l *lane, g *group, cause error) {
	wait := q.nextWait(g, cause)
	g.next = q.opts.now().Add(wait)
	l.mu.Lock() // the admin listing reads these
	for _, it := range g.items {
		it.Attempts++
		// Stored so a takeover waits it out: DingTalk's throttle grows if hit.
		it.LastError, it.ErrCode, it.NotBefore = cause.Error(), errCode(cause), g.next
	}
	l.mu.Unlock()
	q.m.Retries.WithLabelValues(l.robot.Name).Inc()
	q.evict(l)
	err := q.store.Update(g.items, l.robot.Name, l.pacer.history())
	q.noteWrite(err)
	if err != nil {
		q.log.Error("recording a failed attempt", zap.String("robot", l.robot.Name), zap.Error(err))
	}
	q.log.Warn("send failed, will retry",
		zap.String("robot", l.robot.Name), zap.Int("messages", len(g.items)),
		zap.Int("attempts", g.items[0].Attempts), zap.Duration("wait", wait), zap.Error(cause))
}

// bury dead-letters a group that will not be sent.
func (q *Queue) bury(l *lane, g *group, reason string, cause error) {
	now := q.opts.now()
	l.mu.Lock() // the admin listing reads these
	for _, it := range g.items {
		it.Attempts++
		it.LastError, it.ErrCode, it.Reason = cause.Error(), errCode(cause), reason
		it.DeadAt = now
	}
	settleLocked(l, g)
	l.mu.Unlock()
	err := q.store.Bury(g.items, l.robot.Name, l.pacer.history())
	q.noteWrite(err)
	if err != nil {
		q.log.Error("dead-lettering", zap.String("robot", l.robot.Name), zap.Error(err))
	}
	q.m.DeadLetters.WithLabelValues(l.robot.Name, reason).Add(float64(len(g.items)))
	q.log.Error("message dead-lettered",
		zap.String("robot", l.robot.Name), zap.String("reason", reason),
		zap.Int("messages", len(g.items)), zap.String("delivery", g.items[0].Delivery), zap.Error(cause))
	q.pop(l, g)
}
