package queue

import (
	"time"

	"go.uber.org/zap"
)

// dedupWindow is how long a delivery ID is remembered.
const dedupWindow = 24 * time.Hour

// housekeep refreshes gauges and probes a failing store each second; every
// ten minutes it expires dedup IDs and, if shared, sweeps foreign lanes.
func (q *Queue) housekeep() {
	defer q.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	sweep := time.Time{}
	for {
		select {
		case <-q.stopping:
			return
		case now := <-t.C:
			for _, l := range q.lanes {
				q.gauge(l)
			}
			q.probe()
			if now.Sub(sweep) > 10*time.Minute {
				if q.shared != nil && !sweep.IsZero() {
					q.sweep() // Start swept once already
				}
				sweep = now
				n, err := q.store.Expire(q.opts.now().Add(-dedupWindow))
				q.noteWrite(err)
				if err != nil {
					q.log.Error("expiring delivery ids", zap.Error(err))
				} else if n > 0 {
					q.log.Debug("expired delivery ids", zap.Int("count", n))
				}
			}
		}
	}
}
