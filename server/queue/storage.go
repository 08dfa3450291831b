package queue

import (
	"context"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/store"
)

// Store is the queue's durable state (*store.Store): a message is written
// before its webhook is answered and removed once its robot accepted it.
type Store interface {
	// Add stores a delivery's items (store.ErrDuplicate if dedup and seen);
	// post runs after the commit, in commit order.
	Add(delivery string, dedup bool, now time.Time, items []*store.Item, post func()) error
	// Done removes delivered items; done hears the commit's outcome.
	Done(items []*store.Item, robot string, pace []int64, done func(error))
	// Update records a failed attempt, and pace if not nil (no items: pre-send).
	Update(items []*store.Item, robot string, pace []int64) error
	// Bury moves items to the dead letters.
	Bury(items []*store.Item, robot string, pace []int64) error
	// Revive requeues a dead letter if accept agrees, handing it to post.
	Revive(id uint64, accept func(*store.Item) error, post func(*store.Item)) error
	// Expire forgets delivery IDs seen before cutoff.
	Expire(cutoff time.Time) (int, error)
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

// Local is a Store one relay keeps to itself, whose lanes it finds at start-up.
type Local interface {
	Store
	// Backlog calls fn with each pending item's lane ("" if pre-lanes), ID
	// and arrival, in arrival order, without reading the items.
	Backlog(fn func(lane string, id uint64, created time.Time) error) error
}

var _ Local = (*store.Store)(nil)

// Shared is a Store several replicas use at once (server/store/redis): the
// lease holder reads and paces a lane through it, so all sends share one
// window, and forgets its memory whenever the lease changes hands.
type Shared interface {
	Store
	// Hold takes or renews the leases for ttl; held[i] is for lanes[i].
	Hold(lanes []string, ttl time.Duration) (held []bool, err error)
	// Release gives leases up, once what this replica delivered is gone.
	Release(lanes []string) error
	// Slot checks a lane's windows (margins included) at the store's clock:
	// the wait until a send may start and how many may start now; take
	// records one if they allow it, only while this replica holds the
	// lease (store.ErrLeaseLost otherwise).
	Slot(lane string, windows robot.Limits, take bool) (wait time.Duration, free int, err error)
	// Next reads up to n pending items of lane with IDs above after, oldest
	// first: last is the next call's cursor, rest how many follow.
	Next(lane string, after uint64, n int) (items []*store.Item, last uint64, rest int, err error)
	// Watch calls fn with a lane's name on any replica's add, and with ""
	// when adds may have been missed (resubscribed), until ctx ends.
	Watch(ctx context.Context, fn func(lane string))
	// List is up to limit pending items of every lane, oldest first, and
	// how many are pending in all.
	List(limit int) ([]*store.Item, int, error)
	// Lanes lists the lanes that hold or held items; Move moves items of
	// one to the end of another; Forget drops an empty one from Lanes.
	Lanes() ([]string, error)
	Move(items []*store.Item, from, to string) (int, error)
	Forget(lane string) (bool, error)
}
