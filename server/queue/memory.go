package queue

import (
	"sync/atomic"

	"github.com/coding-relay/coding-relay/server/store"
)

// What the queue holds in memory does not grow with the robots or their
// backlogs: all lanes together hold at most Options.memory bytes of
// messages, the rest stays in the store and is read back as its turn
// comes, and each message holds only its own bytes (own.go). A lane with
// nothing else waiting may always hold the one message it sends next, and
// only a lane whose robot takes messages reads more (lane.ahead), so a
// thousand robots that are down cost a message each.

// defaultMemory is Options.memory's default: some 8,000 typical messages.
const defaultMemory = 16 << 20

// budget counts the bytes of the messages lanes hold, and of those being
// read back for them.
type budget struct {
	used  atomic.Int64
	limit int64
	avg   atomic.Int64 // about what a message takes, for reserve
}

// reserve takes room for up to n messages of about the usual size before
// they are read, so that lanes reading at once read no more together than
// fits (with force, room for one whatever is left). It returns how many
// and the bytes taken, which the reader gives back once it has held them.
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

// cost is about what a held item takes. It reads only what never changes,
// so an item gives back what it took.
func cost(it *store.Item) int64 {
	m := &it.Message
	return int64(512 + len(m.Title) + len(m.Text) + len(m.Summary) + len(m.Link) + 16*(len(m.AtMobiles)+len(m.AtUserIDs)))
}

// hold appends it to the lane's memory if the budget allows, if the lane
// has nothing else waiting, or if it was read with room reserved (l.mu is
// held); it reports whether it did.
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

// evict hands a lane's waiting messages back to the store while the one
// being sent waits for a retry, and stops the lane reading ahead until a
// send succeeds. Only a lane with one worker evicts (with several, the
// others may be sending).
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
		// Read again from after the last message kept.
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
