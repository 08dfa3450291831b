package queue

import (
	"sync/atomic"

	"github.com/coding-relay/coding-relay/server/store"
)

// What the queue holds in memory is bounded whatever the number of robots
// and their backlogs: all lanes together keep at most Options.memory bytes
// of messages (the rest of each backlog stays in the store, read back as
// its turn comes), and each message holds only its own bytes (own.go). A
// lane with nothing else waiting may always hold one message more, the one
// it sends next, so a thousand robots that cannot be reached cost the
// budget and a message each, not their backlogs.

// defaultMemory is Options.memory's default: some 8,000 typical messages.
const defaultMemory = 16 << 20

// budget counts the bytes of messages the lanes hold, and those reserved
// for messages being read back from the store.
type budget struct {
	used  atomic.Int64
	limit int64
	// avg follows the size of the messages held, to reserve for reads.
	avg atomic.Int64
}

// reserve takes room for up to n messages of about the usual size before
// they are read, so that lanes reading at once (a thousand, when a replica
// gets their leases) read no more together than fits; with force, room for
// one whatever is left. It returns how many and the bytes taken, which the
// reader gives back once it has held what it read.
func (b *budget) reserve(n int, force bool) (int, int64) {
	avg := max(b.avg.Load(), 1024)
	k := min(int64(n), (b.limit-b.used.Load())/avg)
	if k < 1 && force {
		k = 1
	}
	if k < 1 {
		return 0, 0
	}
	b.used.Add(k * avg)
	return int(k), k * avg
}

// cost is about what a held item takes: its message's strings and what
// surrounds them. It reads only what never changes while the item is held,
// so an item gives back what it took.
func cost(it *store.Item) int64 {
	m := &it.Message
	n := 512 + len(m.Title) + len(m.Text) + len(m.Summary) + len(m.Link) + len(it.Delivery) + len(it.UUID)
	for _, s := range m.AtMobiles {
		n += 16 + len(s)
	}
	for _, s := range m.AtUserIDs {
		n += 16 + len(s)
	}
	return int64(n)
}

// hold appends it to the lane's memory if the budget allows, or if the lane
// has nothing else waiting (l.mu is held); it reports whether it did.
func (q *Queue) hold(l *lane, it *store.Item) bool {
	n := cost(it)
	if q.mem.used.Add(n) > q.mem.limit && len(l.items) > l.taken {
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
// send succeeds again: a robot that is down keeps one message in memory,
// not the budget, and neither does a robot that has not taken a message
// since start-up (a thousand lanes reading ahead at once would read the
// whole queue). Only a lane with one worker evicts (with several, the
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
