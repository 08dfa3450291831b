package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Add stores items for a new delivery, assigning their IDs. With dedup set
// it returns ErrDuplicate when the delivery ID was seen within the dedup
// window, and remembers it otherwise. post runs after the commit and
// before any later commit's post, which keeps per-robot order.
func (s *Store) Add(delivery string, dedup bool, now time.Time, items []*Item, post func()) error {
	// Encode outside the transaction: the writer is single-threaded and
	// every microsecond it spends is added to every webhook's answer. The
	// ID is the key, so the value does not need it.
	vals := make([][]byte, len(items))
	for i, it := range items {
		v, err := json.Marshal(it)
		if err != nil {
			return fmt.Errorf("store: add delivery: %w", err)
		}
		vals[i] = v
	}
	err := s.write(func(tx *bolt.Tx) error {
		if dedup {
			if err := s.remember(tx, delivery, now); err != nil {
				return err
			}
		}
		p := tx.Bucket(bucketPending)
		p.FillPercent = appendFill
		for i, it := range items {
			id, err := p.NextSequence()
			if err != nil {
				return err
			}
			it.ID = id
			if err := p.Put(key(id), vals[i]); err != nil {
				return err
			}
		}
		if err := index(tx, items); err != nil {
			return err
		}
		return nil
	}, post)
	if err != nil {
		return fmt.Errorf("store: add delivery: %w", err)
	}
	return nil
}

// Done removes delivered items and records the robot's recent send times.
// It does not wait for the commit: the next send need not pay an fsync, and
// a crash before the commit only means the message is sent once more
// (at-least-once). done hears the commit's outcome on the writer and must
// not block.
func (s *Store) Done(items []*Item, robot string, pace []int64, done func(error)) {
	// Copy the IDs now: the caller reuses the items' slice once we return.
	ids := make([]uint64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	s.ops <- &op{fn: func(tx *bolt.Tx) error {
		p, idx := tx.Bucket(bucketPending), tx.Bucket(bucketLanes)
		for _, id := range ids {
			if err := errors.Join(p.Delete(key(id)), idx.Delete(key(id))); err != nil {
				return err
			}
		}
		return putPace(tx, robot, pace)
	}, done: func(err error) {
		if err != nil {
			err = fmt.Errorf("store: remove delivered: %w", err)
		}
		done(err)
	},
		// A paced robot's send times must survive a crash, or a restart
		// could let it exceed its window and be throttled for ten minutes.
		lazy: pace == nil}
}

// Update rewrites items after a failed attempt (attempts, last error).
func (s *Store) Update(items []*Item, robot string, pace []int64) error {
	err := s.write(func(tx *bolt.Tx) error {
		p := tx.Bucket(bucketPending)
		for _, it := range items {
			v, err := json.Marshal(it)
			if err != nil {
				return err
			}
			if err := p.Put(key(it.ID), v); err != nil {
				return err
			}
		}
		return putPace(tx, robot, pace)
	}, nil)
	if err != nil {
		return fmt.Errorf("store: record attempt: %w", err)
	}
	return nil
}

// Pending calls fn with every pending item in ID order (arrival order),
// one at a time, so a large backlog is never all in memory at once.
func (s *Store) Pending(fn func(*Item) error) error {
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPending).ForEach(func(k, v []byte) error {
			it, err := decodeItem(k, v)
			if err != nil {
				return err
			}
			return fn(it)
		})
	})
	if err != nil {
		return fmt.Errorf("store: read pending: %w", err)
	}
	return nil
}

// Load reads pending items by ID, in the order given. An ID that is no
// longer pending, or whose record cannot be decoded, gives a nil entry: one
// damaged record must not stop its robot's whole queue.
func (s *Store) Load(ids []uint64) ([]*Item, error) {
	out := make([]*Item, len(ids))
	err := s.db.View(func(tx *bolt.Tx) error {
		p := tx.Bucket(bucketPending)
		for i, id := range ids {
			k := key(id)
			if v := p.Get(k); v != nil {
				out[i], _ = decodeItem(k, v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: load pending: %w", err)
	}
	return out, nil
}
