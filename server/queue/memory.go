package queue

import (
	"sync/atomic"

	"github.com/coding-relay/coding-relay/server/store"
)

// All lanes hold at most Options.memory bytes; the rest waits in the store. A
// lane may always hold its next message and reads ahead only while its robot
// accepts (lane.ahead), so a thousand robots that are down cost one each.

// defaultMemory is Options.memory's default: some 8,000 typical messages.
const defaultMemory = 16 << 20

// budget counts the bytes lanes hold or are reading back.
type budget struct {
	used  atomic.Int64
	limit int64
	avg   atomic.Int64 // about what a message takes, for reserve
}

// reserve takes room for up to n usual-size messages before a read, so
// concurrent reads fit together (force: one regardless); returns n and bytes.
func (b *budget) reserve(n int, force bool) (int, int64) {
	avg := max(b.avg.Load(), 1024)
	k := min(int64(n), (b.limit-b.used.Load())/avg)
	if k < 1 {
		if !force {
			return 0, 0
		}
		k = 1
	}
	b.used.Add(k * avg)
	return int(k), k * avg
}

// cost is about what a held item takes, from immutable fields only.
func cost(it *store.Item) int64 {
	m := &it.Message
	return int64(512 + len(m.Title) + len(m.Text) + len(m.Summary) + len(m.Link) + 16*(len(m.AtMobiles)+len(m.AtUserIDs)))
}

// hold keeps it in memory if budget, an empty lane or a reservation allow.
func (q *Queue) hold(l *lane, it *store.Item, reserved bool) bool {
	n := cost(it)
	if q.mem.used.Add(n) > q.mem.limit && len(l.items) > l.taken && !reserved {
		q.mem.used.Add(-n)
		return false
	}
	q.mem.avg.Store((7*q.mem.avg.Load() + n) / 8)
	l.items = append(l.items, it)
	return true
}

// release gives back what items leaving a lane's memory took.
func (q *Queue) release(items []*store.Item) {
	for _, it := range items {
		q.mem.used.Add(-cost(it))
	}
}

// evict spills a single-worker lane's waiting messages while its head waits
// for a retry, and stops reading ahead until a send succeeds.
func (q *Queue) evict(l *lane) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inflight > 1 {
		return
	}
	l.ahead = false
	rest := l.items[min(l.taken, len(l.items)):]
	if l.taken == 0 || len(rest) == 0 || l.refilling {
		return
	}
	q.release(rest)
	if q.shared != nil {
		l.tail.cursor, l.tail.rest = l.items[l.taken-1].ID, l.tail.rest+len(rest)
	} else {
		back := make([]spilled, len(rest), len(rest)+len(l.spilled))
		for i, it := range rest {
			back[i] = spilled{id: it.ID, created: it.Created}
		}
		l.spilled = append(back, l.spilled...)
	}
	clear(rest)
	l.items = l.items[:l.taken]
}
