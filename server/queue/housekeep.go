package queue

import (
	"time"

	"go.uber.org/zap"
)

// dedupWindow is how long a delivery ID is remembered.
const dedupWindow = 24 * time.Hour

// housekeep refreshes every lane's gauges each second (the oldest message
// ages without any event), probes the store each second while its writes
// fail (see Ready) and forgets delivery IDs past dedupWindow every ten
// minutes (and, with a shared store, sweeps lanes of robots this replica
// does not have).
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
