package queue

import (
	"time"

	"github.com/coding-relay/coding-relay/server/store"
)

// Store is the durable state the queue works on; *store.Store (bbolt) is
// the production one. Every message is written before its webhook is
// answered and removed once its robot accepted it.
type Store interface {
	// Add stores a delivery's items (returning store.ErrDuplicate for a
	// delivery ID already seen when dedup is set); post runs after the
	// commit, in commit order.
	Add(delivery string, dedup bool, now time.Time, items []*store.Item, post func()) error
	// Done removes delivered items without waiting for the commit; done
	// hears its outcome.
	Done(items []*store.Item, robot string, pace []int64, done func(error))
	// Update records a failed attempt on items.
	Update(items []*store.Item, robot string, pace []int64) error
	// Bury moves items to the dead letters.
	Bury(items []*store.Item, robot string, pace []int64) error
	// Revive moves a dead letter back to pending if accept agrees
	// (store.ErrNotFound when there is none) and hands it to post.
	Revive(id uint64, accept func(*store.Item) error, post func(*store.Item)) error
	// Expire forgets delivery IDs seen before cutoff.
	Expire(cutoff time.Time) (int, error)
	// Pending calls fn with every pending item in arrival order.
	Pending(fn func(*store.Item) error) error
	// Load reads pending items by ID; a missing one is nil.
	Load(ids []uint64) ([]*store.Item, error)
	// Dead lists the first limit dead letters and how many there are.
	Dead(limit int) ([]*store.Item, int, error)
	// Pace is a robot's recorded send times (Unix ms).
	Pace(robot string) ([]int64, error)
	// Probe makes a small write and reports whether it succeeded.
	Probe() error
	Close() error
}

var _ Store = (*store.Store)(nil)
