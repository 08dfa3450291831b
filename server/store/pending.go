package store

import (
	"encoding/binary"
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
	bodies, err := ShareBodies(items)
	if err != nil {
		return fmt.Errorf("store: add delivery: %w", err)
	}
	vals := make([][]byte, len(items))
	for i, it := range items {
		v, err := MarshalItem(it)
		if err != nil {
			return fmt.Errorf("store: add delivery: %w", err)
		}
		vals[i] = v
	}
	err = s.write(func(tx *bolt.Tx) error {
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
		for _, b := range bodies {
			if err := errors.Join(tx.Bucket(bucketBodies).Put([]byte(b.Name), b.JSON), putRefs(tx, b.Name, uint64(b.Refs))); err != nil {
				return err
			}
		}
		return nil
	}, post)
	return wrapErr("add delivery", err)
}

// Done removes delivered items and records the robot's recent send times.
// It does not wait for the commit: the next send need not pay an fsync, and
// a crash before the commit only means the message is sent once more
// (at-least-once). done hears the commit's outcome on the writer and must
// not block.
func (s *Store) Done(items []*Item, robot string, pace []int64, done func(error)) {
	// Copy the IDs now: the caller reuses the items' slice once we return.
	gone := make([]Item, len(items))
	for i, it := range items {
		gone[i] = Item{ID: it.ID, Lane: it.Lane, Body: it.Body}
	}
	s.ops <- &op{fn: func(tx *bolt.Tx) error {
		for _, it := range gone {
			if err := remove(tx, &it); err != nil {
				return err
			}
		}
		return putPace(tx, robot, pace)
	}, done: func(err error) { done(wrapErr("remove delivered", err)) },
		// A paced robot's send times must survive a crash, or a restart
		// could let it exceed its window and be throttled for ten minutes.
		lazy: pace == nil}
}

// Update rewrites items after a failed attempt (attempts, last error).
func (s *Store) Update(items []*Item, robot string, pace []int64) error {
	err := s.write(func(tx *bolt.Tx) error {
		p := tx.Bucket(bucketPending)
		for _, it := range items {
			v, err := MarshalItem(it)
			if err != nil {
				return err
			}
			if err := p.Put(key(it.ID), v); err != nil {
				return err
			}
		}
		return putPace(tx, robot, pace)
	}, nil)
	return wrapErr("record attempt", err)
}

// Pending calls fn with every pending item in ID order (arrival order),
// one at a time, so a large backlog is never all in memory at once.
func (s *Store) Pending(fn func(*Item) error) error {
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPending).ForEach(func(k, v []byte) error {
			it, err := DecodeItem(binary.BigEndian.Uint64(k), v)
			if its := []*Item{it}; err == nil && fillBodies(tx, its) == nil && its[0] == nil {
				err = fmt.Errorf("item %d: its message %s is missing", it.ID, it.Body)
			}
			if err != nil {
				return err
			}
			return fn(it)
		})
	})
	return wrapErr("read pending", err)
}

// Load reads pending items by ID, in the order given. An ID that is no
// longer pending, or whose record cannot be decoded, gives a nil entry: one
// damaged record must not stop its robot's whole queue.
func (s *Store) Load(ids []uint64) ([]*Item, error) {
	out := make([]*Item, len(ids))
	err := s.db.View(func(tx *bolt.Tx) error {
		p := tx.Bucket(bucketPending)
		for i, id := range ids {
			if v := p.Get(key(id)); v != nil {
				out[i], _ = DecodeItem(id, v)
			}
		}
		return fillBodies(tx, out)
	})
	if err != nil {
		return nil, fmt.Errorf("store: load pending: %w", err)
	}
	return out, nil
}

// fillBodies gives items in tx their shared messages (see FillBodies).
func fillBodies(tx *bolt.Tx, items []*Item) error {
	return FillBodies(items, func(names []string) ([][]byte, error) {
		out := make([][]byte, len(names))
		for i, n := range names {
			out[i] = tx.Bucket(bucketBodies).Get([]byte(n))
		}
		return out, nil
	})
}

func putRefs(tx *bolt.Tx, body string, n uint64) error {
	return tx.Bucket(bucketBodyRefs).Put([]byte(body), binary.BigEndian.AppendUint64(nil, n))
}

// remove takes a pending item out of the queue, its index and its
// shared message's count; one removed before is left alone.
func remove(tx *bolt.Tx, it *Item) error {
	p := tx.Bucket(bucketPending)
	if p.Get(key(it.ID)) == nil {
		return nil
	}
	if err := p.Delete(key(it.ID)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketLanes).Delete(key(it.ID)); err != nil {
		return err
	}
	return unref(tx, it.Body)
}

// unref counts one item fewer referring to body, and removes the body
// with the last.
func unref(tx *bolt.Tx, body string) error {
	if body == "" {
		return nil
	}
	v := tx.Bucket(bucketBodyRefs).Get([]byte(body))
	if len(v) == 8 && binary.BigEndian.Uint64(v) > 1 {
		return putRefs(tx, body, binary.BigEndian.Uint64(v)-1)
	}
	if err := tx.Bucket(bucketBodyRefs).Delete([]byte(body)); err != nil {
		return err
	}
	return tx.Bucket(bucketBodies).Delete([]byte(body))
}
